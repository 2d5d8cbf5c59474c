package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;

/**
 * MXNet {@code Convolution} (2-D, NCHW layout): groups (incl. depthwise), stride, pad, dilate, optional
 * bias. Runs as oneDNN {@code convolution_forward} on NHWC activations with weights reordered once
 * into the primitive's preferred layout.
 *
 * <pre>{@code
 * // conv0 = Convolution(data, weight, kernel=(3,3), num_filter=16, pad=(1,1), no_bias=True)
 * BoundOp<?> b = OpRegistry.standard().bind(conv0);
 * }</pre>
 */
public final class ConvolutionOp implements Op<ConvolutionOp.Params> {
    /**
     * Parsed attributes. {@code dilate} uses MXNet's convention (1 = dense).
     */
    public record Params(int[] kernel, int[] stride, int[] dilate, int[] pad, int numFilter, int numGroup, boolean noBias) {
        /** Output spatial size along axis {@code d} (0 = H, 1 = W) for input size {@code in}. */
        public long outSize(int d, long in) {
            long effective = (long) dilate[d] * (kernel[d] - 1) + 1;
            return (in + 2L * pad[d] - effective) / stride[d] + 1;
        }
    }

    private static final Set<String> ATTRS = Set.of("kernel", "stride", "dilate", "pad", "num_filter", "num_group",
            "workspace", "no_bias", "cudnn_tune", "cudnn_off", "layout");

    @Override public String name() { return "Convolution"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        int[] kernel = a.requiredIntTuple("kernel");
        if (kernel.length != 2) throw a.unsupported("kernel", "only 2-D convolution is supported");
        int[] stride = a.intTuple("stride", new int[] {1, 1});
        int[] dilate = a.intTuple("dilate", new int[] {1, 1});
        int[] pad = a.intTuple("pad", new int[] {0, 0});
        checkLen(a, "stride", stride);
        checkLen(a, "dilate", dilate);
        checkLen(a, "pad", pad);
        for (int i = 0; i < 2; i++) {
            if (kernel[i] <= 0) throw a.error("kernel", "must be positive");
            if (stride[i] <= 0) throw a.error("stride", "must be positive");
            if (dilate[i] <= 0) throw a.error("dilate", "must be positive");
            if (pad[i] < 0) throw a.error("pad", "must not be negative");
        }
        int numFilter = a.requiredInt("num_filter");
        if (numFilter <= 0) throw a.error("num_filter", "must be positive");
        int numGroup = a.integer("num_group", 1);
        if (numGroup <= 0) throw a.error("num_group", "must be positive");
        if (numFilter % numGroup != 0) throw a.error("num_group", "num_filter " + numFilter + " is not a multiple of num_group " + numGroup);
        boolean noBias = a.bool("no_bias", false);
        a.integer("workspace", 1024);
        a.bool("cudnn_off", false);
        a.choice("cudnn_tune", "None", "None", "fastest", "limited_workspace", "off");
        String layout = a.choice("layout", "None", "None", "NCHW", "NHWC", "NCW", "NWC", "NCDHW", "NDHWC");
        if (!layout.equals("None") && !layout.equals("NCHW")) throw a.unsupported("layout", "only NCHW is supported");
        return new Params(kernel, stride, dilate, pad, numFilter, numGroup, noBias);
    }

    static void checkLen(AttrReader a, String key, int[] v) {
        if (v.length != 2) throw a.error(key, "needs 2 values for a 2-D op, got " + v.length);
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
        if (x.length != 4) throw ctx.error("data must be 4-D (N, C, H, W) for a 2-D convolution, got " + ShapeContext.fmt(x));
        if (x[1] % p.numGroup != 0) {
            throw ctx.error("input channels " + x[1] + " are not a multiple of num_group " + p.numGroup);
        }
        ctx.assignIn(1, new long[] {p.numFilter, x[1] / p.numGroup, p.kernel[0], p.kernel[1]});
        if (!p.noBias) ctx.assignIn(2, new long[] {p.numFilter});
        ctx.setOut(0, new long[] {x[0], p.numFilter, p.outSize(0, x[2]), p.outSize(1, x[3])});
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        build(p, ctx, ctx.newAttr());
    }

    /**
     * Builds the convolution with {@code attr} (post-ops, scales, scratchpad mode already set by the
     * caller; from {@link KernelContext#newAttr()}). Fused conv+BN/ReLU/sum nodes call this too.
     */
    public convolution_forward.primitive_desc build(Params p, KernelContext ctx, primitive_attr attr) {
        long[] x = ctx.inputShape(0);
        long[] y = ctx.outputShape(0);
        memory.desc srcMd = Layouts.activation(x);
        memory.desc dstMd = Layouts.activation(y);
        long[] wDims = weightDims(p, x[1]);
        memory.desc wAny = Layouts.any(wDims);
        memory.desc bMd = p.noBias ? new memory.desc() : Layouts.plain(new long[] {p.numFilter});
        convolution_forward.primitive_desc pd = ctx.own(new convolution_forward.primitive_desc(ctx.engine(),
                prop_kind.forward_inference, algorithm.convolution_direct, srcMd, wAny, bMd, dstMd,
                new long[] {p.stride[0], p.stride[1]}, new long[] {p.dilate[0] - 1, p.dilate[1] - 1},
                new long[] {p.pad[0], p.pad[1]}, new long[] {p.pad[0], p.pad[1]}, attr, false));
        memory src = ctx.input(0, srcMd);
        memory w = ctx.input(1, Layouts.plain(wDims), pd.weights_desc());
        memory dst = ctx.output(0, pd.dst_desc());
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, src);
        args.put(DNNL_ARG_WEIGHTS, w);
        if (!p.noBias) args.put(DNNL_ARG_BIAS, ctx.input(2, pd.bias_desc()));
        args.put(DNNL_ARG_DST, dst);
        ctx.addPrimitive(new convolution_forward(pd), pd, args);
        return pd;
    }

    /** oneDNN weight dims: (O, I, kh, kw), or (G, O/G, I/G, kh, kw) for grouped convolution. */
    public static long[] weightDims(Params p, long inChannels) {
        if (p.numGroup == 1) return new long[] {p.numFilter, inChannels, p.kernel[0], p.kernel[1]};
        return new long[] {p.numGroup, p.numFilter / p.numGroup, inChannels / p.numGroup, p.kernel[0], p.kernel[1]};
    }

    @Override
    public Quantizability quantizability(Params p) { return Quantizability.MUST; }

    @Override
    public String quantizedOpName(Params p) { return "_contrib_quantized_conv"; }

    /** int32 output. */
    @Override
    public boolean needsRequantize(Params p) { return true; }
}
