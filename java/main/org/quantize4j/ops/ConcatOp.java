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

/**
 * MXNet {@code Concat} (alias {@code concat}): joins {@code num_args} inputs along {@code dim}
 * (default 1, channels), as oneDNN {@code concat} in the activation layout.
 *
 * <pre>{@code
 * // out = Concat(b1, b2, b3, b4, num_args=4, dim=1)
 * }</pre>
 */
public final class ConcatOp implements Op<ConcatOp.Params> {
    public record Params(int numArgs, int dim) {}

    private static final Set<String> ATTRS = Set.of("num_args", "dim");

    @Override public String name() { return "Concat"; }

    @Override public List<String> aliases() { return List.of("concat"); }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        int n = a.requiredInt("num_args");
        if (n < 1) throw a.error("num_args", "must be at least 1");
        return new Params(n, a.integer("dim", 1));
    }

    @Override
    public List<String> inputNames(Params p) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < p.numArgs; i++) names.add("arg" + i);
        return names;
    }

    private static int axis(Params p, int rank, ShapeContext ctx) {
        int d = p.dim < 0 ? p.dim + rank : p.dim;
        if (d < 0 || d >= rank) throw ctx.error("dim " + p.dim + " is out of range for " + rank + "-D inputs");
        return d;
    }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] first = ctx.requireIn(0);
        int d = axis(p, first.length, ctx);
        long[] out = first.clone();
        for (int i = 1; i < p.numArgs; i++) {
            long[] s = ctx.requireIn(i);
            boolean ok = s.length == first.length;
            for (int k = 0; ok && k < s.length; k++) if (k != d && s[k] != first[k]) ok = false;
            if (!ok) {
                throw ctx.error("input " + i + " has shape " + ShapeContext.fmt(s) + ", which does not match input 0 "
                        + ShapeContext.fmt(first) + " outside dim " + d);
            }
            out[d] += s[d];
        }
        ctx.setOut(0, out);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        long[] y = ctx.outputShape(0);
        int d = p.dim < 0 ? p.dim + y.length : p.dim;
        memory.desc[] srcMd = new memory.desc[p.numArgs];
        for (int i = 0; i < p.numArgs; i++) srcMd[i] = Layouts.activation(ctx.inputShape(i));
        memory.desc dstMd = Layouts.activation(y);
        concat.primitive_desc pd = new concat.primitive_desc(ctx.engine(), dstMd, d, new memory_desc_vector(srcMd),
                ctx.newAttr(), false);
        IntMemoryMap args = ctx.newArgs();
        for (int i = 0; i < p.numArgs; i++) args.put(DNNL_ARG_MULTIPLE_SRC + i, ctx.input(i, srcMd[i]));
        args.put(DNNL_ARG_DST, ctx.output(0, dstMd));
        ctx.addPrimitive(new concat(pd), pd, args);
    }

    @Override
    public Quantizability quantizability(Params p) { return Quantizability.SUPPORT; }

    /** MXNet's quantized concat only joins along {@code dim > 0}. */
    @Override
    public String quantizedOpName(Params p) { return p.dim > 0 ? "_contrib_quantized_concat" : null; }
}
