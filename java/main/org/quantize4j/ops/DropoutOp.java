package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

/**
 * MXNet {@code Dropout}: the identity at inference (its output aliases its input, no copy). MXNet
 * counts 2 outputs (output, mask), 1 visible. {@code mode="always"} with p &gt; 0 drops at inference
 * too, which a deterministic runtime cannot do: rejected.
 *
 * <pre>{@code
 * // drop = Dropout(fc, p=0.5)
 * }</pre>
 */
public final class DropoutOp implements Op<DropoutOp.Params> {
    public record Params(float p) {}

    private static final Set<String> ATTRS = Set.of("p", "mode", "axes", "cudnn_off");

    @Override public String name() { return "Dropout"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        float p = a.floatValue("p", 0.5f);
        if (p < 0 || p > 1) throw a.error("p", "must be in [0, 1]");
        String mode = a.choice("mode", "training", "training", "always");
        if (mode.equals("always") && p > 0) throw a.unsupported("mode", "dropout at inference is random");
        a.intTuple("axes", new int[0]);
        a.bool("cudnn_off", false);
        return new Params(p);
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override public int numOutputs(Params p) { return 2; }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        ctx.setOut(0, x);
        ctx.setOut(1, x);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        ctx.outputAlias(0, ctx.input(0), ctx.inputDesc(0));
    }
}
