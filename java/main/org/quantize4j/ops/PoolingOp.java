package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;

/**
 * MXNet {@code Pooling} (2-D, NCHW): max, avg and sum; global_pool; pooling_convention valid (floor)
 * and full (ceil); count_include_pad (MXNet default true).
 *
 * <p>Matching MXNet exactly: for the full convention the output size uses ceil and oneDNN's right
 * padding is extended so the last window fits. MXNet's average with count_include_pad divides by the
 * window clipped to the input plus the declared padding, not counting the extension; oneDNN's
 * include-padding average divides by the whole kernel. Where the two differ (only in last-row/column
 * windows of the full convention) a per-position factor is applied as a binary-multiply post-op, so
 * the result is MXNet's. Sum pooling is include-padding average times the kernel area.
 *
 * <pre>{@code
 * // pool = Pooling(x, kernel=(3,3), stride=(2,2), pool_type="max", pooling_convention="full")
 * }</pre>
 */
public final class PoolingOp implements Op<PoolingOp.Params> {
    public record Params(int[] kernel, String poolType, boolean globalPool, boolean full, int[] stride, int[] pad,
                         boolean countIncludePad) {
        long outSize(int d, long in) {
            long span = in + 2L * pad[d] - kernel[d];
            if (full) return 1 + Math.floorDiv(span + stride[d] - 1, stride[d]);
            return 1 + Math.floorDiv(span, stride[d]);
        }
    }

    private static final Set<String> ATTRS = Set.of("kernel", "pool_type", "global_pool", "cudnn_off",
            "pooling_convention", "stride", "pad", "p_value", "count_include_pad", "layout");

