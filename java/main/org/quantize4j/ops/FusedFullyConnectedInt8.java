package org.quantize4j.ops;

import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.quantize4j.QuantizeGranularity;
import org.quantize4j.ndarray.DType;

/**
 * The INT8 kernel of a quantized {@code _sg_mkldnn_fully_connected}: one oneDNN int8 inner product
 * ({@link Int8InnerProduct}) with the fused activation as a post-op and the output written directly in its final
 * form: int8/uint8 at the calibrated range, float32 ({@code enable_float_output}), or int32 (float32 real values)
 * without calibration.
 * <ul>
 * <li>{@code channel_wise_quantize=True} (ours and MXNet's channel-wise mode): the FP32 weight is quantized per
 * output row now ({@link WeightQuantizer}, bias guard), the FP32 bias is used as it is.</li>
 * <li>Otherwise (MXNet 1.9's files): int8 weight and bias parameters with their ranges; the bias is turned into
 * its real values (MXNet's own Module path cast it wrongly, see the fixture notes).</li>
 * </ul>
 *
 * <pre>{@code
 * // quantized_sg_mkldnn_fully_connected_0 = _sg_mkldnn_fully_connected(x_u8, w, b, x_min, x_max, quantized=True,
 * //     channel_wise_quantize=True, enable_float_output=True)
 * }</pre>
 */
final class FusedFullyConnectedInt8 {
    private FusedFullyConnectedInt8() {
    }

    static void build(FusedFullyConnectedOp.Params p, KernelContext ctx) {
        FullyConnectedOp.Params fc = p.fc();
        int n = p.numTensors();
        DType outType = ctx.outputType(0);
        RangeCalc r = new RangeCalc(ctx);
        QuantKernels.SourceScale src = QuantKernels.sourceScale(ctx, r, 0, n);

        memory wScale;
        boolean perRow;
        float[] bias;
        float maxWeightUnit;
        Int8InnerProduct.WeightSource weights;
        if (p.channelWise()) {
            QuantKernels.requireParameters(ctx, p.inputNames(), FusedConvolutionInt8.WEIGHTS_ONCE,
                    fc.noBias() ? new int[] {1} : new int[] {1, 2});
            bias = fc.noBias() ? null : ctx.parameterValue(2).toFloatArray();
            WeightQuantizer.Int8Weights q = QuantKernels.quantizeWeights(ctx, p.inputNames().get(1), ctx.parameterValue(1),
                    QuantizeGranularity.CHANNEL_WISE, bias, src.multiplier(r));
            wScale = ctx.constant(Layouts.plain(new long[] {q.scales().length}), q.scales());
            perRow = q.scales().length > 1;
            maxWeightUnit = QuantKernels.max(q.scales());
            weights = (dims, wanted) -> FusedConvolutionOp.constantIn(ctx, Layouts.plain(dims, memory.data_type.s8), wanted,
                    q.values().buffer());
        } else {
            QuantKernels.WeightScales ws = QuantKernels.weightScales(ctx, r, n + 2, n + 3, fc.numHidden());
            wScale = ws.scale();
            perRow = ws.channelUnits() != null;
            bias = fc.noBias() ? null : QuantizedConvolutionOp.realBias(ctx, 2, n + 4, n + 5);
            if (!r.isConstant(ws.lo(), ws.hi())) throw ctx.unsupported("the int8 weight's min/max must be parameters");
            maxWeightUnit = Int8.unitOfAmax(Int8.amax(r.value(ws.lo()), r.value(ws.hi())), 127f);
            weights = (dims, wanted) -> ctx.input(1, Layouts.plain(dims, memory.data_type.s8), wanted);
        }

        boolean quantizedOut = Int8.isInt8(outType);
        QuantKernels.fusedOutputRanges(r, outType, p.minCalibRange(), p.maxCalibRange(), src, maxWeightUnit);
        r.finish();

        post_ops po = null;
        if (p.act() != null) {
            po = new post_ops();
            p.act().appendTo(po);
        }
        memory dstScale = quantizedOut
                ? ctx.constant(Layouts.plain(new long[] {1}), new float[] {Int8.unit(p.minCalibRange(), p.maxCalibRange(), outType)})
                : null;
        Int8InnerProduct.build(ctx, fc, src.scale(), wScale, perRow, weights, bias, Int8.physicalType(outType), dstScale, po);
    }
}
