package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.softmax_forward;

/** Shared oneDNN softmax builders for the softmax-family ops. */
final class Softmax {
    private Softmax() {
    }

    /**
     * Softmax over {@code axis} of input 0 in its own layout (oneDNN's softmax takes a logical axis, so
     * NHWC data needs no reorder), optionally dividing by {@code temperature} first.
     */
    static void overAxis(KernelContext ctx, algorithm alg, int axis, float temperature) {
        memory.desc md = ctx.inputDesc(0);
        memory src = ctx.input(0);
        if (temperature != 1f) {
            memory t = ctx.temp(md);
            Eltwise.step(ctx, algorithm.eltwise_linear, 1f / temperature, 0f, md, src, t);
            src = t;
            step(ctx, alg, axis, md, src, ctx.output(0, md));
            return;
        }
        step(ctx, alg, axis, md, src, ctx.outputInPlace(0, md, 0));
    }

    /** Softmax over everything but axis 0, as MXNet's flattening softmaxes do: (N, rest) in row-major order. */
    static void flattened(KernelContext ctx, algorithm alg) {
        long[] x = ctx.inputShape(0);
        if (x.length == 2) {
            overAxis(ctx, alg, 1, 1f);
            return;
        }
        long rows = x[0];
        long cols = Layouts.product(x, 1, x.length);
        memory.desc md2 = Layouts.plain(new long[] {rows, cols});
        memory src = ctx.view(ctx.input(0, Layouts.plain(x)), md2);
        memory dst = ctx.view(ctx.output(0, Layouts.plain(ctx.outputShape(0))), md2);
        step(ctx, alg, 1, md2, src, dst);
    }

    static void step(KernelContext ctx, algorithm alg, int axis, memory.desc md, memory src, memory dst) {
        softmax_forward.primitive_desc pd = new softmax_forward.primitive_desc(ctx.engine(), prop_kind.forward_inference,
                alg, md, md, axis, ctx.newAttr(), false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, src);
        args.put(DNNL_ARG_DST, dst);
        ctx.addPrimitive(new softmax_forward(pd), pd, args);
    }
}
