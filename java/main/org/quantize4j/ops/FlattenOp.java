package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.memory;

/**
 * MXNet {@code Flatten}: (N, d1, d2, ...) to (N, d1*d2*...) in row-major (NCHW) order. A view of plain
 * data (no copy); NHWC activations are reordered to plain first unless C or H*W is 1.
 *
 * <pre>{@code
 * // flat = Flatten(pool)
 * }</pre>
 */
public final class FlattenOp implements Op<FlattenOp.Params> {
    public record Params() {}

    @Override public String name() { return "Flatten"; }

    @Override public List<String> aliases() { return List.of("flatten"); }

    @Override public Set<String> attributeNames() { return Set.of(); }

    @Override public Params parse(AttrReader a) { return new Params(); }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        if (x.length == 0) throw ctx.error("cannot flatten a scalar");
        ctx.setOut(0, x.length == 1 ? new long[] {x[0], 1} : new long[] {x[0], Layouts.product(x, 1, x.length)});
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        memory in = ctx.input(0, Layouts.plain(ctx.inputShape(0)));
        ctx.outputAlias(0, in, Layouts.plain(ctx.outputShape(0)));
    }

    @Override
    public Quantizability quantizability(Params p) { return Quantizability.SUPPORT; }

    @Override
    public String quantizedOpName(Params p) { return "_contrib_quantized_flatten"; }
}
