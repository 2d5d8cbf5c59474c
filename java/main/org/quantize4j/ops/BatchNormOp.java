package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.batch_normalization_forward;
import org.bytedeco.dnnl.global.dnnl.normalization_flags;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;

/**
 * MXNet {@code BatchNorm} at inference: {@code y = (x - moving_mean) / sqrt(moving_var + eps) * gamma + beta}
 * over axis 1, always with the running statistics (MXNet does so at inference whatever
 * {@code use_global_stats} says). {@code fix_gamma=True} (MXNet's default) means gamma = 1; eps defaults
 * to 1e-3 as in MXNet. MXNet counts 3 outputs (output, mean, var); only the first is visible.
 *
 * <pre>{@code
 * // bn = BatchNorm(x, gamma, beta, moving_mean, moving_var, eps=1e-5, fix_gamma=False)
 * }</pre>
 */
public final class BatchNormOp implements Op<BatchNormOp.Params> {
    public record Params(float eps, boolean fixGamma, int axis, boolean outputMeanVar) {}

    private static final Set<String> ATTRS = Set.of("eps", "momentum", "fix_gamma", "use_global_stats",
            "output_mean_var", "axis", "cudnn_off", "min_calib_range", "max_calib_range");

    @Override public String name() { return "BatchNorm"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        double eps = a.doubleValue("eps", 1e-3);
        if (!(eps > 0)) throw a.error("eps", "must be positive");
        a.floatValue("momentum", 0.9f);
        boolean fixGamma = a.bool("fix_gamma", true);
        a.bool("use_global_stats", false);
        boolean outputMeanVar = a.bool("output_mean_var", false);
        if (outputMeanVar) throw a.unsupported("output_mean_var", "batch statistics are not computed at inference");
        int axis = a.integer("axis", 1);
        a.bool("cudnn_off", false);
        a.floatValue("min_calib_range", 0f);
        a.floatValue("max_calib_range", 0f);
        return new Params((float) eps, fixGamma, axis, outputMeanVar);
    }

    @Override
    public List<String> inputNames(Params p) {
        return List.of("data", "gamma", "beta", "moving_mean", "moving_var");
    }

    @Override
    public InputRole inputRole(Params p, int i) {
        return switch (i) {
            case 0 -> InputRole.DATA;
            case 1 -> InputRole.GAMMA;
            case 2 -> InputRole.BETA;
            case 3 -> InputRole.MOVING_MEAN;
            default -> InputRole.MOVING_VAR;
        };
    }

    @Override public int numOutputs(Params p) { return 3; }

    @Override public int numVisibleOutputs(Params p) { return p.outputMeanVar ? 3 : 1; }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        int axis = p.axis < 0 ? p.axis + x.length : p.axis;
        if (axis != 1 || x.length < 2) {
            throw ctx.error("BatchNorm over axis " + p.axis + " of a " + x.length + "-D input is not supported (only the channel axis 1)");
        }
        long[] c = {x[1]};
        for (int i = 1; i < 5; i++) ctx.assignIn(i, c);
        ctx.setOut(0, x);
        ctx.setOut(1, c);
        ctx.setOut(2, c);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        boolean constant = ctx.isParameter(2) && ctx.isParameter(3) && ctx.isParameter(4) && (p.fixGamma || ctx.isParameter(1));
        if (constant) buildScaleShift(p, ctx);
        else buildBatchNorm(p, ctx);
    }

    /**
     * y = x * scale + shift per channel, with scale = gamma / sqrt(var + eps) and shift = beta - mean * scale
     * folded in double precision at build time: one oneDNN binary (multiply, with an add post-op), which
     * runs about twice as fast as the batch_normalization primitive on NHWC data.
     */
    private static void buildScaleShift(Params p, KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        int c = (int) x[1];
        float[] gamma = p.fixGamma ? null : ctx.parameterValue(1).toFloatArray();
        float[] beta = ctx.parameterValue(2).toFloatArray();
        float[] mean = ctx.parameterValue(3).toFloatArray();
        float[] var = ctx.parameterValue(4).toFloatArray();
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            double s = (gamma == null ? 1.0 : gamma[i]) / Math.sqrt((double) var[i] + p.eps);
            scale[i] = (float) s;
            shift[i] = (float) (beta[i] - mean[i] * s);
        }
        long[] cDims = new long[x.length];
        java.util.Arrays.fill(cDims, 1);
        cDims[1] = c;
        memory.desc cMd = Layouts.plain(cDims);
        memory.desc md = Layouts.likeInput(ctx.inputDesc(0), x);
        org.bytedeco.dnnl.primitive_attr attr = ctx.newAttr();
        org.bytedeco.dnnl.post_ops po = new org.bytedeco.dnnl.post_ops();
        po.append_binary(org.bytedeco.dnnl.global.dnnl.algorithm.binary_add, cMd);
        attr.set_post_ops(po);
        org.bytedeco.dnnl.binary.primitive_desc pd = new org.bytedeco.dnnl.binary.primitive_desc(ctx.engine(),
                org.bytedeco.dnnl.global.dnnl.algorithm.binary_mul, md, cMd, md, attr, false);
        IntMemoryMap args = ctx.newArgs();
        args.put(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0, ctx.input(0, md));
        args.put(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1, ctx.constant(cMd, scale));
        args.put(org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1,
                ctx.constant(cMd, shift));
        args.put(DNNL_ARG_DST, ctx.outputInPlace(0, md, 0));
        ctx.addPrimitive(new org.bytedeco.dnnl.binary(pd), pd, args);
    }

    /** oneDNN's batch_normalization with global statistics (statistics computed by the graph at run time). */
    private static void buildBatchNorm(Params p, KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        memory.desc md = Layouts.likeInput(ctx.inputDesc(0), x);
        int flags = normalization_flags.use_global_stats.value | normalization_flags.use_shift.value;
        if (!p.fixGamma) flags |= normalization_flags.use_scale.value;
        batch_normalization_forward.primitive_desc pd = new batch_normalization_forward.primitive_desc(ctx.engine(),
                prop_kind.forward_inference.value, md, md, p.eps, flags, ctx.newAttr(), false);
        memory.desc c = Layouts.plain(new long[] {x[1]});
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, ctx.input(0, md));
        if (!p.fixGamma) args.put(DNNL_ARG_SCALE, ctx.input(1, c));
        args.put(DNNL_ARG_SHIFT, ctx.input(2, c));
        args.put(DNNL_ARG_MEAN, ctx.input(3, c));
        args.put(DNNL_ARG_VARIANCE, ctx.input(4, c));
        args.put(DNNL_ARG_DST, ctx.outputInPlace(0, md, 0));
        ctx.addPrimitive(new batch_normalization_forward(pd), pd, args);
    }

    @Override
    public Quantizability quantizability(Params p) { return Quantizability.SUPPORT; }

    /** Over the channel axis only (the INT8 kernel's layout). */
    @Override
    public String quantizedOpName(Params p) { return p.axis == 1 ? "_contrib_quantized_batch_norm" : null; }
}
