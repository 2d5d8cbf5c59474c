package org.quantize4j.calib;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of Quantize4J's own native calibration library ({@code native/}, built by CMake from the
 * Maven build into {@code libquantize4j_calib.so}). Thin and unchecked: use {@link Histogram} and
 * {@link KlThreshold}, which validate arguments and translate status codes.
 *
 * <p>Data arguments are off-heap {@link FloatPointer}s (typically wrapping an executor's direct output
 * buffer), so no tensor is copied into a Java array.
 *
 * <pre>{@code
 * float[] minMax = new float[2];
 * long nonFinite = NativeCalib.q4j_scan(new FloatPointer(directFloatBuffer), n, minMax, 0);
 * }</pre>
 */
@Platform(include = "quantize4j_calib.h", link = "quantize4j_calib")
public final class NativeCalib {
    static {
        // Load oneDNN's presets first: they bring libgomp.so.1, which our library then shares (one OpenMP runtime).
        Loader.load(org.bytedeco.dnnl.global.dnnl.class);
        Loader.load();
    }

    /** Success status. */
    public static final int Q4J_OK = 0;
    /** Invalid argument (null pointer, negative length, bin count out of range). */
    public static final int Q4J_ERR_ARGUMENT = -1;
    /** KL search: fewer than num_quantized_bins histogram bins. */
    public static final int Q4J_ERR_TOO_FEW_BINS = -2;

    private NativeCalib() {
    }

    /** Ensures the native libraries are loaded (class initialisation does the work). */
    static void load() {
        // nothing: the static initializer has run when this returns
    }

    /** Min and max into {@code outMinMax[0..1]} (NaN if any NaN); returns the count of NaN/Inf values, or a negative status. */
    public static native @Cast("int64_t") long q4j_scan(@Const FloatPointer data, @Cast("int64_t") long n,
            float[] outMinMax, int numThreads);

    /** numpy.linspace(first, last, numBins + 1) evaluated in float64 and rounded to float32 into {@code edges}. */
    public static native int q4j_linspace_edges(double first, double last, @Cast("int64_t") long numBins, float[] edges);

    /** Adds numpy.histogram counts of {@code data} over [first, last] into {@code counts}; returns dropped count or a negative status. */
    public static native @Cast("int64_t") long q4j_histogram_add(@Const FloatPointer data, @Cast("int64_t") long n,
            double first, double last, @Const float[] edges, @Cast("int64_t") long numBins,
            @Cast("int64_t*") long[] counts, int numThreads);

    /** MXNet's calibrate_entropy: {@code out[0]} threshold, {@code out[1]} divergence; returns a status. */
    public static native int q4j_kl_threshold(@Cast("const int64_t*") long[] counts, @Const float[] edges,
            @Cast("int64_t") long numBins, int numQuantizedBins, int numThreads, float[] out);

    /** Divergence of a single candidate {@code i} (NaN if {@code i} is out of range). */
    public static native float q4j_kl_divergence_at(@Cast("const int64_t*") long[] counts, @Cast("int64_t") long numBins,
            int numQuantizedBins, @Cast("int64_t") long i);
}
