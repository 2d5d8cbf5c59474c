package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.inner_product_forward;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;

/**
 * MXNet {@code FullyConnected}: {@code y = x W^T + b} with W of shape (num_hidden, K). flatten=True
 * (default) treats the input as (N, prod(rest)); flatten=False applies W to the last axis.
 *
 * <p>A 4-D NHWC input with flatten=True needs no reorder: the inner product runs on the 4-D tensor
 * with W seen as (num_hidden, C, H, W), which is exactly MXNet's NCHW flattening.
 *
 * <pre>{@code
 * // fc = FullyConnected(x, weight, bias, num_hidden=10)
 * }</pre>
 */
public final class FullyConnectedOp implements Op<FullyConnectedOp.Params> {
    public record Params(int numHidden, boolean noBias, boolean flatten) {}

    private static final Set<String> ATTRS = Set.of("num_hidden", "no_bias", "flatten");

    @Override public String name() { return "FullyConnected"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        int n = a.requiredInt("num_hidden");
        if (n <= 0) throw a.error("num_hidden", "must be positive");
        return new Params(n, a.bool("no_bias", false), a.bool("flatten", true));
    }

    @Override
    public List<String> inputNames(Params p) {
        return p.noBias ? List.of("data", "weight") : List.of("data", "weight", "bias");
    }

    @Override
    public InputRole inputRole(Params p, int i) {
        return i == 0 ? InputRole.DATA : i == 1 ? InputRole.WEIGHT : InputRole.BIAS;
    }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        if (x.length < 1) throw ctx.error("data must have at least 1 dimension");
        long k;
        long[] out;
        if (p.flatten) {
            k = x.length == 1 ? x[0] : Layouts.product(x, 1, x.length);
            out = new long[] {x.length == 1 ? 1 : x[0], p.numHidden};
        } else {
            k = x[x.length - 1];
            out = x.clone();
            out[out.length - 1] = p.numHidden;
        }
        ctx.assignIn(1, new long[] {p.numHidden, k});
        if (!p.noBias) ctx.assignIn(2, new long[] {p.numHidden});
        ctx.setOut(0, out);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        build(p, ctx, ctx.newAttr());
    }

    /** Builds the inner product with {@code attr} (post-ops / scales from fusion or quantization). */
    public inner_product_forward.primitive_desc build(Params p, KernelContext ctx, primitive_attr attr) {
        long[] x = ctx.inputShape(0);
        long[] y = ctx.outputShape(0);
        long o = p.numHidden;
        memory src;
        memory.desc srcMd;
        long[] wDims;
        memory.desc wPlain;
        memory dstValue = ctx.output(0, Layouts.plain(y));
        memory dst;
        memory.desc dstMd;
        if (p.flatten && x.length == 4) {
            // Inner product over (C, H, W) in the activation layout; W viewed as (O, C, H, W).
            srcMd = Layouts.likeInput(ctx.inputDesc(0), x);
            src = ctx.input(0, srcMd);
            wDims = new long[] {o, x[1], x[2], x[3]};
            dstMd = Layouts.plain(y);
            dst = dstValue;
        } else {
            long rows = p.flatten ? (x.length == 1 ? 1 : x[0]) : Layouts.product(x, 0, x.length - 1);
            long k = p.flatten ? (x.length == 1 ? x[0] : Layouts.product(x, 1, x.length)) : x[x.length - 1];
            srcMd = Layouts.plain(new long[] {rows, k});
            memory plainIn = ctx.input(0, Layouts.plain(x));
            src = x.length == 2 ? plainIn : ctx.view(plainIn, srcMd);
            wDims = new long[] {o, k};
            dstMd = Layouts.plain(new long[] {rows, o});
            dst = y.length == 2 ? dstValue : ctx.view(dstValue, dstMd);
        }
        wPlain = Layouts.plain(wDims);
        memory.desc bMd = p.noBias ? new memory.desc() : Layouts.plain(new long[] {o});
        inner_product_forward.primitive_desc pd = ctx.own(new inner_product_forward.primitive_desc(ctx.engine(),
                prop_kind.forward_inference, srcMd, Layouts.any(wDims), bMd, dstMd, attr, false));
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, src);
        args.put(DNNL_ARG_WEIGHTS, ctx.input(1, wPlain, pd.weights_desc()));
        if (!p.noBias) args.put(DNNL_ARG_BIAS, ctx.input(2, pd.bias_desc()));
        args.put(DNNL_ARG_DST, dst);
        ctx.addPrimitive(new inner_product_forward(pd), pd, args);
        return pd;
    }

    @Override
    public Quantizability quantizability(Params p) { return Quantizability.MUST; }

    @Override
    public String quantizedOpName(Params p) { return "_contrib_quantized_fully_connected"; }

    /** int32 output. */
    @Override
    public boolean needsRequantize(Params p) { return true; }
}
