package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.memory;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_quantize} (the first version): float32 to int8 / uint8 with the range given as inputs
 * {@code min_range, max_range}; {@code out_type} uint8 (MXNet's default) or int8. int8 is symmetric
 * ({@code amax = max(|min|, |max|)}, as {@link QuantizeV2Op}). MXNet's uint8 variant is affine (min_range maps to
 * 0), which the runtime's symmetric triples ({@link Int8}) represent only when min_range is 0: other uint8 uses
 * are rejected at build time (use {@code _contrib_quantize_v2}).
 *
 * <pre>{@code
 * // q = _contrib_quantize(data, min_r, max_r, out_type="int8")
 * }</pre>
 */
public final class QuantizeOp implements Op<QuantizeOp.Params> {
    public record Params(DType type) {}

    @Override public String name() { return "_contrib_quantize"; }

    @Override public Set<String> attributeNames() { return Set.of("out_type"); }

    @Override
    public Params parse(AttrReader a) {
        return new Params(a.choice("out_type", "uint8", "int8", "uint8").equals("int8") ? DType.INT8 : DType.UINT8);
    }

    @Override public List<String> inputNames(Params p) { return List.of("data", "min_range", "max_range"); }

    @Override
    public InputRole inputRole(Params p, int i) { return i == 0 ? InputRole.DATA : InputRole.RANGE; }

    @Override public int numOutputs(Params p) { return 3; }

    @Override public int numVisibleOutputs(Params p) { return 3; }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        QuantKernels.rangeShapes(ctx, 1);
        ctx.setOut(0, ctx.requireIn(0));
        ctx.setOut(1, new long[] {1});
        ctx.setOut(2, new long[] {1});
    }

    @Override
    public void inferType(Params p, TypeContext ctx) {
        ctx.assignIn(0, DType.FLOAT32);
        QuantKernels.rangeTypes(ctx, 1);
        ctx.setOut(0, p.type());
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        DType type = p.type();
        RangeCalc r = new RangeCalc(ctx);
        int lo = r.input(1);
        int hi = r.input(2);
        if (type == DType.UINT8 && !(r.isConstant(lo) && r.value(lo) == 0f)) {
            throw ctx.unsupported("uint8 _contrib_quantize with a min_range other than a constant 0 is affine (zero point);"
                    + " only symmetric quantization is supported (use _contrib_quantize_v2)");
        }
        memory.desc srcMd = ctx.inputDesc(0);
        memory.desc dstMd = Layouts.activation(ctx.inputShape(0), Int8.physicalType(type));
        float levels = Int8.levels(type);
        memory dstScale = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), levels), lo, hi);
        QuantKernels.int8RangeOutputs(r, type, v -> Int8.amax(v[lo], v[hi]), lo, hi);
        r.finish();
        QuantKernels.scaledReorder(ctx, srcMd, ctx.input(0), dstMd, ctx.output(0, dstMd), null, dstScale);
    }
}
