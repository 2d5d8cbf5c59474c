package org.quantize4j.ops;

import java.util.List;

import org.quantize4j.graph.Node;

/**
 * A node together with its op and parsed params, so callers can use {@link Op} without caring about
 * its params type.
 *
 * <pre>{@code
 * BoundOp<?> b = OpRegistry.standard().bind(node);
 * int outs = b.numOutputs();
 * }</pre>
 */
public record BoundOp<P>(Node node, Op<P> op, P params) {
    /** Parses {@code node}'s attributes with {@code op} (attribute names are checked by the registry). */
    public static <P> BoundOp<P> of(Node node, Op<P> op) {
        return new BoundOp<>(node, op, op.parse(new AttrReader(node, node.op())));
    }

    public List<String> inputNames() { return op.inputNames(params); }

    public InputRole inputRole(int i) { return op.inputRole(params, i); }

    public int numOutputs() { return op.numOutputs(params); }

    public int numVisibleOutputs() { return op.numVisibleOutputs(params); }

    public void inferShape(ShapeContext ctx) { op.inferShape(params, ctx); }

    public void inferType(TypeContext ctx) { op.inferType(params, ctx); }

    public void build(KernelContext ctx) { op.build(params, ctx); }

    public Quantizability quantizability() { return op.quantizability(params); }

    public boolean hasInt8Kernel() { return op.hasInt8Kernel(params); }

    public String quantizedOpName() { return op.quantizedOpName(params); }

    public boolean needsRequantize() { return op.needsRequantize(params); }
}
