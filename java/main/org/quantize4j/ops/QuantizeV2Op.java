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
public final class QuantizeV2Op implements Op<CalibratedOutput> {
    @Override public String name() { return "_contrib_quantize_v2"; }

    @Override public Set<String> attributeNames() { return CalibratedOutput.ATTRS; }

    @Override
    public CalibratedOutput parse(AttrReader a) { return CalibratedOutput.parse(a); }

    @Override public List<String> inputNames(CalibratedOutput p) { return List.of("data"); }

    @Override public int numOutputs(CalibratedOutput p) { return 3; }

    @Override public int numVisibleOutputs(CalibratedOutput p) { return 3; }

    @Override
    public void inferShape(CalibratedOutput p, ShapeContext ctx) {
        ctx.setOut(0, ctx.requireIn(0));
        ctx.setOut(1, new long[] {1});
        ctx.setOut(2, new long[] {1});
    }

    @Override
    public void inferType(CalibratedOutput p, TypeContext ctx) {
        ctx.assignIn(0, DType.FLOAT32);
        ctx.setOut(0, p.type());
        ctx.setOut(1, DType.FLOAT32);
        ctx.setOut(2, DType.FLOAT32);
    }

    @Override
    public void build(CalibratedOutput p, KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        DType type = p.type();
        // One reorder does both: NCHW graph input -> NHWC, and float -> int8.
        memory.desc srcMd = ctx.inputDesc(0);
        memory src = ctx.input(0);
        memory.desc dstMd = Layouts.activation(x, Int8.physicalType(type));
        QuantKernels.quantizeInto(ctx, p, type, srcMd, src, dstMd);
    }
}
