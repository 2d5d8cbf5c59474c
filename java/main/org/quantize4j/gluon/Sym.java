package org.quantize4j.gluon;

import java.util.ArrayList;
import java.util.List;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;

/**
 * A symbolic value while a block is hybridized (Gluon's {@code Symbol} inside {@code hybrid_forward}): one
 * output of a graph node, or a group of outputs. Operators on it are in {@link F}.
 *
 * <pre>{@code
 * public Sym hybridForward(Sym x) {
 *     Sym residual = x;
 *     x = body.call(x);
 *     return F.activation(x.plus(residual), "relu");   // elemwise_add named _plus0, then activation0
 * }
 * }</pre>
 */
public final class Sym {
    private final List<NodeEntry> outputs;

    public Sym(NodeEntry entry) {
        this.outputs = List.of(entry);
    }

    private Sym(List<NodeEntry> outputs) {
        this.outputs = List.copyOf(outputs);
    }

    /** Several values as one (multi-output blocks), as {@code mx.sym.Group}. */
    public static Sym group(Sym... syms) {
        List<NodeEntry> out = new ArrayList<>();
        for (Sym s : syms) out.addAll(s.outputs);
        return new Sym(out);
    }

    /** The outputs (one for an ordinary value). */
    public List<NodeEntry> outputs() { return outputs; }

    /** The single output. */
    public NodeEntry entry() {
        if (outputs.size() != 1) {
            throw new IllegalStateException("expected a single value, got a group of " + outputs.size() + " outputs");
        }
        return outputs.get(0);
    }

    /** The node of the single output. */
    public Node node() { return entry().node(); }

    /** Number of outputs. */
    public int size() { return outputs.size(); }

    /** Output {@code i} of a group. */
    public Sym get(int i) { return new Sym(outputs.get(i)); }

    /** {@code this + other} as Python's {@code +} on symbols: {@code elemwise_add} named {@code _plusN}. */
    public Sym plus(Sym other) {
        return F.plus(this, other);
    }

    @Override
    public String toString() {
        return outputs.size() == 1 ? "Sym(" + outputs.get(0).outputName() + ")" : "Sym" + outputs;
    }
}
