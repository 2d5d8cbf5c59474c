package org.quantize4j.passes;

/**
 * Names of the MXNet ops the quantize pass inserts.
 *
 * <pre>{@code
 * if (node.op().equals(QuantizeOps.REQUANTIZE)) { ... }
 * }</pre>
 */
public final class QuantizeOps {
    /** FP32 -> int8/uint8 with a range (calibrated or computed per batch); outputs (data, min, max). */
    public static final String QUANTIZE_V2 = "_contrib_quantize_v2";
    /** int32 -> int8/uint8; outputs (data, min, max). */
    public static final String REQUANTIZE = "_contrib_requantize";
    /** int8/uint8/int32 + (min, max) -> FP32. */
    public static final String DEQUANTIZE = "_contrib_dequantize";
    /** Attribute names of calibrated ranges. */
    public static final String MIN_CALIB_RANGE = "min_calib_range";
    public static final String MAX_CALIB_RANGE = "max_calib_range";
    /** Attribute of oneDNN subgraph nodes ({@code _sg_mkldnn_conv}) marking the INT8 variant. */
    public static final String QUANTIZED = "quantized";
    /** Attribute naming the output type of quantize_v2 / requantize. */
    public static final String OUT_TYPE = "out_type";

    private QuantizeOps() {
    }
}
