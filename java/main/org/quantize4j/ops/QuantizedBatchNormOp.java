package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_quantized_batch_norm}: BatchNorm's attributes (incl. {@code min_calib_range} /
 * {@code max_calib_range}); inputs {@code data} (int8/uint8), {@code gamma, beta, moving_mean, moving_var}
 * (float32 parameters), {@code min_data, max_data}. Output an int8 triple.
 *
 * <p>The statistics are folded at build time into {@code y = x * scale_c + shift_c} (as {@link BatchNormOp}),
 * run as one oneDNN binary whose int8 source is scaled by its unit. With a calibrated output range the result
 * is quantized in the same primitive: int8 in, int8 out, the input and output units folded into the per-channel
 * scale and shift (at build time, or by a host step when the input range is only known at run time). Without
 * one (MXNet itself refuses this case) the input is dequantized to a float32 scratch buffer, normalized, its
 * range measured every forward() and one reorder quantizes it.
 *
 * <pre>{@code
 * // quantized_bn0 = _contrib_quantized_batch_norm(x_q, gamma, beta, mean, var, x_q[1], x_q[2], eps=1e-5, fix_gamma=False)
 * }</pre>
 */
public final class QuantizedBatchNormOp implements Op<BatchNormOp.Params> {
    private static final BatchNormOp FP32 = new BatchNormOp();

    @Override public String name() { return "_contrib_quantized_batch_norm"; }

    @Override public Set<String> attributeNames() { return FP32.attributeNames(); }

    @Override public BatchNormOp.Params parse(AttrReader a) { return FP32.parse(a); }

    @Override
    public List<String> inputNames(BatchNormOp.Params p) {
        return List.of("data", "gamma", "beta", "moving_mean", "moving_var", "min_data", "max_data");
    }

    @Override
    public InputRole inputRole(BatchNormOp.Params p, int i) { return i < 5 ? FP32.inputRole(p, i) : InputRole.RANGE; }

    @Override public int numOutputs(BatchNormOp.Params p) { return 3; }

    @Override public int numVisibleOutputs(BatchNormOp.Params p) { return 3; }

    @Override
    public void inferShape(BatchNormOp.Params p, ShapeContext ctx) {
        QuantKernels.tripleShapes(ctx, 5, 3, c -> FP32.inferShape(p, c));
    }

    @Override
    public void inferType(BatchNormOp.Params p, TypeContext ctx) {
        ctx.requireOneOf(0, DType.INT8, DType.UINT8);
        for (int i = 1; i < 5; i++) ctx.assignIn(i, DType.FLOAT32);
        QuantKernels.rangeTypes(ctx, 5);
        ctx.setOut(0, DType.INT8);
    }

    @Override
    public void build(BatchNormOp.Params p, KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        int c = (int) x[1];
        float[] gamma = p.fixGamma() ? null : ctx.constantValue(1);
        float[] beta = ctx.constantValue(2);
        float[] mean = ctx.constantValue(3);
        float[] var = ctx.constantValue(4);
        if (beta == null || mean == null || var == null || (!p.fixGamma() && gamma == null)) {
            throw ctx.unsupported("gamma, beta, moving_mean and moving_var must be parameters");
        }
        AttrReader a = new AttrReader(ctx.node(), ctx.node().op());
        Float calibMin = QuantKernels.optionalFloat(a, "min_calib_range");
        Float calibMax = QuantKernels.optionalFloat(a, "max_calib_range");
        boolean calibrated = calibMin != null && calibMax != null;
        // Read only by a relu: values below 0 end as 0 whatever their code, so the range need only cover
        // [0, max] (twice the resolution of the signed range for the values that survive).
        boolean onlyRelu = onlyRelu(ctx);
        float calibAmax = 0f;
        if (calibrated) {
            calibAmax = onlyRelu && calibMax > 0f ? calibMax : Int8.amax(calibMin, calibMax);
        }
        // The output unit is folded into scale and shift when it is known now.
        double outUnit = calibrated ? Int8.unitOfAmax(calibAmax, 127f) : 1.0;
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            double s = (gamma == null ? 1.0 : gamma[i]) / Math.sqrt((double) var[i] + p.eps());
            scale[i] = (float) (s / outUnit);
            shift[i] = (float) ((beta[i] - mean[i] * s) / outUnit);
        }

