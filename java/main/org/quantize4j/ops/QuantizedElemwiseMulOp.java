package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.global.dnnl.algorithm;

/**
 * MXNet {@code _contrib_quantized_elemwise_mul}: {@code lhs * rhs} of two int8/uint8 triples; inputs
 * {@code lhs, rhs, lhs_min, lhs_max, rhs_min, rhs_max}; attributes {@code min_calib_range},
 * {@code max_calib_range} (int8 output in that range) and {@code enable_float_output} (float32 output).
 * Default output: an int32 triple with range {@code +-amax_lhs * amax_rhs}. Both inputs are dequantized to float32
 * scratch by scaling reorders, then multiplied by a float32 oneDNN binary (see {@link QuantizedElemwiseAddOp}).
 *
 * <pre>{@code
 * // quantized_mul = _contrib_quantized_elemwise_mul(a_q, b_q, a_q[1], a_q[2], b_q[1], b_q[2])
 * }</pre>
 */
public final class QuantizedElemwiseMulOp implements Op<QuantizedElemwiseAddOp.Params> {
    private static final Set<String> ATTRS = Set.of("min_calib_range", "max_calib_range", "enable_float_output");

    @Override public String name() { return "_contrib_quantized_elemwise_mul"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public QuantizedElemwiseAddOp.Params parse(AttrReader a) {
        Float lo = QuantKernels.optionalFloat(a, "min_calib_range");
        Float hi = QuantKernels.optionalFloat(a, "max_calib_range");
        QuantKernels.checkCalib(a, lo, hi);
        return new QuantizedElemwiseAddOp.Params(lo, hi, a.bool("enable_float_output", false));
    }

    @Override
    public List<String> inputNames(QuantizedElemwiseAddOp.Params p) {
        return List.of("lhs", "rhs", "lhs_min", "lhs_max", "rhs_min", "rhs_max");
    }

    @Override
    public InputRole inputRole(QuantizedElemwiseAddOp.Params p, int i) { return i < 2 ? InputRole.DATA : InputRole.RANGE; }

    @Override public int numOutputs(QuantizedElemwiseAddOp.Params p) { return 3; }

    @Override public int numVisibleOutputs(QuantizedElemwiseAddOp.Params p) { return 3; }

    @Override
    public void inferShape(QuantizedElemwiseAddOp.Params p, ShapeContext ctx) {
        QuantizedElemwiseAddOp.inferBinaryShape(ctx);
    }

    @Override
    public void inferType(QuantizedElemwiseAddOp.Params p, TypeContext ctx) {
        QuantizedElemwiseAddOp.inferBinaryType(p, ctx);
        // MXNet: a calibrated product is int8 whatever the input types.
        if (p.calibrated() && !p.floatOutput()) ctx.setOut(0, org.quantize4j.ndarray.DType.INT8);
    }

    @Override
    public void build(QuantizedElemwiseAddOp.Params p, KernelContext ctx) {
        QuantizedElemwiseAddOp.buildBinary(p, ctx, algorithm.binary_mul);
    }
}
