package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_SCALES;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.quantize4j.QuantizeGranularity;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;

/**
 * The INT8 kernel of a quantized {@code _sg_mkldnn_conv}: ONE oneDNN convolution with u8/s8 source, s8 weights
 * and everything else as attributes, so the steady state runs no reorder and no extra pass over the tensor.
 * <ul>
 * <li>Weights: the FP32 weight with BatchNorm folded in ({@link FusedConvolutionOp#foldBatchNorm}), quantized
 * symmetrically per output channel ({@code channel_wise_quantize}, default) or per tensor by
 * {@link WeightQuantizer} with MXNet's bias guard, reordered once into the kernel's blocked layout. The bias
 * stays float32 (oneDNN adds it after dequantizing, so it cannot overflow int32).</li>
 * <li>Scales: source {@code amax / levels} (a constant when the data range is calibrated, else written by a host
 * step from the run-time range), weights per channel, destination the calibrated output unit.</li>
 * <li>Sum ({@code with_sum}): an int8/uint8 operand with a known range uses oneDNN's {@code sum} post-op with
 * scale {@code sum_unit} and the operand's OWN data type (so a signed operand under a uint8 output, as after a
 * relu, is read as signed: MXNet 1.9 reinterpreted it and lost 27 points on MobileNet-v2); the output starts as
 * the operand's bytes, sharing its buffer when nothing else reads it. A float32 (or int32-as-real) operand, or
 * one with a run-time range, is added as a {@code binary_add} post-op on real values.</li>
 * <li>Output: int8/uint8 at the calibrated range, float32 real values ({@code enable_float_output}), or, without
 * calibration, the runtime's int32 representation (float32 real values, see {@link Int8}).</li>
 * </ul>
 *
 * <pre>{@code
 * // quantized_sg_mkldnn_conv_bn_add_act_2 = _sg_mkldnn_conv(x_u8, w, gamma, beta, mean, var, sum_u8,
 * //     x_min, x_max, sum_min, sum_max, quantized=true, with_bn=true, with_sum=true, with_postsum_act=true,
 * //     min_calib_range=0, max_calib_range=11.5)
 * }</pre>
 */
final class FusedConvolutionInt8 {
    private FusedConvolutionInt8() {
    }

