package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;

/** Builds oneDNN eltwise steps for the activation-like ops (in place where the input dies). */
final class Eltwise {
    private Eltwise() {
    }

    /** out0 = alg(in0) in the input's layout. */
    static void build(KernelContext ctx, algorithm alg, float alpha, float beta) {
        memory.desc md = ctx.inputDesc(0);
        memory src = ctx.input(0);
        memory dst = ctx.outputInPlace(0, md, 0);
        step(ctx, alg, alpha, beta, md, src, dst);
    }

    /** One eltwise primitive from {@code src} to {@code dst} (may be the same memory). */
    static void step(KernelContext ctx, algorithm alg, float alpha, float beta, memory.desc md, memory src, memory dst) {
        eltwise_forward.primitive_desc pd = new eltwise_forward.primitive_desc(ctx.engine(), prop_kind.forward_inference,
                alg, md, md, alpha, beta, ctx.newAttr(), false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, src);
        args.put(DNNL_ARG_DST, dst);
        ctx.addPrimitive(new eltwise_forward(pd), pd, args);
    }
}
