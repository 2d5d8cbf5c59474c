package org.quantize4j.ops;

import org.bytedeco.dnnl.memory;
import org.quantize4j.ndarray.DType;

/**
 * The runtime's convention for quantized tensors (MXNet's "triple": data, min, max).
 *
 * <p>A triple {@code (q, min, max)} means {@code real = q * amax / levels}, {@code amax = max(|min|, |max|)},
 * levels 127 for int8, 255 for uint8 and 2147483647 for int32 (symmetric, zero point 0). Every producer and
 * consumer of this runtime uses it, for graphs MXNet wrote as for ours.
 *
 * <p>Physical representation: int8 and uint8 tensors are s8 / u8 memories; an int32 tensor (the output of
 * a quantized conv / FC / elemwise_add / elemwise_mul) is held as float32 memory of the REAL values it
 * stands for. That is exact with respect to the int32 semantics (oneDNN accumulates in s32 and scales once),
 * cannot overflow, makes dequantizing it a no-op and requantizing it one quantizing reorder. Its min/max
 * outputs are still reported as MXNet would ({@code +-unit * 2147483647}) for consumers that read them.
 *
 * <p>Ranges and scales: a min/max known at build time (calibrated attributes, parameters, or computed from
 * such) is a constant and its scale memory is filled once; otherwise one small Java step per node reads the
 * run-time min/max memories and writes the scale memories before the primitive runs ({@code RangeCalc}). oneDNN
 * takes the scales as run-time arguments ({@code DNNL_ARG_ATTR_SCALES}); its src/weights scales dequantize
 * ({@code real = q * unit}), its dst scale quantizes ({@code q = real / unit}).
 *
 * <p>Peephole rules (each keeps or improves on the graph's numbers): a quantized conv / FC whose only reader is
 * a calibrated requantize writes that requantize's int8/uint8 result itself (one primitive); a requantize read
 * only by dequantize / quantized_batch_norm nodes passes the exact float32 values on (a float32 tensor where a
 * quantized one is expected holds real values; MXNet's oneDNN backend likewise gives a conv float output
 * instead of requantizing and dequantizing, and folds BatchNorm into the conv); a quantized_batch_norm with a
 * measured range read only by relu quantizes over {@code [0, max]}.
 *
 * <pre>{@code
 * float unit = Int8.unit(-2.1f, 2.6f, DType.INT8);     // 2.6 / 127: the real value of one step
 * memory.data_type t = Int8.physicalType(DType.UINT8); // u8
 * }</pre>
 */
public final class Int8 {
    /** int32's level count as MXNet uses it for ranges. */
    public static final float INT32_LEVELS = 2147483647f;

    private Int8() {
    }

    /** The oneDNN data type holding a tensor of logical type {@code t}: s8, u8, or f32 (float32 and int32). */
    public static memory.data_type physicalType(DType t) {
        return switch (t) {
            case INT8 -> memory.data_type.s8;
            case UINT8 -> memory.data_type.u8;
            default -> memory.data_type.f32;
        };
    }

    /** Quantization levels of a type: 127 (int8), 255 (uint8), 2147483647 (int32). */
    public static float levels(DType t) {
        return switch (t) {
            case INT8 -> 127f;
            case UINT8 -> 255f;
            case INT32 -> INT32_LEVELS;
            default -> throw new IllegalArgumentException("not a quantized type: " + t);
        };
    }

    /** {@code max(|min|, |max|)}. */
    public static float amax(float min, float max) {
        return Math.max(Math.abs(min), Math.abs(max));
    }

    /**
     * Real value of one quantization step for range (min, max) of type {@code t}. A zero (or non-finite)
     * range gives 1, so scales stay finite (such a tensor is all zeros, which any scale represents).
     */
    public static float unit(float min, float max, DType t) {
        return unitOfAmax(amax(min, max), levels(t));
    }

    /** {@code amax / levels}, or 1 when amax is 0 or not finite. */
    public static float unitOfAmax(float amax, float levels) {
        float u = amax / levels;
        return u > 0f && Float.isFinite(u) ? u : 1f;
    }

    /** True for the quantized element types INT8 and UINT8. */
    public static boolean isInt8(DType t) {
        return t == DType.INT8 || t == DType.UINT8;
    }

    /**
     * Output type of a quantized fused node ({@code _sg_mkldnn_conv} / {@code _sg_mkldnn_fully_connected}): float32
     * with {@code enable_float_output}; when calibrated, {@code out_type} (ours) or else MXNet's rule, uint8 iff the
     * last post-op {@code last} cannot be negative; uncalibrated, int32.
     */
    static DType fusedOutputType(boolean floatOutput, Float minCalib, Float maxCalib, String outType, EltwisePostOp last) {
        if (floatOutput) return DType.FLOAT32;
        if (minCalib == null || maxCalib == null) return DType.INT32;
        if (outType != null) return outType(outType, minCalib);
        return last != null && last.nonNegative() && minCalib >= 0f ? DType.UINT8 : DType.INT8;
    }

    /** Parses an {@code out_type} attribute value (int8, uint8, auto, float32) to a type; auto resolves by {@code min}. */
    static DType outType(String outType, Float calibMin) {
        return switch (outType) {
            case "int8" -> DType.INT8;
            case "uint8" -> DType.UINT8;
            case "auto" -> calibMin != null && calibMin >= 0 ? DType.UINT8 : DType.INT8;
            default -> DType.FLOAT32;
        };
    }
}
