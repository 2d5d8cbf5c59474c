package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.memory;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_dequantize}: a triple {@code (q, min, max)} (int8, uint8 or int32) to float32,
 * {@code real = q * amax / levels} ({@link Int8}). int8/uint8: one scaling reorder (scale from the range,
 * constant or read at run time); int32: the runtime already holds its real values, so the output is the
 * input (no step).
 *
 * <pre>{@code
 * // fc_dequantize = _contrib_dequantize(requantize_fc, requantize_fc[1], requantize_fc[2])
 * }</pre>
 */
public final class DequantizeOp implements Op<DequantizeOp.Params> {
    public record Params() {}

    @Override public String name() { return "_contrib_dequantize"; }

    @Override public Set<String> attributeNames() { return Set.of("out_type"); }

    @Override
    public Params parse(AttrReader a) {
        a.choice("out_type", "float32", "float32");
        return new Params();
    }

    @Override public List<String> inputNames(Params p) { return List.of("data", "min_range", "max_range"); }

    @Override
    public InputRole inputRole(Params p, int i) { return i == 0 ? InputRole.DATA : InputRole.RANGE; }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        QuantKernels.rangeShapes(ctx, 1);
        ctx.setOut(0, ctx.requireIn(0));
    }

    @Override
    public void inferType(Params p, TypeContext ctx) {
        ctx.requireOneOf(0, DType.INT8, DType.UINT8, DType.INT32);
        for (int i = 1; i < 3; i++) ctx.assignIn(i, DType.FLOAT32);
        ctx.setOut(0, DType.FLOAT32);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        DType t = ctx.inputType(0);
        memory.desc srcMd = ctx.inputDesc(0);
        if (t == DType.INT32 || srcMd.get_data_type().value == memory.data_type.f32.value) {
            // int32 is held as its real values; so is a requantized tensor only dequantized (RequantizeOp).
            ctx.outputAlias(0, ctx.input(0), srcMd);
            return;
        }
        long[] x = ctx.inputShape(0);
        RangeCalc r = new RangeCalc(ctx);
        int lo = r.input(1);
        int hi = r.input(2);
        float levels = Int8.levels(t);
        memory srcScale = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), levels), lo, hi);
        r.finish();
        memory.desc dstMd = Layouts.likeInput(srcMd, x, memory.data_type.f32);
        QuantKernels.scaledReorder(ctx, srcMd, ctx.input(0), dstMd, ctx.output(0, dstMd), srcScale, null);
    }
}
