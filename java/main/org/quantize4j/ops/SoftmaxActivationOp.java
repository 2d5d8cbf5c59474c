package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.global.dnnl.algorithm;

/**
 * MXNet {@code SoftmaxActivation} (deprecated): mode "instance" (default) is a softmax over all axes
 * but the first (row-major), mode "channel" a softmax over axis 1.
 *
 * <pre>{@code
 * // p = SoftmaxActivation(x, mode="channel")
 * }</pre>
 */
public final class SoftmaxActivationOp implements Op<SoftmaxActivationOp.Params> {
    public record Params(boolean channel) {}

    @Override public String name() { return "SoftmaxActivation"; }

    @Override public Set<String> attributeNames() { return Set.of("mode"); }

    @Override
    public Params parse(AttrReader a) {
        return new Params(a.choice("mode", "instance", "channel", "instance").equals("channel"));
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        if (x.length < 2) throw ctx.error("needs at least 2 dimensions, got " + ShapeContext.fmt(x));
        ctx.setOut(0, x);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        if (p.channel) Softmax.overAxis(ctx, algorithm.softmax_accurate, 1, 1f);
        else Softmax.flattened(ctx, algorithm.softmax_accurate);
    }
}
