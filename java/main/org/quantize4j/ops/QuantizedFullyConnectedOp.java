package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.memory;

/**
 * MXNet {@code _contrib_quantized_fully_connected}: FullyConnected's attributes; inputs {@code data}
 * (int8/uint8), {@code weight} (int8), optional {@code bias} (int8), then their (min, max) pairs. Output an
 * int32 triple. One oneDNN int8 inner product with run-time scale arguments and a real float32 bias, writing
 * float32 reals ({@link Int8}); flatten of a 4-D NHWC input needs no reorder (weights seen as (O, C, H, W)),
 * as in {@link FullyConnectedOp}.
 *
 * <pre>{@code
 * // quantized_fc = _contrib_quantized_fully_connected(x_q, w_q, b_q, x_q[1], x_q[2], w_min, w_max, b_min, b_max,
 * //                                                   num_hidden=10)
 * }</pre>
 */
public final class QuantizedFullyConnectedOp implements Op<FullyConnectedOp.Params> {
    private static final FullyConnectedOp FP32 = new FullyConnectedOp();

    @Override public String name() { return "_contrib_quantized_fully_connected"; }

    @Override public Set<String> attributeNames() { return FP32.attributeNames(); }

    @Override public FullyConnectedOp.Params parse(AttrReader a) { return FP32.parse(a); }

    @Override
    public List<String> inputNames(FullyConnectedOp.Params p) {
        return QuantizedConvolutionOp.quantizedInputNames(FP32.inputNames(p));
    }

    @Override
    public InputRole inputRole(FullyConnectedOp.Params p, int i) {
        int n = p.noBias() ? 2 : 3;
        return i < n ? FP32.inputRole(p, i) : InputRole.RANGE;
    }

    @Override public int numOutputs(FullyConnectedOp.Params p) { return 3; }

    @Override public int numVisibleOutputs(FullyConnectedOp.Params p) { return 3; }

    @Override
    public void inferShape(FullyConnectedOp.Params p, ShapeContext ctx) {
        QuantKernels.weightedTripleShapes(ctx, p.noBias() ? 2 : 3, p.numHidden(), c -> FP32.inferShape(p, c));
    }

    @Override
    public void inferType(FullyConnectedOp.Params p, TypeContext ctx) {
        QuantKernels.int32AccumulatorTypes(ctx, p.noBias() ? 2 : 3);
    }

    @Override
    public void build(FullyConnectedOp.Params p, KernelContext ctx) {
        int n = p.noBias() ? 2 : 3;
        RangeCalc r = new RangeCalc(ctx);
        QuantKernels.Int32Scales scales = QuantKernels.int32Scales(ctx, r, n, p.numHidden());
        float[] bias = p.noBias() ? null : QuantizedConvolutionOp.realBias(ctx, 2, n + 4, n + 5);
        r.finish();
        // A calibrated requantize reading only this node: write its int8/uint8 result directly.
        CalibratedOutput fused = QuantKernels.fusableRequantize(ctx);
        memory.data_type outType = fused == null ? memory.data_type.f32 : Int8.physicalType(fused.type());

        memory dstScale = fused == null ? null
                : ctx.constant(Layouts.plain(new long[] {1}), new float[] {Int8.unit(fused.minCalib(), fused.maxCalib(), fused.type())});
        Int8InnerProduct.build(ctx, p, scales.src(), scales.weights(), scales.perChannel(),
                (dims, wanted) -> ctx.input(1, Layouts.plain(dims, memory.data_type.s8), wanted), bias, outType, dstScale, null);
    }
}
