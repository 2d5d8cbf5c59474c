package org.quantize4j.calib;

import java.util.Locale;

/**
 * The entropy (KL-divergence) calibration threshold of one histogram, as MXNet 1.9.1's
 * {@code _get_optimal_threshold} + {@code _contrib_calibrate_entropy} compute it (native, parallel over the
 * candidate thresholds; float32 arithmetic identical to MXNet's C++ so results match bit for bit).
 *
 * <p>The search quantizes into 255 levels, or 511 when the tensor is non-negative ({@code min >= 0}) and the
 * quantized type is {@code uint8} or {@code auto}; the calibration range is then {@code (0, threshold)},
 * otherwise {@code (-threshold, threshold)}.
 *
 * <pre>{@code
 * KlThreshold t = KlThreshold.optimal(histogram, "auto");
 * float lo = t.calibMin(), hi = t.calibMax();
 * }</pre>
 *
 * @param threshold        the chosen threshold (an upper bin edge of the histogram)
 * @param divergence       its KL divergence ({@link Float#MAX_VALUE} if no candidate was finite, as in MXNet)
 * @param numQuantizedBins the number of quantization levels searched (255 or 511)
 * @param calibMin         lower end of the calibration range
 * @param calibMax         upper end of the calibration range
 */
public record KlThreshold(float threshold, float divergence, int numQuantizedBins, float calibMin, float calibMax) {

    /** MXNet's default number of quantized bins (int8: 2 * 127 + 1). */
    public static final int DEFAULT_NUM_QUANTIZED_BINS = 255;

    /**
     * Optimal threshold of {@code histogram} for {@code quantizedDtype} ("int8", "uint8" or "auto") with the default
     * 255 quantized bins, using all OpenMP threads.
     */
    public static KlThreshold optimal(Histogram histogram, String quantizedDtype) {
        return optimal(histogram, quantizedDtype, DEFAULT_NUM_QUANTIZED_BINS, 0);
    }

    /**
     * Optimal threshold with explicit settings.
     *
     * @param histogram        the collected histogram (odd number of bins, as MXNet asserts)
     * @param quantizedDtype   "int8", "uint8" or "auto"
     * @param numQuantizedBins quantized bins for signed data; doubled plus one for non-negative data with
     *                         uint8/auto
     * @param threads          OpenMP threads for the candidate search, 0 = {@code omp_get_max_threads()}
     * @throws IllegalArgumentException on an unknown dtype, an even bin count, or too few bins
     */
    public static KlThreshold optimal(Histogram histogram, String quantizedDtype, int numQuantizedBins, int threads) {
        String dtype = quantizedDtype == null ? "" : quantizedDtype.toLowerCase(Locale.ROOT);
        if (!dtype.equals("int8") && !dtype.equals("uint8") && !dtype.equals("auto")) {
            throw new IllegalArgumentException("quantized dtype must be int8, uint8 or auto, got " + quantizedDtype);
        }
        boolean unsigned = histogram.min() >= 0 && !dtype.equals("int8");
        int nq = unsigned ? numQuantizedBins * 2 + 1 : numQuantizedBins;
        float[] r = search(histogram.countsView(), histogram.edgesView(), nq, threads);
        float th = r[0];
        return new KlThreshold(th, r[1], nq, unsigned ? 0f : -th, th);
    }

    /**
     * MXNet's {@code calibrate_entropy(hist, hist_edges, num_quantized_bins)} on raw arrays: returns
     * {@code {threshold, divergence}}. Counts are converted to float32 first, as MXNet's {@code nd.array(hist)} does.
     *
     * @param counts           histogram counts (odd length)
     * @param edges            {@code counts.length + 1} float32 bin edges
     * @param numQuantizedBins quantization levels (>= 1, at most {@code counts.length})
     * @param threads          OpenMP threads, 0 = all
     */
    public static float[] search(long[] counts, float[] edges, int numQuantizedBins, int threads) {
        if (counts.length % 2 != 1) {
            throw new IllegalArgumentException("KL threshold search needs an odd number of bins, got " + counts.length);
        }
        if (edges.length != counts.length + 1) {
            throw new IllegalArgumentException("need " + (counts.length + 1) + " edges, got " + edges.length);
        }
        if (numQuantizedBins < 1 || numQuantizedBins / 2 > counts.length / 2) {
            throw new IllegalArgumentException("num_quantized_bins " + numQuantizedBins + " does not fit a histogram of "
                    + counts.length + " bins");
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        NativeCalib.load();
        float[] out = new float[2];
        int status = NativeCalib.q4j_kl_threshold(counts, edges, counts.length, numQuantizedBins, threads, out);
        if (status != NativeCalib.Q4J_OK) {
            throw new IllegalStateException("q4j_kl_threshold failed with status " + status);
        }
        return out;
    }

    /** KL divergence of the single candidate {@code i} (threshold {@code edges[numBins/2 + i + 1]}); for tests and diagnostics. */
    public static float divergenceAt(long[] counts, int numQuantizedBins, int i) {
        if (i < numQuantizedBins / 2 || i > counts.length / 2) {
            throw new IllegalArgumentException("candidate " + i + " outside [" + numQuantizedBins / 2 + ", "
                    + counts.length / 2 + "]");
        }
        NativeCalib.load();
        return NativeCalib.q4j_kl_divergence_at(counts, counts.length, numQuantizedBins, i);
    }
}
