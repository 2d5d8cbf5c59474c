package org.quantize4j.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.quantize4j.AtomicFiles;

/**
 * {@link CalibrationReport} as one self-contained HTML page ({@code report.html}, no scripts or external files):
 * title, model and settings, a summary (the worst layers with the option that excludes them), the per-layer error
 * table (worst first), then the calibrated tensors: a table and one histogram plot per tensor ({@link SvgHistogram}).
 *
 * <pre>{@code
 * HtmlReportWriter.write(report, Path.of("out/report/report.html"));
 * }</pre>
 */
public final class HtmlReportWriter {
    /** Relative L2 errors from here on are shown amber; from {@link #BAD} red. */
    static final double WARN = 0.05;
    static final double BAD = 0.15;

    private HtmlReportWriter() {
    }

    /** Writes the page to {@code file} atomically (creating its folder). */
    public static void write(CalibrationReport r, Path file) {
        AtomicFiles.write(file, toHtml(r).getBytes(StandardCharsets.UTF_8));
    }

    /** The page. */
    public static String toHtml(CalibrationReport r) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Quantization report: ").append(escape(r.model())).append("</title>\n")
                .append("<style>").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<header><h1>Quantization report</h1>\n<p class=\"sub\">Model <code>").append(escape(r.model()))
                .append("</code> &middot; ").append(escape(r.created())).append(" &middot; Quantize4J</p></header>\n");
        settings(h, r);
        summary(h, r);
        layers(h, r);
        tensors(h, r);
        if (!r.notes().isEmpty()) {
            h.append("<section id=\"notes\"><h2>Notes</h2><ul>");
            for (String n : r.notes()) h.append("<li>").append(escape(n)).append("</li>");
            h.append("</ul></section>\n");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void settings(StringBuilder h, CalibrationReport r) {
        h.append("<section id=\"settings\"><h2>Settings</h2>\n<table class=\"kv\">");
        r.settings().forEach((k, v) -> h.append("<tr><th>").append(escape(k.replace('_', ' '))).append("</th><td>")
                .append(escape(v)).append("</td></tr>"));
        h.append("</table></section>\n");
    }

    private static void summary(StringBuilder h, CalibrationReport r) {
        h.append("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">");
        card(h, Integer.toString(r.tensors().size()), "calibrated tensors", "#tensors");
        card(h, Integer.toString(r.layers().size()), "quantized layers compared", "#layers");
        card(h, Long.toString(r.calibExamples()), "calibration examples", null);
        card(h, Long.toString(r.errorExamples()), "examples for the layer errors", null);
        if (!r.layers().isEmpty()) {
            LayerError worst = r.layers().get(0);
            card(h, pct(worst.relativeL2()), "largest relative L2 error (" + worst.layer() + ")", "#layer-0");
            double minCos = 1;
            for (LayerError e : r.layers()) minCos = Math.min(minCos, e.cosine());
            card(h, String.format(Locale.ROOT, "%.5f", minCos), "lowest cosine similarity", "#layers");
        }
        h.append("</div>\n");
        if (!r.layers().isEmpty()) {
            h.append("<table class=\"grid\"><caption>Layers with the largest error (INT8 vs FP32 on the calibration data)"
                    + "</caption><thead><tr><th>#</th><th>layer</th><th>op</th><th class=\"num\">relative L2</th>"
                    + "<th class=\"num\">added by the layer</th><th class=\"num\">cosine</th>"
                    + "<th>to keep it FP32</th></tr></thead><tbody>");
            for (int i = 0; i < Math.min(5, r.layers().size()); i++) {
                LayerError e = r.layers().get(i);
                h.append("<tr><td>").append(i + 1).append("</td><td><a href=\"#layer-").append(i).append("\"><code>")
                        .append(escape(e.layer())).append("</code></a></td><td>").append(escape(e.op()))
                        .append("</td><td class=\"num ").append(severity(e.relativeL2())).append("\">")
                        .append(pct(e.relativeL2())).append("</td><td class=\"num\">").append(pct(e.addedRelativeL2()))
                        .append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%.5f", e.cosine()))
                        .append("</td><td><code>").append(escape(excludeOption(e))).append("</code></td></tr>");
            }
            h.append("</tbody></table>\n");
            List<LayerError> byAdded = new ArrayList<>(r.layers());
            byAdded.sort(Comparator.comparingDouble(LayerError::addedRelativeL2).reversed());
            h.append("<p class=\"hint\">Errors accumulate through the network, so deep layers rank high. The layer adding the most "
                    + "error to what its inputs already carry is <a href=\"#layer-").append(r.layers().indexOf(byAdded.get(0)))
                    .append("\"><code>").append(escape(byAdded.get(0).layer())).append("</code></a> (+")
                    .append(pct(byAdded.get(0).addedRelativeL2())).append(")")
                    .append(byAdded.size() > 1 ? ", then <code>" + escape(byAdded.get(1).layer()) + "</code> (+"
                            + pct(byAdded.get(1).addedRelativeL2()) + ")" : "")
                    .append(". Exclude a layer, quantize again and compare.</p>\n");
        }
        List<TensorReport> clipped = new ArrayList<>(r.tensors());
        clipped.removeIf(t -> t.clippedFraction() <= 0);
        if (!clipped.isEmpty()) {
            clipped.sort(Comparator.comparingDouble(TensorReport::clippedFraction).reversed());
            h.append("<p class=\"hint\">Most clipped by the calibrated range: ");
            for (int i = 0; i < Math.min(3, clipped.size()); i++) {
                TensorReport t = clipped.get(i);
                h.append(i == 0 ? "" : ", ").append("<a href=\"#").append(anchor(t.name())).append("\"><code>")
                        .append(escape(t.name())).append("</code></a> (").append(pctSmall(t.clippedFraction())).append(")");
            }
            h.append(".</p>\n");
        }
        h.append("</section>\n");
    }

    private static void layers(StringBuilder h, CalibrationReport r) {
        h.append("<section id=\"layers\"><h2>Per-layer error, INT8 vs FP32</h2>\n");
        h.append("<p class=\"explain\">The INT8 model and the FP32 model run on ").append(r.errorExamples())
                .append(" calibration examples; each quantized layer's output, dequantized to real values, is compared "
                        + "with the same tensor of the FP32 model. <b>Relative L2</b> = ‖int8 − fp32‖ / ‖fp32‖; "
                        + "<b>cosine</b> = cosine similarity (1 = same direction). <b>Added</b> = relative L2 minus the "
                        + "largest one among the quantized layers feeding it. A BatchNorm read only by a relu is "
                        + "measured with it (one row naming both: the INT8 BatchNorm keeps only what the relu passes). "
                        + "Sorted worst first; relative L2 <span class=\"ok\">below 5%</span>, "
                        + "<span class=\"warn\">5–15%</span>, <span class=\"bad\">15% or more</span>.</p>\n");
        if (r.layers().isEmpty()) {
            h.append("<p>No quantized layer was compared.</p></section>\n");
            return;
        }
        double maxRel = 0;
        for (LayerError e : r.layers()) if (Double.isFinite(e.relativeL2())) maxRel = Math.max(maxRel, e.relativeL2());
        h.append("<table class=\"grid\"><thead><tr><th>#</th><th>layer</th><th>op</th><th class=\"num\">relative L2</th>"
                + "<th></th><th class=\"num\">added</th><th class=\"num\">cosine</th><th class=\"num\">max |error|</th>"
                + "<th class=\"num\">FP32 rms</th><th>compared node</th></tr></thead><tbody>\n");
        for (int i = 0; i < r.layers().size(); i++) {
            LayerError e = r.layers().get(i);
            double w = maxRel > 0 && Double.isFinite(e.relativeL2()) ? 100 * e.relativeL2() / maxRel : 0;
            h.append("<tr id=\"layer-").append(i).append("\"><td>").append(i + 1).append("</td><td><code>")
                    .append(escape(e.layer())).append("</code>");
            if (e.originalNodes().size() > 1 || !e.originalNodes().get(0).equals(e.layer())) {
                h.append("<div class=\"orig\">").append(escape(String.join(" + ", e.originalNodes()))).append("</div>");
            }
            h.append("</td><td>").append(escape(e.op())).append("</td><td class=\"num ").append(severity(e.relativeL2()))
                    .append("\">").append(pct(e.relativeL2())).append("</td><td class=\"barcell\"><div class=\"bar ")
                    .append(severity(e.relativeL2())).append("\" style=\"width:")
                    .append(String.format(Locale.ROOT, "%.1f", w)).append("%\"></div></td><td class=\"num\">")
                    .append(pct(e.addedRelativeL2())).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%.5f", e.cosine())).append("</td><td class=\"num\">")
                    .append(SvgHistogram.fmt(e.maxAbsError())).append("</td><td class=\"num\">")
                    .append(SvgHistogram.fmt(e.fp32Rms())).append("</td><td><code class=\"small\">")
                    .append(escape(e.quantizedNode())).append("</code></td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    private static void tensors(StringBuilder h, CalibrationReport r) {
        h.append("<section id=\"tensors\"><h2>Calibrated tensors</h2>\n");
        h.append("<p class=\"explain\">For each FP32 tensor whose range the INT8 model needs: the range of the values seen "
                + "on the calibration data, the calibrated range (the threshold maps to the largest INT8 code; values "
                + "outside are clipped), the KL divergence at the chosen threshold (entropy calibration only) and the "
                + "share of values clipped. Plots: counts on a log scale, calibrated range in red, clipped region "
                + "shaded.</p>\n");
        h.append("<table class=\"grid\"><thead><tr><th>#</th><th>tensor</th><th class=\"num\">seen min</th>"
                + "<th class=\"num\">seen max</th><th class=\"num\">calib min</th><th class=\"num\">calib max</th>"
                + "<th class=\"num\">threshold</th><th class=\"num\">KL divergence</th><th class=\"num\">clipped</th>"
                + "</tr></thead><tbody>\n");
        for (int i = 0; i < r.tensors().size(); i++) {
            TensorReport t = r.tensors().get(i);
            h.append("<tr><td>").append(i + 1).append("</td><td><a href=\"#").append(anchor(t.name())).append("\"><code>")
                    .append(escape(t.name())).append("</code></a></td>");
            for (double v : new double[] {t.seenMin(), t.seenMax(), t.calibMin(), t.calibMax(), t.threshold()}) {
                h.append("<td class=\"num\">").append(SvgHistogram.fmt(v)).append("</td>");
            }
            h.append("<td class=\"num\">").append(t.klDivergence() == null ? "n/a" : SvgHistogram.fmt(t.klDivergence()))
                    .append("</td><td class=\"num\">").append(pctSmall(t.clippedFraction())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n<div class=\"plots\">\n");
        for (TensorReport t : r.tensors()) {
            h.append("<figure class=\"plot\" id=\"").append(anchor(t.name())).append("\"><figcaption><code>")
                    .append(escape(t.name())).append("</code><span class=\"stats\">seen [")
                    .append(SvgHistogram.fmt(t.seenMin())).append(", ").append(SvgHistogram.fmt(t.seenMax()))
                    .append("] &middot; calibrated [").append(SvgHistogram.fmt(t.calibMin())).append(", ")
                    .append(SvgHistogram.fmt(t.calibMax())).append("] &middot; KL ")
                    .append(t.klDivergence() == null ? "n/a" : SvgHistogram.fmt(t.klDivergence()))
                    .append(" &middot; clipped ").append(pctSmall(t.clippedFraction())).append("</span>");
            h.append("<span class=\"used\">").append(t.usedBy().isEmpty()
                    ? "range not used by the written model (e.g. its node writes float32)"
                    : "range used by " + escape(String.join(", ", t.usedBy()))).append("</span>");
            h.append("</figcaption>").append(SvgHistogram.render(t, 600, 180)).append("</figure>\n");
        }
        h.append("</div></section>\n");
    }

    private static void card(StringBuilder h, String value, String label, String link) {
        h.append("<div class=\"card\">");
        if (link != null) h.append("<a href=\"").append(link).append("\">");
        h.append("<div class=\"value\">").append(escape(value)).append("</div>");
        if (link != null) h.append("</a>");
        h.append("<div class=\"label\">").append(escape(label)).append("</div></div>");
    }

    /**
     * The option keeping the layer FP32: its name, or for a row standing for several unfused nodes (a BatchNorm
     * with its relu) each of them; a fused node's name covers the nodes inside it.
     */
    static String excludeOption(LayerError e) {
        if (e.originalNodes().size() > 1 && e.originalNodes().contains(e.layer())) {
            StringBuilder b = new StringBuilder();
            for (String n : e.originalNodes()) b.append(b.length() == 0 ? "" : " ").append("--exclude ").append(n);
            return b.toString();
        }
        return "--exclude " + e.layer();
    }

    private static String severity(double rel) {
        if (!Double.isFinite(rel) || rel >= BAD) return "bad";
        return rel >= WARN ? "warn" : "ok";
    }

    private static String pct(double v) {
        if (!Double.isFinite(v)) return "n/a";
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static String pctSmall(double v) {
        if (v == 0) return "0";
        if (v < 1e-4) return String.format(Locale.ROOT, "%.1e%%", 100 * v);
        return String.format(Locale.ROOT, "%.3f%%", 100 * v);
    }

    /** An id for a tensor's plot. */
    static String anchor(String name) {
        return "t-" + name.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** HTML text escaping (also safe inside attribute values). */
    static String escape(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#222;
            margin:0 auto;max-width:1320px;padding:16px 28px 48px}
            header{border-bottom:2px solid #4c78a8;margin-bottom:8px}
            h1{font-size:26px;margin:8px 0 2px}
            .sub{color:#555;margin:0 0 10px}
            h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:3px}
            code{font:12.5px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
            code.small{font-size:11.5px;color:#555}
            table{border-collapse:collapse}
            table.kv th{text-align:left;font-weight:600;padding:2px 18px 2px 0;color:#444}
            table.kv td{padding:2px 0}
            table.grid{width:100%;margin:8px 0}
            table.grid caption{text-align:left;font-weight:600;padding:4px 0}
            table.grid th{background:#f0f3f7;text-align:left;padding:5px 8px;border-bottom:1px solid #ccd;
            position:sticky;top:0}
            table.grid td{padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}
            table.grid tbody tr:hover{background:#f7f9fc}
            .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            .ok{color:#2a7d2a} .warn{color:#b36b00;font-weight:600} .bad{color:#c62828;font-weight:700}
            td.barcell{width:140px}
            .bar{height:10px;border-radius:2px;margin-top:4px;min-width:1px}
            .bar.ok{background:#8fc98f} .bar.warn{background:#f0b34a} .bar.bad{background:#e06666}
            .orig{font-size:11.5px;color:#666}
            .cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 14px}
            .card{border:1px solid #dde;border-radius:6px;padding:8px 14px;min-width:150px;background:#fbfcfe}
            .card a{text-decoration:none;color:inherit}
            .card .value{font-size:22px;font-weight:700;color:#274b7a}
            .card .label{color:#555;font-size:12.5px;max-width:260px;overflow-wrap:anywhere}
            .hint{background:#fff8e6;border-left:3px solid #f0b34a;padding:6px 10px;margin:8px 0}
            .explain{color:#444;max-width:1000px}
            .plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(610px,1fr));gap:14px;margin-top:14px}
            figure.plot{margin:0;border:1px solid #e3e3e3;border-radius:6px;padding:8px 8px 4px;background:#fff}
            figcaption{margin-bottom:4px}
            figcaption .stats{display:block;color:#444;font-size:12.5px}
            figcaption .used{display:block;color:#777;font-size:11.5px}
            svg.hist text{font:11px system-ui,sans-serif;fill:#444}
            svg.hist text.mark{fill:#d62728;font-weight:600}
            svg.hist text.axis{fill:#666}
            a{color:#1f5fa8}
            """;
}
