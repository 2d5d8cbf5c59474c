package org.quantize4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.quantize4j.ndarray.DType;
import org.quantize4j.ops.BoundOp;
import org.quantize4j.ops.OpRegistry;
import org.quantize4j.ops.ShapeContext;

/**
 * Shape (and dtype) inference over a symbol from the shapes of some variables (typically the data
 * input, plus parameters when they are loaded), using each op's shape rule from the {@link OpRegistry}.
 * One pass in topological order: data shapes flow forward and each op fills in the shapes of its
 * unknown parameter inputs (conv weights, BN statistics, ...). Variables' {@code __shape__} hints
 * (MXNet writes 0 for unknown dimensions) are checked against what the ops require.
 *
 * <pre>{@code
 * ShapeInference.Result r = ShapeInference.infer(sym, Map.of("data", new long[] {1, 3, 224, 224}));
 * long[] out = r.shape(sym.heads().get(0));                  // (1, 1000)
 * long[] w = r.variableShapes().get("conv0_weight");         // (64, 3, 7, 7)
 * }</pre>
 *
 * Errors ({@link ShapeInferenceException}, or the registry's exceptions for unknown ops/attributes)
 * name the node and the shapes that disagree.
 */
public final class ShapeInference {
    private ShapeInference() {
    }

    /** The inferred shapes. */
    public static final class Result {
        private final Map<Node, long[][]> shapes;
        private final Map<Node, BoundOp<?>> ops;
        private final Map<String, long[]> variableShapes;

        Result(Map<Node, long[][]> shapes, Map<Node, BoundOp<?>> ops, Map<String, long[]> variableShapes) {
            this.shapes = shapes;
            this.ops = ops;
            this.variableShapes = variableShapes;
        }

        /** Shape of one node output, or null if it could not be inferred. */
        public long[] shape(NodeEntry e) {
            long[][] s = shapes.get(e.node());
            if (s == null || e.index() >= s.length || s[e.index()] == null) return null;
            return s[e.index()].clone();
        }

        /** Element type of a node output: a variable's {@code __dtype__}, float32 for op outputs. */
        public DType dtype(NodeEntry e) {
            Node n = e.node();
            if (n.isVariable() && n.attr("__dtype__") != null) {
                try {
                    return DType.fromMxnetFlag(Integer.parseInt(n.attr("__dtype__").trim()));
                } catch (IllegalArgumentException ex) {
                    return DType.FLOAT32;
                }
            }
            return DType.FLOAT32;
        }

        /** Every variable whose shape is known, given or inferred (weights included), in node order. */
        public Map<String, long[]> variableShapes() {
            Map<String, long[]> out = new LinkedHashMap<>();
            variableShapes.forEach((k, v) -> out.put(k, v.clone()));
            return out;
        }

        /** The bound op of an op node (attributes parsed once). */
        public BoundOp<?> op(Node n) { return ops.get(n); }
    }

    public static Result infer(Symbol symbol, Map<String, long[]> knownShapes) {
        return infer(symbol, knownShapes, OpRegistry.standard());
    }

    public static Result infer(Symbol symbol, Map<String, long[]> knownShapes, OpRegistry registry) {
        Map<Node, long[][]> shapes = new IdentityHashMap<>();
        Map<Node, long[]> hints = new IdentityHashMap<>();
        Map<Node, BoundOp<?>> ops = new IdentityHashMap<>();
        for (Node n : symbol.nodes()) {
            if (!n.isVariable()) continue;
            long[] known = knownShapes.get(n.name());
            long[] hint = parseHint(n);
            if (known != null) {
                if (hint != null && !fits(known, hint)) {
                    throw new ShapeInferenceException(n.name(), "variable '" + n.name() + "' is given shape "
                            + ShapeContext.fmt(known) + " but the symbol declares " + ShapeContext.fmt(hint));
                }
                shapes.put(n, new long[][] {known.clone()});
            } else if (hint != null && isComplete(hint)) {
                shapes.put(n, new long[][] {hint});
            } else {
                shapes.put(n, new long[][] {null});
                if (hint != null) hints.put(n, hint);
            }
        }
        for (Node n : symbol.nodes()) {
            if (n.isVariable()) continue;
            BoundOp<?> op = registry.bind(n);
            ops.put(n, op);
            int nin = n.inputs().size();
            long[][] in = new long[nin][];
            long[][] inHints = new long[nin][];
            List<String> names = new ArrayList<>();
            for (int i = 0; i < nin; i++) {
                NodeEntry e = n.input(i);
                long[][] s = shapes.get(e.node());
                if (s == null) throw new ShapeInferenceException(n.name(), "node '" + n.name() + "': input " + i + " comes from '"
                        + e.node().name() + "', which is not earlier in the graph");
                if (e.index() >= s.length) {
                    throw new ShapeInferenceException(n.name(), "node '" + n.name() + "': input " + i + " refers to output "
                            + e.index() + " of '" + e.node().name() + "', which has only " + s.length + " outputs");
                }
                in[i] = s[e.index()] == null ? null : s[e.index()].clone();
                inHints[i] = e.node().isVariable() ? hints.get(e.node()) : null;
                names.add(e.node().isVariable() ? e.node().name() : e.outputName());
            }
            ShapeContext ctx = new ShapeContext(n, n.op(), names, in, inHints, op.numOutputs());
            op.inferShape(ctx);
            long[][] after = ctx.inputs();
            for (int i = 0; i < nin; i++) {
                NodeEntry e = n.input(i);
                long[][] s = shapes.get(e.node());
                if (s[e.index()] == null && after[i] != null) {
                    s[e.index()] = after[i].clone();
                } else if (s[e.index()] != null && after[i] != null && !Arrays.equals(s[e.index()], after[i])) {
                    throw ctx.error("input " + i + " ('" + names.get(i) + "') has shape " + ShapeContext.fmt(s[e.index()])
                            + " but the op requires " + ShapeContext.fmt(after[i]));
                }
            }
            long[][] outs = ctx.outputs();
            for (int j = 0; j < outs.length; j++) {
                if (outs[j] == null) throw ctx.error("the shape rule left output " + j + " unset");
            }
            shapes.put(n, outs);
        }
        Map<String, long[]> vars = new LinkedHashMap<>();
        for (Node n : symbol.nodes()) {
            if (n.isVariable() && shapes.get(n)[0] != null) vars.put(n.name(), shapes.get(n)[0]);
        }
        return new Result(shapes, ops, vars);
    }

    /** A variable's {@code __shape__} attribute, or null (also for "()" or unparsable values). */
    private static long[] parseHint(Node n) {
        String s = n.attr("__shape__");
        if (s == null) return null;
        try {
            long[] t = Attrs.longTuple(s);
            return t == null || t.length == 0 ? null : t;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isComplete(long[] hint) {
        for (long d : hint) if (d <= 0) return false;
        return true;
    }

    private static boolean fits(long[] shape, long[] hint) {
        if (hint.length != shape.length) return false;
        for (int d = 0; d < hint.length; d++) if (hint[d] > 0 && hint[d] != shape[d]) return false;
        return true;
    }
}
