package org.quantize4j.report;

import org.quantize4j.calib.Histogram;

/**
 * A histogram for display: {@code counts.length} equal bins over {@code [lo, hi]}, regrouped from a calibration
 * {@link Histogram} (thousands of bins) by bin centre.
 *
 * <pre>{@code
 * HistogramBins b = HistogramBins.of(histogram, -0.8, 2.1, 200);
 * double width = b.binWidth();
 * }</pre>
 *
 * @param lo     left edge of the first bin
 * @param hi     right edge of the last bin
 * @param counts values per bin
 */
public record HistogramBins(double lo, double hi, long[] counts) {
    public HistogramBins {
        if (!(hi > lo)) throw new IllegalArgumentException("histogram range must have hi > lo, got [" + lo + ", " + hi + "]");
        if (counts.length == 0) throw new IllegalArgumentException("histogram needs at least one bin");
        counts = counts.clone();
    }

    /**
     * Regroups {@code h} into {@code bins} equal bins over {@code [lo, hi]} (each source bin goes where its centre
     * falls; centres outside go to the first or last bin). An empty range is widened to {@code [lo - 0.5, lo + 0.5]}.
     */
    public static HistogramBins of(Histogram h, double lo, double hi, int bins) {
        if (bins < 1) throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        if (!(hi > lo)) {
            lo -= 0.5;
            hi += 0.5;
        }
        long[] out = new long[bins];
        double width = (hi - lo) / bins;
        for (int i = 0; i < h.numBins(); i++) {
            long c = h.count(i);
            if (c == 0) continue;
            double centre = 0.5 * ((double) h.edge(i) + h.edge(i + 1));
            int k = (int) Math.floor((centre - lo) / width);
            out[Math.max(0, Math.min(bins - 1, k))] += c;
        }
        return new HistogramBins(lo, hi, out);
    }

    @Override
    public long[] counts() { return counts.clone(); }

    public int numBins() { return counts.length; }

    public long count(int i) { return counts[i]; }

    public double binWidth() { return (hi - lo) / counts.length; }

    /** Sum of the counts. */
    public long total() {
        long s = 0;
        for (long c : counts) s += c;
        return s;
    }
}
