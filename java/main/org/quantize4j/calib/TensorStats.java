package org.quantize4j.calib;

import java.nio.FloatBuffer;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;

/**
 * Min, max and count of non-finite values of a float32 tensor, read straight from its direct buffer
 * (no copy to a Java array).
 *
 * <pre>{@code
 * TensorStats s = TensorStats.of(array);
 * if (s.nonFinite() > 0) throw ...;
 * }</pre>
 *
 * @param min       smallest finite value (+Inf if none)
 * @param max       largest finite value (-Inf if none)
 * @param nonFinite number of NaN / +-Inf elements
 * @param count     number of elements
 */
public record TensorStats(float min, float max, long nonFinite, long count) {
    /** Scans {@code a} (float32). */
    public static TensorStats of(NDArray a) {
        if (a.dtype() != DType.FLOAT32) throw new IllegalArgumentException("calibration needs float32 tensors, got " + a);
        FloatBuffer b = a.floatView();
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        long bad = 0;
        int n = b.remaining();
        for (int i = 0; i < n; i++) {
            float v = b.get(i);
            if (v - v != 0f) {   // NaN or +-Inf (both give NaN)
                bad++;
                continue;
            }
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return new TensorStats(min, max, bad, n);
    }

    /** Fails, naming the tensor, if any element is NaN or infinite. */
    public TensorStats requireFinite(String tensor, String where) {
        if (nonFinite > 0) {
            throw new IllegalArgumentException("tensor '" + tensor + "' has " + nonFinite + " NaN/Inf values of "
                    + count + " " + where + "; calibration needs finite values (check the calibration data "
                    + "and its normalization)");
        }
        return this;
    }
}
