package org.quantize4j.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a tensor's histogram as an inline SVG: counts on a log scale (a ReLU output's spike at 0 and its thin
 * tail both stay visible), the calibrated range marked by red dashed lines with the clipped region outside
 * shaded, the value 0 by a grey line.
 *
 * <pre>{@code
 * String svg = SvgHistogram.render(tensorReport, 560, 170);   // "<svg ...>...</svg>"
 * }</pre>
 */
public final class SvgHistogram {
    static final String BAR = "#4c78a8";
    static final String THRESHOLD = "#d62728";

    private SvgHistogram() {
    }

    /** The plot of {@code t}, {@code width} x {@code height} pixels; a note instead of bars when it has no histogram. */
    public static String render(TensorReport t, int width, int height) {
        int left = 52;
        int right = 14;
        int top = 18;
        int bottom = 34;
        double pw = width - left - right;
        double ph = height - top - bottom;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hist\" width=\"%d\" "
                + "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">", width, height, width, height));
        s.append("<title>").append(HtmlReportWriter.escape("Histogram of " + t.name() + " with the calibrated range "
                + fmt(t.calibMin()) + " .. " + fmt(t.calibMax()))).append("</title>");
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#fafafa\" "
                + "stroke=\"#ccc\"/>", left, top, pw, ph));
        HistogramBins h = t.histogram();
        if (h == null || h.total() == 0) {
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"note\">"
                    + "no values recorded</text></svg>", left + pw / 2, top + ph / 2));
            return s.toString();
        }
        double lo = h.lo();
        double hi = h.hi();
        long max = 0;
        for (long c : h.counts()) max = Math.max(max, c);
        double yMax = Math.log10(1 + max);
        // Shaded: values outside the calibrated range, which INT8 clips.
        double cMin = x(t.calibMin(), lo, hi, left, pw);
        double cMax = x(t.calibMax(), lo, hi, left, pw);
        if (cMin > left) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    + "fill-opacity=\"0.10\"/>", left, top, cMin - left, ph, THRESHOLD));
        }
        if (cMax < left + pw) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    + "fill-opacity=\"0.10\"/>", cMax, top, left + pw - cMax, ph, THRESHOLD));
        }
        // Bars: one path of rectangles (smaller than one element per bin).
        double bw = pw / h.numBins();
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < h.numBins(); i++) {
            long c = h.count(i);
            if (c == 0) continue;
            double bh = Math.max(1, ph * Math.log10(1 + c) / yMax);
            double x0 = left + i * bw;
            path.append(String.format(Locale.ROOT, "M%.2f %.2fh%.2fv%.2fh%.2fz", x0, top + ph - bh,
                    Math.max(bw, 0.8), bh, -Math.max(bw, 0.8)));
        }
        s.append("<path fill=\"").append(BAR).append("\" d=\"").append(path).append("\"/>");
        // y axis: powers of ten.
        for (int k = 0; Math.pow(10, k) <= max; k += yStep(max)) {
            double y = top + ph - ph * Math.log10(1 + Math.pow(10, k)) / yMax;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>",
                    left - 4, left, y, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%s</text>",
                    left - 6, y + 3.5, k == 0 ? "1" : k == 1 ? "10" : "1e" + k));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.1f\" class=\"axis\" transform=\"rotate(-90 12 %.1f)\" "
                + "text-anchor=\"middle\">count (log)</text>", top + ph / 2, top + ph / 2));
        // x axis.
        for (double v : ticks(lo, hi, 6)) {
            double x = x(v, lo, hi, left, pw);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>",
                    x, x, top + ph, top + ph + 4));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" class=\"tick\">%s</text>",
                    x, top + ph + 16, fmt(v)));
        }
        if (lo < 0 && hi > 0) {
            double x0 = x(0, lo, hi, left, pw);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#888\" "
                    + "stroke-width=\"0.8\"/>", x0, x0, top, top + ph));
        }
        // Calibrated range.
        List<double[]> marks = new ArrayList<>();
        marks.add(new double[] {t.calibMin(), cMin});
        if (t.calibMax() != t.calibMin()) marks.add(new double[] {t.calibMax(), cMax});
        for (double[] m : marks) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"1.6\" stroke-dasharray=\"5,3\"/>", m[1], m[1], top - 4, top + ph, THRESHOLD));
            String anchor = m[1] < left + 30 ? "start" : m[1] > left + pw - 30 ? "end" : "middle";
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" class=\"mark\">%s</text>",
                    m[1], top - 6, anchor, fmt(m[0])));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis\">value</text>",
                left + pw / 2, height - 3));
        s.append("</svg>");
        return s.toString();
    }

    private static int yStep(long max) {
        int decades = (int) Math.floor(Math.log10(Math.max(1, max)));
        return decades > 6 ? 2 : 1;
    }

    private static double x(double v, double lo, double hi, double left, double pw) {
        double f = (v - lo) / (hi - lo);
        return left + pw * Math.max(0, Math.min(1, f));
    }

    /** About {@code n} round tick values within [lo, hi]. */
    static List<Double> ticks(double lo, double hi, int n) {
        double span = hi - lo;
        double raw = span / Math.max(1, n - 1);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / mag;
        double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
        List<Double> out = new ArrayList<>();
        for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
            out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        return out;
    }

    /** Short display form of a value: 4 significant digits, no exponent for ordinary magnitudes. */
    static String fmt(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            String s = String.format(Locale.ROOT, "%.4g", v);
            if (s.contains(".") && !s.contains("e")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
            return s;
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }
}