    static void build(FusedConvolutionOp.Params p, KernelContext ctx) {
        ConvolutionOp.Params c = p.conv();
        long[] x = ctx.inputShape(p.data());
        long[] y = ctx.outputShape(0);
        long[] wDims = ConvolutionOp.weightDims(c, x[1]);
        int filters = c.numFilter();
        DType srcType = ctx.inputType(p.data());
        DType outType = ctx.outputType(0);
        int rangeBase = p.dataMinInput();

        RangeCalc r = new RangeCalc(ctx);
        QuantKernels.SourceScale src = QuantKernels.sourceScale(ctx, r, p.data(), rangeBase);

        // Weights and bias (BatchNorm folded), quantized now.
        float[][] wb = foldedWeightsAndBias(p, ctx, wDims);
        QuantizeGranularity g = p.channelWise() ? QuantizeGranularity.CHANNEL_WISE : QuantizeGranularity.TENSOR_WISE;
        WeightQuantizer.Int8Weights q = QuantKernels.quantizeWeights(ctx, p.inputNames().get(p.weight()),
                NDArray.ofFloats(new long[] {filters, Layouts.product(wDims, 0, wDims.length) / filters}, wb[0]), g, wb[1],
                src.multiplier(r));

        boolean quantizedOut = Int8.isInt8(outType);
        float dstUnit = quantizedOut ? Int8.unit(p.minCalibRange(), p.maxCalibRange(), outType) : 1f;
        QuantKernels.fusedOutputRanges(r, outType, p.minCalibRange(), p.maxCalibRange(), src, QuantKernels.max(q.scales()));

        // The sum operand: in place (sum post-op) when it is int8/uint8 of a known range and the output has its size.
        Sum sum = Sum.NONE;
        memory sumScale = null;
        float sumUnit = 1f;
        DType sumType = p.withSum() ? ctx.inputType(p.sum()) : null;
        if (p.withSum()) {
            if (!Int8.isInt8(sumType)) {
                sum = Sum.BINARY_REAL;
            } else {
                int slo = p.sum() == p.data() ? src.lo() : r.input(rangeBase + 2);
                int shi = p.sum() == p.data() ? src.hi() : r.input(rangeBase + 3);
                float sumLevels = Int8.levels(sumType);
                // In place needs the operand's bytes in the output buffer: not the conv's own input (dedup_sum).
                if (r.isConstant(slo, shi) && quantizedOut && p.sum() != p.data()) {
                    sum = Sum.IN_PLACE;
                    sumUnit = Int8.unitOfAmax(Int8.amax(r.value(slo), r.value(shi)), sumLevels);
                } else {
                    sum = Sum.BINARY_DEQUANTIZED;
                    sumScale = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[slo], v[shi]), sumLevels), slo, shi);
                }
            }
        }
        r.finish();

        memory.data_type dstDt = Int8.physicalType(outType);
        memory.desc srcMd = Layouts.activation(x, Int8.physicalType(srcType));
        memory.desc dstMd = Layouts.activation(y, dstDt);
        memory.desc realMd = Layouts.activation(y);
        memory sumReal = null;
        if (sum == Sum.BINARY_DEQUANTIZED) {
            memory.desc sumMd = Layouts.activation(y, Int8.physicalType(sumType));
            sumReal = ctx.temp(realMd);
            QuantKernels.scaledReorder(ctx, sumMd, ctx.input(p.sum(), sumMd), realMd, sumReal, sumScale, null);
        } else if (sum == Sum.BINARY_REAL) {
            sumReal = ctx.input(p.sum(), realMd);
        }

        primitive_attr attr = ctx.newAttr();
        post_ops po = new post_ops();
        int next = 0;
        if (p.act() != null) {
            p.act().appendTo(po);
            next++;
        }
        int binaryPostOp = -1;
        if (sum == Sum.IN_PLACE) {
            po.append_sum(sumUnit, 0, Int8.physicalType(sumType));
            next++;
        } else if (sum != Sum.NONE) {
            po.append_binary(algorithm.binary_add, realMd);
            binaryPostOp = next++;
        }
        if (p.postSumAct() != null) p.postSumAct().appendTo(po);
        attr.set_post_ops(po);
        attr.set_scales_mask(DNNL_ARG_SRC, 0);
        boolean perChannel = q.scales().length > 1;
        // Per-channel scales index the output channel: dim 0, or dims (group, channel in group) when grouped.
        attr.set_scales_mask(DNNL_ARG_WEIGHTS, !perChannel ? 0 : c.numGroup() > 1 ? 3 : 1);
        if (quantizedOut) attr.set_scales_mask(DNNL_ARG_DST, 0);

        memory.desc bMd = Layouts.plain(new long[] {filters});
        convolution_forward.primitive_desc pd = ctx.own(new convolution_forward.primitive_desc(ctx.engine(),
                prop_kind.forward_inference, algorithm.convolution_direct, srcMd, Layouts.any(wDims, memory.data_type.s8),
                wb[1] == null ? new memory.desc() : bMd, dstMd,
                new long[] {c.stride()[0], c.stride()[1]}, new long[] {c.dilate()[0] - 1, c.dilate()[1] - 1},
                new long[] {c.pad()[0], c.pad()[1]}, new long[] {c.pad()[0], c.pad()[1]}, attr, false));

        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, ctx.input(p.data(), srcMd));
        args.put(DNNL_ARG_WEIGHTS, FusedConvolutionOp.constantIn(ctx, Layouts.plain(wDims, memory.data_type.s8), pd.weights_desc(),
                q.values().buffer()));
        if (wb[1] != null) args.put(DNNL_ARG_BIAS, ctx.constant(bMd, wb[1]));
        if (binaryPostOp >= 0) args.put(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (binaryPostOp + 1) | DNNL_ARG_SRC_1, sumReal);
        memory dst = sum == Sum.IN_PLACE
                ? ctx.outputStartingAs(0, pd.dst_desc(), p.sum(), Layouts.activation(y, Int8.physicalType(sumType)))
                : ctx.output(0, pd.dst_desc());
        args.put(DNNL_ARG_DST, dst);
        args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, src.scale());
        args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS, ctx.constant(Layouts.plain(new long[] {q.scales().length}), q.scales()));
        if (quantizedOut) {
            args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_DST, ctx.constant(Layouts.plain(new long[] {1}), new float[] {dstUnit}));
        }
        ctx.addPrimitive(new convolution_forward(pd), pd, args);
    }

    static final String WEIGHTS_ONCE = "the INT8 kernel quantizes its weights once and needs them to be parameters";

    /** How the sum operand is added. */
    private enum Sum { NONE, IN_PLACE, BINARY_REAL, BINARY_DEQUANTIZED }

    /**
     * {weight (plain, O-major), bias or null}: BatchNorm folded when present. The weight (and bias, BatchNorm
     * parameters) must be parameters: the kernel quantizes them once.
     */
    private static float[][] foldedWeightsAndBias(FusedConvolutionOp.Params p, KernelContext ctx, long[] wDims) {
        if (p.bn() != null) return FusedConvolutionOp.foldBatchNorm(p, ctx, wDims);
        QuantKernels.requireParameters(ctx, p.inputNames(), WEIGHTS_ONCE,
                p.bias() >= 0 ? new int[] {p.weight(), p.bias()} : new int[] {p.weight()});
        float[] w = ctx.parameterValue(p.weight()).toFloatArray();
        float[] b = p.bias() >= 0 ? ctx.parameterValue(p.bias()).toFloatArray() : null;
        return new float[][] {w, b};
    }
}
