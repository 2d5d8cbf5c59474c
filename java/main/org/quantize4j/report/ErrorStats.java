package org.quantize4j.report;

import java.nio.FloatBuffer;

/**
 * Accumulates how far a tensor is from its reference over many batches: relative L2 error
 * {@code ||x - ref|| / ||ref||} and cosine similarity {@code <x, ref> / (||x|| ||ref||)}, in double precision.
 * Two all-zero tensors are equal (relative L2 0, cosine 1); a non-zero tensor against an all-zero reference has
 * relative L2 {@code +Inf} and cosine 0.
 *
 * <pre>{@code
 * ErrorStats e = new ErrorStats();
 * e.add(int8Output.floatView(), fp32Output.floatView());   // once per batch
 * double rel = e.relativeL2(), cos = e.cosine();
 * }</pre>
 */
public final class ErrorStats {
    private double refSq;
    private double xSq;
    private double diffSq;
    private double dot;
    private double maxAbs;
    private long count;

    /** Adds the elements of {@code x} and {@code ref} (same number remaining; positions are not moved). */
    public void add(FloatBuffer x, FloatBuffer ref) {
        int n = ref.remaining();
        if (x.remaining() != n) {
            throw new IllegalArgumentException("tensor has " + x.remaining() + " values, its reference " + n);
        }
        int xo = x.position();
        int ro = ref.position();
        double rs = 0;
        double xs = 0;
        double ds = 0;
        double d = 0;
        double m = maxAbs;
        for (int i = 0; i < n; i++) {
            double a = x.get(xo + i);
            double b = ref.get(ro + i);
            double diff = a - b;
            rs += b * b;
            xs += a * a;
            ds += diff * diff;
            d += a * b;
            double ad = Math.abs(diff);
            if (ad > m || Double.isNaN(ad)) m = ad;
        }
        refSq += rs;
        xSq += xs;
        diffSq += ds;
        dot += d;
        maxAbs = m;
        count += n;
    }

    /** {@code ||x - ref|| / ||ref||}: 0 when equal, +Inf for a non-zero x against an all-zero reference. */
    public double relativeL2() {
        if (diffSq == 0) return 0;
        return Math.sqrt(diffSq) / Math.sqrt(refSq);
    }

    /** Cosine similarity in [-1, 1]: 1 when both are all zero, 0 when only one is. */
    public double cosine() {
        if (xSq == 0 && refSq == 0) return 1;
        if (xSq == 0 || refSq == 0) return 0;
        double c = dot / (Math.sqrt(xSq) * Math.sqrt(refSq));
        return Math.max(-1, Math.min(1, c));
    }

    /** Largest {@code |x - ref|}. */
    public double maxAbsError() { return maxAbs; }

    /** Root mean square of the reference (its typical magnitude). */
    public double referenceRms() { return count == 0 ? 0 : Math.sqrt(refSq / count); }

    /** Values compared. */
    public long count() { return count; }
}
