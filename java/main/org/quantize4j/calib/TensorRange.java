package org.quantize4j.calib;

/**
 * A calibrated range {@code [min, max]} of one FP32 tensor.
 *
 * <pre>{@code
 * TensorRange r = new TensorRange(-0.81f, 2.02f);
 * float absMax = r.absMax();   // 2.02
 * }</pre>
 */
public record TensorRange(float min, float max) {
    public TensorRange {
        if (Float.isNaN(min) || Float.isNaN(max)) throw new IllegalArgumentException("range has NaN: [" + min + ", " + max + "]");
        if (min > max) throw new IllegalArgumentException("range min " + min + " > max " + max);
    }

    /** {@code max(|min|, |max|)}: what a symmetric quantization scales by. */
    public float absMax() { return Math.max(Math.abs(min), Math.abs(max)); }

    /** The smallest range holding both. */
    public TensorRange union(TensorRange o) {
        return new TensorRange(Math.min(min, o.min), Math.max(max, o.max));
    }

    @Override
    public String toString() {
        return "[" + min + ", " + max + "]";
    }
}
