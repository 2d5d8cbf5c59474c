package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.memory;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_quantize_v2}: float32 to int8 / uint8 with a symmetric range, outputs
 * {@code (q, min, max)}. With {@code min_calib_range} / {@code max_calib_range} the range is that
 * (a build-time constant: one quantizing reorder per forward); without, it is the tensor's own min/max,
 * measured every forward() by two oneDNN reductions. {@code out_type} int8 (default), uint8 (negative values
 * clip to 0) or auto (uint8 when the calibrated minimum is >= 0, else int8). See {@link Int8} for the
 * meaning of a triple.
 *
 * <pre>{@code
 * // data_quantize = _contrib_quantize_v2(data, out_type="int8", min_calib_range=-2.1, max_calib_range=2.6)
 * // -> q = round(x * 127 / 2.6) clipped to [-127, 127]... (saturating to the type), min = -2.6, max = 2.6
 * }</pre>
 */
public final class QuantizeV2Op implements Op<QuantizeV2Op.Params> {
    /** Parsed attributes; the calib range is null when absent. */
    public record Params(String outType, Float minCalib, Float maxCalib) {
        public boolean calibrated() { return minCalib != null; }

        /** The concrete output type. */
        public DType type() { return Int8.outType(outType, minCalib); }
    }

    private static final Set<String> ATTRS = Set.of("out_type", "min_calib_range", "max_calib_range");

    @Override public String name() { return "_contrib_quantize_v2"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        String t = a.choice("out_type", "int8", "auto", "int8", "uint8");
        Float lo = QuantKernels.optionalFloat(a, "min_calib_range");
        Float hi = QuantKernels.optionalFloat(a, "max_calib_range");
        QuantKernels.checkCalib(a, lo, hi);
        return new Params(t, lo, hi);
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override public int numOutputs(Params p) { return 3; }

    @Override public int numVisibleOutputs(Params p) { return 3; }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        ctx.setOut(0, ctx.requireIn(0));
        ctx.setOut(1, new long[] {1});
        ctx.setOut(2, new long[] {1});
    }

    @Override
    public void inferType(Params p, TypeContext ctx) {
        ctx.assignIn(0, DType.FLOAT32);
        ctx.setOut(0, p.type());
        ctx.setOut(1, DType.FLOAT32);
        ctx.setOut(2, DType.FLOAT32);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        DType type = p.type();
        // One reorder does both: NCHW graph input -> NHWC, and float -> int8.
        memory.desc srcMd = ctx.inputDesc(0);
        memory src = ctx.input(0);
        memory.desc dstMd = Layouts.activation(x, Int8.physicalType(type));
        RangeCalc r = new RangeCalc(ctx);
        int lo;
        int hi;
        if (p.calibrated()) {
            lo = r.constant(p.minCalib);
            hi = r.constant(p.maxCalib);
        } else {
            memory[] mm = QuantKernels.minMax(ctx, src, srcMd);
            lo = r.memory(mm[0]);
            hi = r.memory(mm[1]);
        }
        float levels = Int8.levels(type);
        memory dstScale = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), levels), lo, hi);
        QuantKernels.int8RangeOutputs(r, type, v -> Int8.amax(v[lo], v[hi]), lo, hi);
        r.finish();
        QuantKernels.scaledReorder(ctx, srcMd, src, dstMd, ctx.output(0, dstMd), null, dstScale);
    }
}
