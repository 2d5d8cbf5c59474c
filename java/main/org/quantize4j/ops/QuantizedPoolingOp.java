package org.quantize4j.ops;

import java.util.List;
import java.util.Set;


/**
 * MXNet {@code _contrib_quantized_pooling}: Pooling's attributes (max and avg); inputs {@code data}
 * (int8/uint8), {@code min_data}, {@code max_data}. oneDNN pools the int8 values directly (avg rounds to the
 * nearest step), so the output keeps the input's type and range (the min/max outputs are the inputs).
 *
 * <pre>{@code
 * // quantized_pool0 = _contrib_quantized_pooling(x_q, x_q[1], x_q[2], kernel=(3,3), stride=(2,2), pool_type="max")
 * }</pre>
 */
public final class QuantizedPoolingOp implements Op<PoolingOp.Params> {
    private static final PoolingOp FP32 = new PoolingOp();

    @Override public String name() { return "_contrib_quantized_pooling"; }

    @Override public Set<String> attributeNames() { return FP32.attributeNames(); }

    @Override
    public PoolingOp.Params parse(AttrReader a) {
        PoolingOp.Params p = FP32.parse(a);
        if (!p.poolType().equals("max") && !p.poolType().equals("avg")) {
            throw a.unsupported("pool_type", "quantized pooling is max or avg");
        }
        return p;
    }

    @Override public List<String> inputNames(PoolingOp.Params p) { return List.of("data", "min_data", "max_data"); }

    @Override
    public InputRole inputRole(PoolingOp.Params p, int i) { return i == 0 ? InputRole.DATA : InputRole.RANGE; }

    @Override public int numOutputs(PoolingOp.Params p) { return 3; }

    @Override public int numVisibleOutputs(PoolingOp.Params p) { return 3; }

    @Override
    public void inferShape(PoolingOp.Params p, ShapeContext ctx) {
        QuantKernels.tripleShapes(ctx, 1, 1, c -> FP32.inferShape(p, c));
    }

    @Override
    public void inferType(PoolingOp.Params p, TypeContext ctx) {
        QuantKernels.sameInt8Type(ctx);
    }

    @Override
    public void build(PoolingOp.Params p, KernelContext ctx) {
        FP32.build(p, ctx);
        ctx.outputSameAs(1, 1);
        ctx.outputSameAs(2, 2);
    }
}
