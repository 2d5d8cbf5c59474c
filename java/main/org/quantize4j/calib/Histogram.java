package org.quantize4j.calib;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A layer-output histogram as MXNet 1.9.1's entropy calibration keeps it: the state tuple
 * {@code (hist, hist_edges, min, max, th)} of {@code mxnet.contrib.quantization._LayerHistogramCollector}.
 *
 * <p>The first batch bins {@code [-th, th]} with {@code th = max(|min|, |max|)}; later batches are merged by
 * {@link #combineHistogram}, which keeps the bin width and grows the bin count symmetrically when a batch
 * exceeds the current range. Binning is computed natively ({@link NativeCalib}) with numpy 1.24's float32
 * arithmetic, so counts are identical to MXNet's, not just close.
 *
 * <p>Instances are immutable; {@link #combine} returns a new histogram.
 *
 * <pre>{@code
 * Histogram h = Histogram.ofFirstBatch(executor.output(0).buffer().asFloatBuffer(), 8001);
 * h = h.combine(nextBatchOutput.buffer().asFloatBuffer());
 * KlThreshold t = KlThreshold.optimal(h, "int8");
 * }</pre>
 *
 * <p>Edge cases: NaN or +-Inf in a batch throw {@link IllegalArgumentException} (MXNet fails too, inside
 * numpy: "range is not finite"). An all-zero first batch gives {@code th = 0}; like numpy we then bin over
 * {@code [-0.5, 0.5]} (numpy's expansion of an empty range) while {@link #th()} stays 0. MXNet crashes when
 * a later batch is non-zero (its growth step divides by the zero bin width); we instead start a fresh
 * histogram from that batch and put the earlier values, all exactly 0, into the bin holding 0.
 */
public final class Histogram {
    /** MXNet's default number of bins of the first batch. */
    public static final int DEFAULT_NUM_BINS = 8001;

    private final long[] counts;
    private final float[] edges;
    private final float min;
    private final float max;
    private final double th;
    private final boolean thFloat32;

    private Histogram(long[] counts, float[] edges, float min, float max, double th, boolean thFloat32) {
        this.counts = counts;
        this.edges = edges;
        this.min = min;
        this.max = max;
        this.th = th;
        this.thFloat32 = thFloat32;
    }

    /**
     * Restores a histogram state (e.g. MXNet's tuple read from a file).
     *
     * @param counts    bin counts, length n >= 1
     * @param edges     bin edges, length n + 1
     * @param min       smallest value seen
     * @param max       largest value seen
     * @param th        current half-range
     * @param thFloat32 whether MXNet holds {@code th} as float32 (first batch) rather than float64 (after growth);
     *                  it decides the precision of the next growth step
     */
    public static Histogram of(long[] counts, float[] edges, float min, float max, double th, boolean thFloat32) {
        if (counts.length < 1 || edges.length != counts.length + 1) {
            throw new IllegalArgumentException("histogram needs n >= 1 counts and n + 1 edges, got "
                    + counts.length + " counts and " + edges.length + " edges");
        }
        if (thFloat32 && (float) th != th) {
            throw new IllegalArgumentException("th " + th + " is not a float32 value");
        }
        return new Histogram(counts.clone(), edges.clone(), min, max, th, thFloat32);
    }

    /**
     * Histogram of a first batch: {@code th = max(|min|, |max|)}, {@code numBins} equal bins over {@code [-th, th]}
     * (numpy.histogram semantics, including its handling of values on bin edges).
     *
     * @param data    the batch (its remaining elements); a direct native-order buffer is read in place
     * @param numBins number of bins (MXNet: 8001)
     * @throws IllegalArgumentException if data is empty or contains NaN/Inf (the message gives the count)
     */
    public static Histogram ofFirstBatch(FloatBuffer data, int numBins) {
        if (numBins < 1) {
            throw new IllegalArgumentException("numBins must be >= 1, got " + numBins);
        }
        try (Batch batch = Batch.of(data)) {
            float[] minMax = batch.scan();
            float th = Math.max(Math.abs(minMax[0]), Math.abs(minMax[1]));
            float[] edges = new float[numBins + 1];
            long[] counts = new long[numBins];
            batch.histogramInto(th, edges, counts);
            return new Histogram(counts, edges, minMax[0], minMax[1], th, true);
        }
    }

    /**
     * Adds a batch: {@code combineHistogram(this, data, min(data), max(data), max(|min|, |max|))}, as
     * MXNet's collector does for every batch after the first.
     *
     * @throws IllegalArgumentException if data is empty or contains NaN/Inf
     */
    public Histogram combine(FloatBuffer data) {
        try (Batch batch = Batch.of(data)) {
            float[] minMax = batch.scan();
            float newTh = Math.max(Math.abs(minMax[0]), Math.abs(minMax[1]));
            return combine(batch, minMax[0], minMax[1], newTh);
        }
    }

    /**
     * MXNet's {@code combine_histogram(old_hist, arr, new_min, new_max, new_th)}: if {@code newTh <= old.th} the batch
     * is binned on the old edges and added; otherwise the range grows by whole old-width bins on both sides
     * ({@code half = floor((newTh - th) / step) + 1}), the batch is binned over the new range, and the old counts
     * are added into the centre.
     *
     * @param old    the state so far
     * @param arr    the new batch
     * @param newMin min of {@code arr}
     * @param newMax max of {@code arr}
     * @param newTh  {@code max(|newMin|, |newMax|)}
     * @throws IllegalArgumentException if arr is empty or contains NaN/Inf, or newTh is not finite
     */
    public static Histogram combineHistogram(Histogram old, FloatBuffer arr, float newMin, float newMax, float newTh) {
        if (!Float.isFinite(newTh)) {
            throw new IllegalArgumentException("new_th must be finite, got " + newTh);
        }
        try (Batch batch = Batch.of(arr)) {
            long nonFinite = batch.countNonFinite();
            if (nonFinite > 0) {
                throw new IllegalArgumentException(nonFinite + " of " + batch.n + " values are NaN or infinite");
            }
            return old.combine(batch, newMin, newMax, newTh);
        }
    }

    private Histogram combine(Batch batch, float newMin, float newMax, float newTh) {
        float mergedMin = newMin < min ? newMin : min; // Python's min(old, new): keeps old on ties
        float mergedMax = newMax > max ? newMax : max;
        int oldBins = counts.length;
        if (newTh <= th) {
            long[] added = new long[oldBins];
            batch.histogramInto(th, new float[oldBins + 1], added);
            for (int k = 0; k < oldBins; k++) {
                added[k] += counts[k];
            }
            return new Histogram(added, edges, mergedMin, mergedMax, th, thFloat32);
        }
        if (th == 0) {
            // MXNet divides by the zero bin width here and fails; all earlier values were exactly 0, so a histogram
            // of this batch plus that mass in the bin holding 0 is the histogram MXNet would have meant.
            float[] newEdges = new float[oldBins + 1];
            long[] fresh = new long[oldBins];
            batch.histogramInto(newTh, newEdges, fresh);
            fresh[oldBins / 2] += totalCount();
            return new Histogram(fresh, newEdges, mergedMin, mergedMax, newTh, true);
        }
        double oldStep = 2 * th / oldBins;
        // new_th - old_th: float32 arithmetic while th is still numpy float32, float64 afterwards.
        double diff = thFloat32 ? (double) (newTh - (float) th) : (double) newTh - th;
        double halfD = pythonFloorDiv(diff, oldStep) + 1;
        if (!(halfD < Integer.MAX_VALUE / 4)) {
            throw new IllegalArgumentException("histogram would need " + halfD + " more bins on each side (range "
                    + th + " grows to " + newTh + ")");
        }
        int half = (int) halfD;
        int newBins = half * 2 + oldBins;
        double grownTh = half * oldStep + th;
        float[] newEdges = new float[newBins + 1];
        long[] grown = new long[newBins];
        batch.histogramInto(grownTh, newEdges, grown);
        for (int k = 0; k < oldBins; k++) {
            grown[half + k] += counts[k];
        }
        return new Histogram(grown, newEdges, mergedMin, mergedMax, grownTh, false);
    }

    /** Python/numpy float floor division {@code a // b} (divmod-based, not {@code floor(a / b)}). */
    static double pythonFloorDiv(double a, double b) {
        double mod = a % b; // C fmod
        double div = (a - mod) / b;
        if (mod != 0 && ((b < 0) != (mod < 0))) {
            div -= 1.0;
        }
        if (div == 0) {
            return Math.copySign(0.0, a / b);
        }
        double floor = Math.floor(div);
        if (div - floor > 0.5) {
            floor += 1.0;
        }
        return floor;
    }

    /** Number of bins. */
    public int numBins() {
        return counts.length;
    }

    /** A copy of the bin counts. */
    public long[] counts() {
        return counts.clone();
    }

    /** Count of bin {@code i}. */
    public long count(int i) {
        return counts[i];
    }

    /** A copy of the {@code numBins() + 1} float32 bin edges. */
    public float[] edges() {
        return edges.clone();
    }

    /** Edge {@code i} (0 .. numBins()). */
    public float edge(int i) {
        return edges[i];
    }

    /** Smallest value seen. */
    public float min() {
        return min;
    }

    /** Largest value seen. */
    public float max() {
        return max;
    }

    /** Half-range of the bins ({@code [-th, th]}); 0 while every value seen was 0. */
    public double th() {
        return th;
    }

    /** Whether MXNet would hold {@link #th()} as a float32 (true until the range first grows). */
    public boolean thIsFloat32() {
        return thFloat32;
    }

    /** Sum of all counts: the number of values binned so far. */
    public long totalCount() {
        long s = 0;
        for (long c : counts) {
            s += c;
        }
        return s;
    }

    long[] countsView() {
        return counts;
    }

    float[] edgesView() {
        return edges;
    }

    @Override
    public String toString() {
        return "Histogram[bins=" + counts.length + ", min=" + min + ", max=" + max + ", th=" + th
                + ", total=" + totalCount() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && Arrays.equals(counts, h.counts) && Arrays.equals(edges, h.edges)
                && Float.compare(min, h.min) == 0 && Float.compare(max, h.max) == 0
                && Double.compare(th, h.th) == 0 && thFloat32 == h.thFloat32;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts) * 31 + Double.hashCode(th);
    }

    /** One batch viewed as a native float pointer (a copy only when the buffer is on-heap or not native order). */
    private static final class Batch implements AutoCloseable {
        final FloatPointer pointer;
        final long n;

        private Batch(FloatPointer pointer, long n) {
            this.pointer = pointer;
            this.n = n;
        }

        static Batch of(FloatBuffer data) {
            if (data == null) {
                throw new IllegalArgumentException("data is null");
            }
            int n = data.remaining();
            if (n == 0) {
                throw new IllegalArgumentException("data is empty");
            }
            NativeCalib.load();
            FloatBuffer view;
            if (data.isDirect() && data.order() == ByteOrder.nativeOrder()) {
                // slice(): a view starting at the buffer's position, so the pointer's address is the first element
                view = data.slice();
            } else {
                view = ByteBuffer.allocateDirect(n * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
                view.put(data.duplicate()).flip();
            }
            return new Batch(new FloatPointer(view), n);
        }

        long countNonFinite() {
            return scanRaw(new float[2]);
        }

        float[] scan() {
            float[] minMax = new float[2];
            long nonFinite = scanRaw(minMax);
            if (nonFinite > 0) {
                throw new IllegalArgumentException(nonFinite + " of " + n + " values are NaN or infinite");
            }
            return minMax;
        }

        private long scanRaw(float[] minMax) {
            long r = NativeCalib.q4j_scan(pointer, n, minMax, 0);
            if (r < 0) {
                throw new IllegalStateException("q4j_scan failed with status " + r);
            }
            return r;
        }

        /** numpy.histogram(data, bins=counts.length, range=(-th, th)) added into counts; edges filled. */
        void histogramInto(double th, float[] edges, long[] counts) {
            double first = -th;
            double last = th;
            if (first == last) {
                // numpy expands an empty range by 0.5 on each side.
                first -= 0.5;
                last += 0.5;
            }
            int status = NativeCalib.q4j_linspace_edges(first, last, counts.length, edges);
            if (status != NativeCalib.Q4J_OK) {
                throw new IllegalStateException("q4j_linspace_edges failed with status " + status);
            }
            long r = NativeCalib.q4j_histogram_add(pointer, n, first, last, edges, counts.length, counts, 0);
            if (r < 0) {
                throw new IllegalStateException("q4j_histogram_add failed with status " + r);
            }
        }

        @Override
        public void close() {
            pointer.close();
        }
    }
}
