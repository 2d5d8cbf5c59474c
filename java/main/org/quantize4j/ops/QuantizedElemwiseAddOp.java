package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_quantized_elemwise_add}: {@code lhs + rhs} of two int8/uint8 triples with their own
 * ranges; inputs {@code lhs, rhs, lhs_min, lhs_max, rhs_min, rhs_max}. Output an int32 triple, or, with
 * {@code min_calib_range} / {@code max_calib_range}, int8/uint8 in that range (uint8 only when both inputs
 * are uint8), as MXNet's type rule says.
 *
 * <p>Two oneDNN reorders: {@code a} scaled by its unit into the float32 result (the runtime's int32,
 * {@link Int8}), then {@code b} scaled by its own unit and added (sum post-op); scales are run-time arguments
 * (constant, or computed from run-time ranges). A calibrated output is quantized by one more reorder.
 * The int32 output's range is reported as {@code +-(amax_lhs + amax_rhs)}, which bounds the sum.
 *
 * <pre>{@code
 * // quantized_add = _contrib_quantized_elemwise_add(a_q, b_q, a_q[1], a_q[2], b_q[1], b_q[2])
 * }</pre>
 */
public final class QuantizedElemwiseAddOp implements Op<QuantizedElemwiseAddOp.Params> {
    /** Calibrated output range (null = int32 output); float output only for mul. */
    public record Params(Float minCalib, Float maxCalib, boolean floatOutput) {
        boolean calibrated() { return minCalib != null; }
    }

    private static final Set<String> ATTRS = Set.of("min_calib_range", "max_calib_range");

    @Override public String name() { return "_contrib_quantized_elemwise_add"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        Float lo = QuantKernels.optionalFloat(a, "min_calib_range");
        Float hi = QuantKernels.optionalFloat(a, "max_calib_range");
        QuantKernels.checkCalib(a, lo, hi);
        return new Params(lo, hi, false);
    }

    @Override
    public List<String> inputNames(Params p) { return List.of("lhs", "rhs", "lhs_min", "lhs_max", "rhs_min", "rhs_max"); }

    @Override
    public InputRole inputRole(Params p, int i) { return i < 2 ? InputRole.DATA : InputRole.RANGE; }

    @Override public int numOutputs(Params p) { return 3; }

    @Override public int numVisibleOutputs(Params p) { return 3; }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        inferBinaryShape(ctx);
    }

    static void inferBinaryShape(ShapeContext ctx) {
        long[] a = ctx.requireIn(0);
        ctx.assignIn(1, a);
        QuantKernels.rangeShapes(ctx, 2);
        ctx.setOut(0, a);
        ctx.setOut(1, new long[] {1});
        ctx.setOut(2, new long[] {1});
    }

    @Override
    public void inferType(Params p, TypeContext ctx) {
        inferBinaryType(p, ctx);
    }

    static void inferBinaryType(Params p, TypeContext ctx) {
        DType a = ctx.requireOneOf(0, DType.INT8, DType.UINT8);
        DType b = ctx.requireOneOf(1, DType.INT8, DType.UINT8);
        QuantKernels.rangeTypes(ctx, 2);
        DType out = DType.INT32;
        if (p.floatOutput()) out = DType.FLOAT32;
        else if (p.calibrated()) out = a == b ? a : DType.INT8;
        ctx.setOut(0, out);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        buildBinary(p, ctx, algorithm.binary_add);
    }

    /**
     * {@code dst = op(unit_a * a, unit_b * b)}, float32 reals (int32 / float output) or quantized with the
     * calibrated range. Built from jit kernels only (oneDNN's binary with int8 sources and scale arguments is
     * its slow reference implementation): add = a scaling reorder of {@code a} into the float32 result, then
     * one of {@code b} accumulating (sum post-op); mul = both dequantized to scratch, then a float32 binary.
     * A calibrated int8 output adds one quantizing step.
     */
    static void buildBinary(Params p, KernelContext ctx, algorithm alg) {
        boolean add = alg == algorithm.binary_add;
        long[] shape = ctx.inputShape(0);
        DType ta = ctx.inputType(0);
        DType tb = ctx.inputType(1);
        DType out = ctx.outputType(0);
        RangeCalc r = new RangeCalc(ctx);
        int alo = r.input(2);
        int ahi = r.input(3);
        int blo = r.input(4);
        int bhi = r.input(5);
        float la = Int8.levels(ta);
        float lb = Int8.levels(tb);
        memory scaleA = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[alo], v[ahi]), la), alo, ahi);
        memory scaleB = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[blo], v[bhi]), lb), blo, bhi);
        boolean quantized = Int8.isInt8(out);
        float outUnit = 1f;
        if (quantized) {
            float amax = Int8.amax(p.minCalib(), p.maxCalib());
            outUnit = Int8.unitOfAmax(amax, Int8.levels(out));
            QuantKernels.int8RangeOutputs(r, out, v -> amax);
        } else {
            RangeCalc.Fn bound = add ? v -> Int8.amax(v[alo], v[ahi]) + Int8.amax(v[blo], v[bhi])
                    : v -> Int8.amax(v[alo], v[ahi]) * Int8.amax(v[blo], v[bhi]);
            r.output(1, v -> -bound.apply(v), alo, ahi, blo, bhi);
            r.output(2, bound, alo, ahi, blo, bhi);
        }
        r.finish();

        memory.desc mdA = Layouts.likeInput(ctx.inputDesc(0), shape, Int8.physicalType(ta));
        memory.desc mdB = Layouts.likeInput(mdA, shape, Int8.physicalType(tb));
        memory.desc mdF = Layouts.likeInput(mdA, shape, memory.data_type.f32);
        memory.desc mdOut = Layouts.likeInput(mdA, shape, Int8.physicalType(out));
        memory a = ctx.input(0, mdA);
        memory b = ctx.input(1, mdB);
        memory dst = ctx.output(0, mdOut);
        if (add) {
            memory real = quantized ? ctx.temp(mdF) : dst;
            QuantKernels.scaledReorder(ctx, mdA, a, mdF, real, scaleA, null);
            QuantKernels.scaledReorder(ctx, mdB, b, mdF, real, scaleB, null, true);
            if (quantized) {
                QuantKernels.scaledReorder(ctx, mdF, real, mdOut, dst, null, ctx.constant(Layouts.plain(new long[] {1}),
                        new float[] {outUnit}));
            }
            return;
        }
        memory ra = ctx.temp(mdF);
        memory rb = ctx.temp(mdF);
        QuantKernels.scaledReorder(ctx, mdA, a, mdF, ra, scaleA, null);
        QuantKernels.scaledReorder(ctx, mdB, b, mdF, rb, scaleB, null);
        primitive_attr attr = ctx.newAttr();
        if (quantized) {
            // binary has no destination scale: quantize with a linear post-op (rounding and saturation follow).
            post_ops po = new post_ops();
            po.append_eltwise(algorithm.eltwise_linear, 1f / outUnit, 0f);
            attr.set_post_ops(po);
        }
        binary.primitive_desc pd = new binary.primitive_desc(ctx.engine(), alg, mdF, mdF, mdOut, attr, false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC_0, ra);
        args.put(DNNL_ARG_SRC_1, rb);
        args.put(DNNL_ARG_DST, dst);
        ctx.addPrimitive(new binary(pd), pd, args);
    }
}
