package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.reduction;

/**
 * MXNet {@code mean} over {@code axis} (a tuple; absent = all axes), with {@code keepdims} and
 * {@code exclude} (reduce all axes except those listed), as oneDNN {@code reduction_mean}. Reducing
 * every axis without keepdims gives shape (1,), as MXNet 1.x does.
 *
 * <pre>{@code
 * // gap = mean(x, axis=(2, 3), keepdims=True)
 * }</pre>
 */
public final class MeanOp implements Op<MeanOp.Params> {
    public record Params(int[] axis, boolean keepdims, boolean exclude) {}

    @Override public String name() { return "mean"; }

    @Override public Set<String> attributeNames() { return Set.of("axis", "keepdims", "exclude"); }

    @Override
    public Params parse(AttrReader a) {
        int[] axis;
        String raw = a.raw("axis");
        axis = raw == null || raw.trim().equals("None") ? null : a.intTuple("axis", new int[0]);
        return new Params(axis, a.bool("keepdims", false), a.bool("exclude", false));
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    /** Which axes are reduced, for a rank-{@code rank} input. */
    static boolean[] reduced(Params p, int rank, ShapeContext ctx) {
        boolean[] r = new boolean[rank];
        if (p.axis == null || p.axis.length == 0 && !p.exclude) {
            // MXNet: axis=() or None reduces everything.
            java.util.Arrays.fill(r, true);
            return r;
        }
        for (int ax : p.axis) {
            int a = ax < 0 ? ax + rank : ax;
            if (a < 0 || a >= rank) {
                if (ctx != null) throw ctx.error("axis " + ax + " is out of range for a " + rank + "-D input");
                throw new IllegalArgumentException("axis " + ax + " out of range");
            }
            r[a] = true;
        }
        if (p.exclude) for (int i = 0; i < rank; i++) r[i] = !r[i];
        return r;
    }

    static long[] keptShape(long[] x, boolean[] red) {
        long[] k = x.clone();
        for (int i = 0; i < x.length; i++) if (red[i]) k[i] = 1;
        return k;
    }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        boolean[] red = reduced(p, x.length, ctx);
        if (p.keepdims) {
            ctx.setOut(0, keptShape(x, red));
            return;
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) if (!red[i]) out.add(x[i]);
        if (out.isEmpty()) out.add(1L);
        ctx.setOut(0, out.stream().mapToLong(Long::longValue).toArray());
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        boolean[] red = reduced(p, x.length, null);
        long[] kept = keptShape(x, red);
        memory.desc srcMd = ctx.inputDesc(0);
        memory.desc dstMd = Layouts.plain(kept);
        memory out = ctx.output(0, Layouts.plain(ctx.outputShape(0)));
        memory dst = ctx.view(out, dstMd);
        reduction.primitive_desc pd;
        memory src;
        try {
            pd = new reduction.primitive_desc(ctx.engine(), algorithm.reduction_mean, srcMd, dstMd, 0f, 0f, ctx.newAttr(), false);
            src = ctx.input(0);
        } catch (RuntimeException e) {
            srcMd = Layouts.plain(x);
            pd = new reduction.primitive_desc(ctx.engine(), algorithm.reduction_mean, srcMd, dstMd, 0f, 0f, ctx.newAttr(), false);
            src = ctx.input(0, srcMd);
        }
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, src);
        args.put(DNNL_ARG_DST, dst);
        ctx.addPrimitive(new reduction(pd), pd, args);
    }
}
