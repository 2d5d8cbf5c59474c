package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_SCALES;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;

/**
 * One oneDNN int8 inner product over input 0 of a node (u8/s8 source, s8 weights, float32 real bias), shared by
 * {@code _contrib_quantized_fully_connected} and the quantized {@code _sg_mkldnn_fully_connected}. A 4-D NHWC input
 * with flatten needs no reorder (weights seen as (O, C, H, W), MXNet's NCHW flattening), as in {@link FullyConnectedOp}.
 *
 * <pre>{@code
 * Int8InnerProduct.build(ctx, fc, srcScale, weightScale, perRowWeights,
 *         (dims, wanted) -> ctx.input(1, Layouts.plain(dims, memory.data_type.s8), wanted),
 *         bias, memory.data_type.u8, dstScale, postOps);
 * }</pre>
 */
final class Int8InnerProduct {
    private Int8InnerProduct() {
    }

    /** Supplies the s8 weights (plain dims {@code dims}) in the layout the primitive wants. */
    interface WeightSource {
        memory in(long[] dims, memory.desc wanted);
    }

    /**
     * Adds the inner product writing output 0 in {@code dstType}.
     *
     * @param wScale       weight scales: one value, or one per output row ({@code perRow})
     * @param bias         real bias values, or null
     * @param dstScale     the output unit (one float) for an int8/uint8 output, or null (float32 real output)
     * @param postOps      eltwise post-ops (activation), or null
     */
    static void build(KernelContext ctx, FullyConnectedOp.Params p, memory srcScale, memory wScale, boolean perRow,
                      WeightSource weights, float[] bias, memory.data_type dstType, memory dstScale, post_ops postOps) {
        long[] x = ctx.inputShape(0);
        long[] y = ctx.outputShape(0);
        memory.data_type st = Int8.physicalType(ctx.inputType(0));
        long o = p.numHidden();
        memory src;
        memory.desc srcMd;
        long[] wDims;
        memory dstValue = ctx.output(0, Layouts.plain(y, dstType));
        memory dst;
        memory.desc dstMd;
        if (p.flatten() && x.length == 4) {
            srcMd = Layouts.likeInput(ctx.inputDesc(0), x, st);
            src = ctx.input(0, srcMd);
            wDims = new long[] {o, x[1], x[2], x[3]};
            dstMd = Layouts.plain(y, dstType);
            dst = dstValue;
        } else {
            long rows = p.flatten() ? (x.length == 1 ? 1 : x[0]) : Layouts.product(x, 0, x.length - 1);
            long k = p.flatten() ? (x.length == 1 ? x[0] : Layouts.product(x, 1, x.length)) : x[x.length - 1];
            srcMd = Layouts.plain(new long[] {rows, k}, st);
            memory plainIn = ctx.input(0, Layouts.plain(x, st));
            src = x.length == 2 ? plainIn : ctx.view(plainIn, srcMd);
            wDims = new long[] {o, k};
            dstMd = Layouts.plain(new long[] {rows, o}, dstType);
            dst = y.length == 2 ? dstValue : ctx.view(dstValue, dstMd);
        }
        memory.desc bMd = bias == null ? new memory.desc() : Layouts.plain(new long[] {o});
        primitive_attr attr = ctx.newAttr();
        if (postOps != null) attr.set_post_ops(postOps);
        attr.set_scales_mask(DNNL_ARG_SRC, 0);
        attr.set_scales_mask(DNNL_ARG_WEIGHTS, perRow ? 1 : 0);
        if (dstScale != null) attr.set_scales_mask(DNNL_ARG_DST, 0);
        inner_product_forward.primitive_desc pd = ctx.own(new inner_product_forward.primitive_desc(ctx.engine(),
                prop_kind.forward_inference, srcMd, Layouts.any(wDims, memory.data_type.s8), bMd, dstMd, attr, false));
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, src);
        args.put(DNNL_ARG_WEIGHTS, weights.in(wDims, pd.weights_desc()));
        if (bias != null) args.put(DNNL_ARG_BIAS, ctx.constant(bMd, bias));
        args.put(DNNL_ARG_DST, dst);
        args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, srcScale);
        args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS, wScale);
        if (dstScale != null) args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_DST, dstScale);
        ctx.addPrimitive(new inner_product_forward(pd), pd, args);
    }
}
