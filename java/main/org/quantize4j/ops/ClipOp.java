package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.global.dnnl.algorithm;

/**
 * MXNet {@code clip}: {@code min(max(x, a_min), a_max)} (ReLU6 in MobileNetV2), as oneDNN eltwise_clip.
 *
 * <pre>{@code
 * // relu6 = clip(x, a_min=0, a_max=6)
 * }</pre>
 */
public final class ClipOp implements Op<ClipOp.Params> {
    public record Params(float min, float max) {}

    private static final Set<String> ATTRS = Set.of("a_min", "a_max");

    @Override public String name() { return "clip"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        float lo = a.requiredFloat("a_min");
        float hi = a.requiredFloat("a_max");
        if (lo > hi) throw a.error("a_max", "a_max " + hi + " is below a_min " + lo);
        return new Params(lo, hi);
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        ctx.setOut(0, ctx.requireIn(0));
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        Eltwise.build(ctx, algorithm.eltwise_clip, p.min, p.max);
    }
}
