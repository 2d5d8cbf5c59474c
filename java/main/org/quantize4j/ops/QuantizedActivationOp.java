package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_quantized_act}: relu on an int8/uint8 triple; inputs {@code data, min_data,
 * max_data}. The output is int8 (MXNet's type rule) with the input's range: relu of int8 is an int8 eltwise
 * (negative steps become 0); a uint8 input is already non-negative and is only converted to int8 (one
 * scaling reorder).
 *
 * <pre>{@code
 * // quantized_relu0 = _contrib_quantized_act(bn_q, bn_q[1], bn_q[2], act_type="relu")
 * }</pre>
 */
public final class QuantizedActivationOp implements Op<ActivationOp.Params> {
    private static final ActivationOp FP32 = new ActivationOp();

    @Override public String name() { return "_contrib_quantized_act"; }

    @Override public Set<String> attributeNames() { return FP32.attributeNames(); }

    @Override
    public ActivationOp.Params parse(AttrReader a) {
        ActivationOp.Params p = FP32.parse(a);
        if (!p.actType().equals("relu")) throw a.unsupported("act_type", "quantized activation is relu only");
        return p;
    }

    @Override public List<String> inputNames(ActivationOp.Params p) { return List.of("data", "min_data", "max_data"); }

    @Override
    public InputRole inputRole(ActivationOp.Params p, int i) { return i == 0 ? InputRole.DATA : InputRole.RANGE; }

    @Override public int numOutputs(ActivationOp.Params p) { return 3; }

    @Override public int numVisibleOutputs(ActivationOp.Params p) { return 3; }

    @Override
    public void inferShape(ActivationOp.Params p, ShapeContext ctx) {
        QuantKernels.rangeShapes(ctx, 1);
        ctx.setOut(0, ctx.requireIn(0));
        ctx.setOut(1, new long[] {1});
        ctx.setOut(2, new long[] {1});
    }

    @Override
    public void inferType(ActivationOp.Params p, TypeContext ctx) {
        ctx.requireOneOf(0, DType.INT8, DType.UINT8);
        QuantKernels.rangeTypes(ctx, 1);
        ctx.setOut(0, DType.INT8);   // MXNet: int8 whatever the input
    }

    @Override
    public void build(ActivationOp.Params p, KernelContext ctx) {
        if (ctx.inputType(0) == DType.UINT8) {
            // Non-negative already: only the type changes (255 -> 127 levels over the same range).
            RangeCalc r = new RangeCalc(ctx);
            int lo = r.input(1);
            int hi = r.input(2);
            memory srcScale = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), 255f), lo, hi);
            memory dstScale = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), 127f), lo, hi);
            r.finish();
            memory.desc srcMd = ctx.inputDesc(0);
            memory.desc dstMd = Layouts.likeInput(srcMd, ctx.inputShape(0), memory.data_type.s8);
            QuantKernels.scaledReorder(ctx, srcMd, ctx.input(0), dstMd, ctx.output(0, dstMd), srcScale, dstScale);
        } else {
            Eltwise.build(ctx, algorithm.eltwise_relu, 0f, 0f);
        }
        ctx.outputSameAs(1, 1);
        ctx.outputSameAs(2, 2);
    }
}
