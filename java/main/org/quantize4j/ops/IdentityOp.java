package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

/**
 * MXNet's identity ops: {@code _copy} (alias {@code identity}) and {@code BlockGrad} (alias
 * {@code stop_gradient}). At inference both pass their input through; the output aliases the input.
 *
 * <pre>{@code
 * Op<?> id = OpRegistry.standard().find("identity");
 * }</pre>
 */
public final class IdentityOp implements Op<IdentityOp.Params> {
    public record Params() {}

    private final String name;
    private final List<String> aliases;

    private IdentityOp(String name, List<String> aliases) {
        this.name = name;
        this.aliases = aliases;
    }

    public static IdentityOp copy() { return new IdentityOp("_copy", List.of("identity")); }

    public static IdentityOp blockGrad() { return new IdentityOp("BlockGrad", List.of("stop_gradient")); }

    @Override public String name() { return name; }

    @Override public List<String> aliases() { return aliases; }

    @Override public Set<String> attributeNames() { return Set.of(); }

    @Override public Params parse(AttrReader a) { return new Params(); }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        ctx.setOut(0, ctx.requireIn(0));
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        ctx.outputAlias(0, ctx.input(0), ctx.inputDesc(0));
    }
}
