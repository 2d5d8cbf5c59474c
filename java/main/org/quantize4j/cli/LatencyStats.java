package org.quantize4j.cli;

import java.util.Arrays;

/**
 * Percentiles of per-iteration latencies (nearest-rank method: the smallest value with at least p%
 * of the samples at or below it).
 *
 * <pre>{@code
 * LatencyStats s = new LatencyStats(nanos, n);
 * double p50 = s.percentileMillis(50);
 * }</pre>
 */
public final class LatencyStats {
    private final long[] sorted;

    /** @param nanos latencies in nanoseconds; the first {@code n} are used */
    public LatencyStats(long[] nanos, int n) {
        if (n <= 0) throw new IllegalArgumentException("no latency samples");
        this.sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
    }

    public int count() { return sorted.length; }

    /** The p-th percentile (0 < p <= 100) in milliseconds. */
    public double percentileMillis(double p) {
        if (!(p > 0 && p <= 100)) throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    public double meanMillis() {
        double sum = 0;
        for (long v : sorted) sum += v;
        return sum / sorted.length / 1e6;
    }

    public double minMillis() { return sorted[0] / 1e6; }

    public double maxMillis() { return sorted[sorted.length - 1] / 1e6; }
}
