package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.global.dnnl.algorithm;

/**
 * MXNet {@code softmax} and {@code log_softmax} over {@code axis} (default -1), with optional
 * {@code temperature} (x / T first). {@code use_length=True} and non-float32 {@code dtype} are rejected.
 *
 * <pre>{@code
 * // prob = softmax(logits, axis=1)
 * }</pre>
 */
public final class SoftmaxOp implements Op<SoftmaxOp.Params> {
    public record Params(int axis, float temperature) {}

    private static final Set<String> ATTRS = Set.of("axis", "temperature", "dtype", "use_length");

    private final String name;
    private final algorithm alg;

    private SoftmaxOp(String name, algorithm alg) {
        this.name = name;
        this.alg = alg;
    }

    public static SoftmaxOp softmax() { return new SoftmaxOp("softmax", algorithm.softmax_accurate); }

    public static SoftmaxOp logSoftmax() { return new SoftmaxOp("log_softmax", algorithm.softmax_log); }

    @Override public String name() { return name; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        int axis = a.integer("axis", -1);
        float t = a.floatValue("temperature", 1f);
        if (!(t > 0)) throw a.error("temperature", "must be positive");
        String dtype = a.choice("dtype", "None", "None", "float16", "float32", "float64");
        if (!dtype.equals("None") && !dtype.equals("float32")) throw a.unsupported("dtype", "only float32 output is supported");
        if (a.bool("use_length", false)) throw a.unsupported("use_length", "length-masked softmax is not implemented");
        return new Params(axis, t);
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        int axis = p.axis < 0 ? p.axis + x.length : p.axis;
        if (axis < 0 || axis >= x.length) throw ctx.error("axis " + p.axis + " is out of range for shape " + ShapeContext.fmt(x));
        ctx.setOut(0, x);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        int rank = ctx.inputShape(0).length;
        Softmax.overAxis(ctx, alg, p.axis < 0 ? p.axis + rank : p.axis, p.temperature);
    }
}
