package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MULTIPLE_SRC;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.concat;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.memory_desc_vector;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_quantized_concat}: Concat's attributes; inputs {@code arg0 .. argN-1} (int8/uint8),
 * then {@code argI_min, argI_max} per input. Output int8 if any input is int8, else uint8, with the widest
 * input range ({@code amax = max amax_i}). When all ranges are build-time constants equal to the output's
 * and the types agree: one oneDNN concat; otherwise each input is rescaled into its slice of the output by
 * a reorder with scales {@code unit_i / unit_out} (scales computed at run time when ranges are).
 *
 * <pre>{@code
 * // quantized_concat0 = _contrib_quantized_concat(a_q, b_q, a_q[1], a_q[2], b_q[1], b_q[2], num_args=2, dim=1)
 * }</pre>
 */
public final class QuantizedConcatOp implements Op<ConcatOp.Params> {
    private static final ConcatOp FP32 = new ConcatOp();

    @Override public String name() { return "_contrib_quantized_concat"; }

    @Override public Set<String> attributeNames() { return FP32.attributeNames(); }

    @Override public ConcatOp.Params parse(AttrReader a) { return FP32.parse(a); }

    @Override
    public List<String> inputNames(ConcatOp.Params p) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < p.numArgs(); i++) names.add("arg" + i);
        for (int i = 0; i < p.numArgs(); i++) {
            names.add("arg" + i + "_min");
            names.add("arg" + i + "_max");
        }
        return names;
    }

    @Override
    public InputRole inputRole(ConcatOp.Params p, int i) { return i < p.numArgs() ? InputRole.DATA : InputRole.RANGE; }

    @Override public int numOutputs(ConcatOp.Params p) { return 3; }

    @Override public int numVisibleOutputs(ConcatOp.Params p) { return 3; }

    @Override
    public void inferShape(ConcatOp.Params p, ShapeContext ctx) {
        QuantKernels.tripleShapes(ctx, p.numArgs(), 1, c -> FP32.inferShape(p, c));
    }

    @Override
    public void inferType(ConcatOp.Params p, TypeContext ctx) {
        DType out = DType.UINT8;
        for (int i = 0; i < p.numArgs(); i++) {
            if (ctx.requireOneOf(i, DType.INT8, DType.UINT8) == DType.INT8) out = DType.INT8;
        }
        QuantKernels.rangeTypes(ctx, p.numArgs());
        ctx.setOut(0, out);
    }

    @Override
    public void build(ConcatOp.Params p, KernelContext ctx) {
        int n = p.numArgs();
        long[] y = ctx.outputShape(0);
        int axis = p.dim() < 0 ? p.dim() + y.length : p.dim();
        DType outType = ctx.outputType(0);
        float outLevels = Int8.levels(outType);
        RangeCalc r = new RangeCalc(ctx);
        int[] lo = new int[n];
        int[] hi = new int[n];
        int[] all = new int[2 * n];
        for (int i = 0; i < n; i++) {
            lo[i] = r.input(n + 2 * i);
            hi[i] = r.input(n + 2 * i + 1);
            all[2 * i] = lo[i];
            all[2 * i + 1] = hi[i];
        }
        RangeCalc.Fn amaxOut = v -> {
            float m = 0f;
            for (int i = 0; i < n; i++) m = Math.max(m, Int8.amax(v[lo[i]], v[hi[i]]));
            return m;
        };
        QuantKernels.int8RangeOutputs(r, outType, amaxOut, all);

        memory.data_type odt = Int8.physicalType(outType);
        memory.desc dstMd = Layouts.activation(y, odt);
        boolean same = r.isConstant(all);
        float outAmax = same ? 0f : Float.NaN;
        if (same) {
            for (int i = 0; i < n; i++) outAmax = Math.max(outAmax, Int8.amax(r.value(lo[i]), r.value(hi[i])));
            for (int i = 0; i < n && same; i++) {
                same = ctx.inputType(i) == outType && Int8.amax(r.value(lo[i]), r.value(hi[i])) == outAmax;
            }
        }
        if (same) {
            r.finish();
            memory.desc[] srcMd = new memory.desc[n];
            for (int i = 0; i < n; i++) srcMd[i] = Layouts.activation(ctx.inputShape(i), odt);
            concat.primitive_desc pd = new concat.primitive_desc(ctx.engine(), dstMd, axis, new memory_desc_vector(srcMd),
                    ctx.newAttr(), false);
            IntMemoryMap args = ctx.newArgs();
            for (int i = 0; i < n; i++) args.put(DNNL_ARG_MULTIPLE_SRC + i, ctx.input(i, srcMd[i]));
            args.put(DNNL_ARG_DST, ctx.output(0, dstMd));
            ctx.addPrimitive(new concat(pd), pd, args);
            return;
        }
        // Rescale every input into its slice of the output.
        memory dstScale = r.scale(v -> Int8.unitOfAmax(amaxOut.apply(v), outLevels), all);
        memory[] srcScale = new memory[n];
        for (int i = 0; i < n; i++) {
            int l = lo[i];
            int h = hi[i];
            float levels = Int8.levels(ctx.inputType(i));
            srcScale[i] = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[l], v[h]), levels), l, h);
        }
        r.finish();
        memory dst = ctx.output(0, dstMd);
        long offset = 0;
        for (int i = 0; i < n; i++) {
            long[] xs = ctx.inputShape(i);
            memory.desc srcMd = Layouts.activation(xs, Int8.physicalType(ctx.inputType(i)));
            long[] offsets = new long[y.length];
            offsets[axis] = offset;
            memory.desc sub = dstMd.submemory_desc(xs, offsets);
            QuantKernels.scaledReorder(ctx, srcMd, ctx.input(i, srcMd), sub, ctx.view(dst, sub), srcScale[i], dstScale);
            offset += xs[axis];
        }
    }
}