    @Override public String name() { return "Pooling"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        boolean global = a.bool("global_pool", false);
        int[] kernel = a.intTuple("kernel", null);
        if (kernel == null && !global) throw a.error("kernel", "is required unless global_pool=True");
        if (kernel != null && kernel.length != 2) throw a.unsupported("kernel", "only 2-D pooling is supported");
        if (kernel == null) kernel = new int[] {1, 1};
        String type = a.choice("pool_type", "max", "avg", "lp", "max", "sum");
        if (type.equals("lp")) throw a.unsupported("pool_type", "lp pooling is not implemented");
        String conv = a.choice("pooling_convention", "valid", "full", "same", "valid");
        if (conv.equals("same")) throw a.unsupported("pooling_convention", "only valid and full are implemented");
        int[] stride = a.intTuple("stride", new int[] {1, 1});
        int[] pad = a.intTuple("pad", new int[] {0, 0});
        ConvolutionOp.checkLen(a, "stride", stride);
        ConvolutionOp.checkLen(a, "pad", pad);
        for (int i = 0; i < 2; i++) {
            if (kernel[i] <= 0) throw a.error("kernel", "must be positive");
            if (stride[i] <= 0) throw a.error("stride", "must be positive");
            if (pad[i] < 0) throw a.error("pad", "must not be negative");
        }
        a.bool("cudnn_off", false);
        a.integer("p_value", 0);
        boolean include = a.bool("count_include_pad", true);
        String layout = a.choice("layout", "None", "None", "NCW", "NCHW", "NCDHW", "NWC", "NHWC", "NDHWC");
        if (!layout.equals("None") && !layout.equals("NCHW")) throw a.unsupported("layout", "only NCHW is supported");
        return new Params(kernel, type, global, conv.equals("full"), stride, pad, include);
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        if (x.length != 4) throw ctx.error("data must be 4-D (N, C, H, W) for 2-D pooling, got " + ShapeContext.fmt(x));
        if (p.globalPool) {
            ctx.setOut(0, new long[] {x[0], x[1], 1, 1});
            return;
        }
        for (int d = 0; d < 2; d++) {
            if (p.kernel[d] > x[2 + d] + 2L * p.pad[d]) {
                throw ctx.error("kernel " + p.kernel[d] + " exceeds input size " + x[2 + d] + " plus padding along axis " + (2 + d)
                        + " of data shape " + ShapeContext.fmt(x));
            }
        }
        ctx.setOut(0, new long[] {x[0], x[1], p.outSize(0, x[2]), p.outSize(1, x[3])});
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        long[] y = ctx.outputShape(0);
        long[] kernel;
        long[] stride;
        long[] padL;
        if (p.globalPool) {
            kernel = new long[] {x[2], x[3]};
            stride = new long[] {1, 1};
            padL = new long[] {0, 0};
        } else {
            kernel = new long[] {p.kernel[0], p.kernel[1]};
            stride = new long[] {p.stride[0], p.stride[1]};
            padL = new long[] {p.pad[0], p.pad[1]};
        }
        long[] padR = new long[2];
        for (int d = 0; d < 2; d++) {
            padR[d] = Math.max(padL[d], (y[2 + d] - 1) * stride[d] + kernel[d] - x[2 + d] - padL[d]);
        }
        // int8/uint8 too (the quantized pooling builds through here): pooling keeps the data type.
        memory.data_type dt = Int8.physicalType(ctx.inputType(0));
        memory.desc src = Layouts.activation(x, dt);
        memory.desc dst = Layouts.activation(y, dt);
        primitive_attr attr = ctx.newAttr();
        algorithm alg;
        float[] factors = null;
        if (p.poolType.equals("max")) {
            alg = algorithm.pooling_max;
        } else if (p.poolType.equals("sum")) {
            alg = algorithm.pooling_avg_include_padding;
            post_ops po = new post_ops();
            po.append_eltwise(algorithm.eltwise_linear, (float) (kernel[0] * kernel[1]), 0f);
            attr.set_post_ops(po);
        } else if (!p.countIncludePad || p.globalPool) {
            alg = algorithm.pooling_avg_exclude_padding;
        } else {
            alg = algorithm.pooling_avg_include_padding;
            factors = includePadFactors(x, y, kernel, stride, padL);
        }
        memory.desc factorMd = null;
        if (factors != null) {
            factorMd = Layouts.plain(new long[] {1, 1, y[2], y[3]});
            post_ops po = new post_ops();
            po.append_binary(algorithm.binary_mul, factorMd);
            attr.set_post_ops(po);
        }
        pooling_forward.primitive_desc pd = new pooling_forward.primitive_desc(ctx.engine(), prop_kind.forward_inference,
                alg, src, dst, stride, kernel, new long[] {0, 0}, padL, padR, attr, false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, ctx.input(0, src));
        args.put(DNNL_ARG_DST, ctx.output(0, dst));
        if (factors != null) args.put(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1, ctx.constant(factorMd, factors));
        ctx.addPrimitive(new pooling_forward(pd), pd, args);
    }

    /**
     * Per-output-position factors turning oneDNN's include-padding average (divisor kh*kw) into MXNet's
     * (divisor = window clipped to input + declared padding); null when all are 1.
     */
    static float[] includePadFactors(long[] x, long[] y, long[] kernel, long[] stride, long[] pad) {
        double[][] f = new double[2][];
        boolean any = false;
        for (int d = 0; d < 2; d++) {
            f[d] = new double[(int) y[2 + d]];
            for (int o = 0; o < y[2 + d]; o++) {
                long start = o * stride[d] - pad[d];
                long end = Math.min(start + kernel[d], x[2 + d] + pad[d]);
                long size = end - start;
                f[d][o] = size > 0 ? (double) kernel[d] / size : 1.0;
                if (f[d][o] != 1.0) any = true;
            }
        }
        if (!any) return null;
        float[] out = new float[f[0].length * f[1].length];
        for (int i = 0; i < f[0].length; i++) {
            for (int j = 0; j < f[1].length; j++) out[i * f[1].length + j] = (float) (f[0][i] * f[1][j]);
        }
        return out;
    }

    @Override
    public Quantizability quantizability(Params p) {
        return p.poolType.equals("max") || p.poolType.equals("avg") ? Quantizability.SUPPORT : Quantizability.NONE;
    }

    @Override
    public String quantizedOpName(Params p) {
        return quantizability(p) == Quantizability.NONE ? null : "_contrib_quantized_pooling";
    }
}
