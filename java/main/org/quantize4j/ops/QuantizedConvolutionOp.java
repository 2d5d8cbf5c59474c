package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_SCALES;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_quantized_conv}: Convolution's attributes; inputs {@code data} (int8 or uint8),
 * {@code weight} (int8), optional {@code bias} (int8), then the (min, max) of each: {@code min_data,
 * max_data, min_weight, max_weight[, min_bias, max_bias]}. Output an int32 triple.
 *
 * <p>Kernel: one oneDNN int8 convolution (u8/s8 src, s8 weights with per-tensor scales given as run-time
 * scale arguments, constant or computed from run-time ranges) writing float32 real values, the runtime's
 * int32 representation ({@link Int8}); the int8 bias is turned into its real float32 values at build time.
 * Output range {@code +-unit_data * unit_weight * 2147483647}, as MXNet reports it.
 *
 * <pre>{@code
 * // quantized_conv0 = _contrib_quantized_conv(data_q, w_q, data_q[1], data_q[2], w_min, w_max,
 * //                                           kernel=(3,3), num_filter=16, no_bias=True)
 * }</pre>
 */
public final class QuantizedConvolutionOp implements Op<ConvolutionOp.Params> {
    private static final ConvolutionOp FP32 = new ConvolutionOp();

    @Override public String name() { return "_contrib_quantized_conv"; }

    @Override public Set<String> attributeNames() { return FP32.attributeNames(); }

    @Override public ConvolutionOp.Params parse(AttrReader a) { return FP32.parse(a); }

    static List<String> quantizedInputNames(List<String> fp32) {
        List<String> names = new ArrayList<>(fp32);
        for (String n : fp32) {
            names.add("min_" + n);
            names.add("max_" + n);
        }
        return names;
    }

    @Override
    public List<String> inputNames(ConvolutionOp.Params p) { return quantizedInputNames(FP32.inputNames(p)); }

    @Override
    public InputRole inputRole(ConvolutionOp.Params p, int i) {
        int n = p.noBias() ? 2 : 3;
        return i < n ? FP32.inputRole(p, i) : InputRole.RANGE;
    }

    @Override public int numOutputs(ConvolutionOp.Params p) { return 3; }

    @Override public int numVisibleOutputs(ConvolutionOp.Params p) { return 3; }

    @Override
    public void inferShape(ConvolutionOp.Params p, ShapeContext ctx) {
        QuantKernels.weightedTripleShapes(ctx, p.noBias() ? 2 : 3, p.numFilter(), c -> FP32.inferShape(p, c));
    }

    @Override
    public void inferType(ConvolutionOp.Params p, TypeContext ctx) {
        QuantKernels.int32AccumulatorTypes(ctx, p.noBias() ? 2 : 3);
    }

    @Override
    public void build(ConvolutionOp.Params p, KernelContext ctx) {
        int n = p.noBias() ? 2 : 3;
        long[] x = ctx.inputShape(0);
        long[] y = ctx.outputShape(0);
        RangeCalc r = new RangeCalc(ctx);
        QuantKernels.Int32Scales scales = QuantKernels.int32Scales(ctx, r, n, p.numFilter());
        float[] bias = p.noBias() ? null : realBias(ctx, 2, n + 4, n + 5);
        r.finish();
        // A calibrated requantize reading only this node: write its int8/uint8 result directly.
        CalibratedOutput fused = QuantKernels.fusableRequantize(ctx);
        memory.data_type outType = fused == null ? memory.data_type.f32 : Int8.physicalType(fused.type());

        memory.desc srcMd = Layouts.activation(x, Int8.physicalType(ctx.inputType(0)));
        memory.desc dstMd = Layouts.activation(y, outType);
        long[] wDims = ConvolutionOp.weightDims(p, x[1]);
        memory.desc bMd = bias == null ? new memory.desc() : Layouts.plain(new long[] {p.numFilter()});
        primitive_attr attr = ctx.newAttr();
        attr.set_scales_mask(DNNL_ARG_SRC, 0);
        // Per-channel scales index the output channel: dim 0, or dims (group, channel in group) when grouped.
        attr.set_scales_mask(DNNL_ARG_WEIGHTS, !scales.perChannel() ? 0 : p.numGroup() > 1 ? 3 : 1);
        if (fused != null) attr.set_scales_mask(DNNL_ARG_DST, 0);
        convolution_forward.primitive_desc pd = ctx.own(new convolution_forward.primitive_desc(ctx.engine(),
                prop_kind.forward_inference, algorithm.convolution_direct, srcMd, Layouts.any(wDims, memory.data_type.s8), bMd,
                dstMd, new long[] {p.stride()[0], p.stride()[1]}, new long[] {p.dilate()[0] - 1, p.dilate()[1] - 1},
                new long[] {p.pad()[0], p.pad()[1]}, new long[] {p.pad()[0], p.pad()[1]}, attr, false));
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, ctx.input(0, srcMd));
        args.put(DNNL_ARG_WEIGHTS, ctx.input(1, Layouts.plain(wDims, memory.data_type.s8), pd.weights_desc()));
        if (bias != null) args.put(DNNL_ARG_BIAS, ctx.constant(bMd, bias));
        args.put(DNNL_ARG_DST, ctx.output(0, pd.dst_desc()));
        args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, scales.src());
        args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS, scales.weights());
        if (fused != null) {
            float unit = Int8.unit(fused.minCalib(), fused.maxCalib(), fused.type());
            args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_DST, ctx.constant(Layouts.plain(new long[] {1}), new float[] {unit}));
        }
        ctx.addPrimitive(new convolution_forward(pd), pd, args);
    }

    /**
     * The real values of an int8 bias input with its range inputs, computed now; the bias and its range
     * must be parameters (MXNet's quantized graphs always have them so).
     */
    static float[] realBias(KernelContext ctx, int bias, int min, int max) {
        float[] b = ctx.constantValue(bias);
        float[] lo = ctx.constantValue(min);
        float[] hi = ctx.constantValue(max);
        if (b == null || lo == null || hi == null || lo.length != 1 || hi.length != 1) {
            throw ctx.unsupported("the int8 bias and its min/max must be parameters");
        }
        float unit = Int8.unit(lo[0], hi[0], DType.INT8);
        float[] real = new float[b.length];
        for (int i = 0; i < b.length; i++) real[i] = b[i] * unit;
        return real;
    }
}
