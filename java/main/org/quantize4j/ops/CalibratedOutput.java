package org.quantize4j.ops;

import java.util.Set;
import org.quantize4j.ndarray.DType;

/**
 * The attributes shared by the ops that produce an int8/uint8 tensor from a float or int32 one
 * ({@code _contrib_quantize_v2}, {@code _contrib_requantize}): {@code out_type} and the optional calibrated
 * range {@code min_calib_range} / {@code max_calib_range}.
 *
 * <pre>{@code
 * CalibratedOutput o = CalibratedOutput.parse(new AttrReader(node, node.op()));
 * DType t = o.type();   // UINT8 for out_type=auto with min_calib_range >= 0
 * }</pre>
 *
 * @param minCalib null when the node carries no calibrated range (computed at run time)
 */
public record CalibratedOutput(String outType, Float minCalib, Float maxCalib) {
    /** The attribute names these ops accept. */
    public static final Set<String> ATTRS = Set.of("out_type", "min_calib_range", "max_calib_range");

    /** Parses (and checks) the attributes, with MXNet's default out_type int8. */
    public static CalibratedOutput parse(AttrReader a) {
        String t = a.choice("out_type", "int8", "auto", "int8", "uint8");
        Float lo = QuantKernels.optionalFloat(a, "min_calib_range");
        Float hi = QuantKernels.optionalFloat(a, "max_calib_range");
        QuantKernels.checkCalib(a, lo, hi);
        return new CalibratedOutput(t, lo, hi);
    }

    public boolean calibrated() { return minCalib != null; }

    /** The concrete output type. */
    public DType type() { return Int8.outType(outType, minCalib); }
}
