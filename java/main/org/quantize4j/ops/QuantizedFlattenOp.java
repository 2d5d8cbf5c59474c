package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.memory;

/**
 * MXNet {@code _contrib_quantized_flatten}: Flatten of an int8/uint8 triple; inputs {@code data, min_data,
 * max_data}. A view of the plain bytes (NHWC input reordered to plain first unless C or H*W is 1); type and
 * range pass through.
 *
 * <pre>{@code
 * // quantized_flatten0 = _contrib_quantized_flatten(pool_q, pool_q[1], pool_q[2])
 * }</pre>
 */
public final class QuantizedFlattenOp implements Op<FlattenOp.Params> {
    private static final FlattenOp FP32 = new FlattenOp();

    @Override public String name() { return "_contrib_quantized_flatten"; }

    @Override public Set<String> attributeNames() { return FP32.attributeNames(); }

    @Override public FlattenOp.Params parse(AttrReader a) { return FP32.parse(a); }

    @Override public List<String> inputNames(FlattenOp.Params p) { return List.of("data", "min_data", "max_data"); }

    @Override
    public InputRole inputRole(FlattenOp.Params p, int i) { return i == 0 ? InputRole.DATA : InputRole.RANGE; }

    @Override public int numOutputs(FlattenOp.Params p) { return 3; }

    @Override public int numVisibleOutputs(FlattenOp.Params p) { return 3; }

    @Override
    public void inferShape(FlattenOp.Params p, ShapeContext ctx) {
        QuantKernels.tripleShapes(ctx, 1, 1, c -> FP32.inferShape(p, c));
    }

    @Override
    public void inferType(FlattenOp.Params p, TypeContext ctx) {
        QuantKernels.sameInt8Type(ctx);
    }

    @Override
    public void build(FlattenOp.Params p, KernelContext ctx) {
        memory.data_type dt = Int8.physicalType(ctx.inputType(0));
        memory in = ctx.input(0, Layouts.plain(ctx.inputShape(0), dt));
        ctx.outputAlias(0, in, Layouts.plain(ctx.outputShape(0), dt));
        ctx.outputSameAs(1, 1);
        ctx.outputSameAs(2, 2);
    }
}