        DType inType = ctx.inputType(0);
        // A float32 input holds real values: the requantize before this node passed them on (RequantizeOp).
        boolean real = ctx.inputDesc(0).get_data_type().value == memory.data_type.f32.value;
        float levels = Int8.levels(inType);
        memory.desc srcMd = Layouts.likeInput(ctx.inputDesc(0), x, real ? memory.data_type.f32 : Int8.physicalType(inType));
        memory.desc outMd = Layouts.likeInput(srcMd, x, memory.data_type.s8);
        memory.desc f32Md = Layouts.likeInput(srcMd, x, memory.data_type.f32);
        long[] cDims = new long[x.length];
        Arrays.fill(cDims, 1);
        cDims[1] = c;
        memory.desc cMd = Layouts.plain(cDims);
        RangeCalc r = new RangeCalc(ctx);
        int lo = r.input(5);
        int hi = r.input(6);
        RangeCalc.Fn inUnit = real ? v -> 1f : v -> Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), levels);
        int[] inDeps = real ? new int[0] : new int[] {lo, hi};
        if (calibrated) {
            // One int8 -> int8 binary (oneDNN has a jit kernel for it; scale arguments would make it the reference one):
            // q_out = q_in * (unit_in * scale_c / unit_out) + shift_c / unit_out.
            memory scaleMem = r.scaledVector(cMd, scale, inUnit, inDeps);
            float amax = calibAmax;
            QuantKernels.int8RangeOutputs(r, DType.INT8, v -> amax);
            r.finish();
            binaryScaleShift(ctx, srcMd, ctx.input(0, srcMd), scaleMem, cMd, shift, outMd, ctx.output(0, outMd));
            return;
        }
        // No output range (MXNet refuses this case): dequantize, scale and shift in float32, measure the range,
        // quantize.
        memory normalized = ctx.temp(f32Md);
        if (real) {
            r.finish();
            binaryScaleShift(ctx, f32Md, ctx.input(0, f32Md), ctx.constant(cMd, scale), cMd, shift, f32Md, normalized);
        } else {
            memory srcScale = r.scale(inUnit, lo, hi);
            r.finish();
            QuantKernels.scaledReorder(ctx, srcMd, ctx.input(0, srcMd), f32Md, normalized, srcScale, null);
            binaryScaleShift(ctx, f32Md, normalized, ctx.constant(cMd, scale), cMd, shift, f32Md, normalized);
        }
        memory[] mm = QuantKernels.minMax(ctx, normalized, f32Md);
        RangeCalc r2 = new RangeCalc(ctx);
        int l2 = r2.memory(mm[0]);
        int h2 = r2.memory(mm[1]);
        RangeCalc.Fn amax = onlyRelu ? v -> Math.max(v[h2], 0f) : v -> Int8.amax(v[l2], v[h2]);
        memory dstScale = r2.scale(v -> Int8.unitOfAmax(amax.apply(v), 127f), l2, h2);
        QuantKernels.int8RangeOutputs(r2, DType.INT8, amax, l2, h2);
        r2.finish();
        QuantKernels.scaledReorder(ctx, f32Md, normalized, outMd, ctx.output(0, outMd), null, dstScale);
    }

    private static boolean onlyRelu(KernelContext ctx) {
        for (int j = 0; j < 3; j++) if (ctx.isGraphOutput(ctx.node(), j)) return false;
        java.util.List<org.quantize4j.graph.Node> readers = ctx.consumersOf(ctx.node(), 0);
        if (readers.isEmpty()) return false;
        for (org.quantize4j.graph.Node n : readers) if (!n.op().equals("_contrib_quantized_act")) return false;
        return true;
    }

    /** dst = src * scale_c + shift_c (one binary multiply with an add post-op). */
    private static void binaryScaleShift(KernelContext ctx, memory.desc srcMd, memory src, memory scale, memory.desc cMd,
                                         float[] shift, memory.desc dstMd, memory dst) {
        primitive_attr attr = ctx.newAttr();
        post_ops po = new post_ops();
        po.append_binary(algorithm.binary_add, cMd);
        attr.set_post_ops(po);
        binary.primitive_desc pd = new binary.primitive_desc(ctx.engine(), algorithm.binary_mul, srcMd, cMd, dstMd, attr, false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC_0, src);
        args.put(DNNL_ARG_SRC_1, scale);
        args.put(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1, ctx.constant(cMd, shift));
        args.put(DNNL_ARG_DST, dst);
        ctx.addPrimitive(new binary(pd), pd, args);
    }
}
