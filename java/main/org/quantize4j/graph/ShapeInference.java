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
import org.quantize4j.ops.TypeContext;

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
        private final Map<Node, DType[]> types;

        Result(Map<Node, long[][]> shapes, Map<Node, BoundOp<?>> ops, Map<String, long[]> variableShapes,
               Map<Node, DType[]> types) {
            this.shapes = shapes;
            this.ops = ops;
            this.variableShapes = variableShapes;
            this.types = types;
        }

        /** Shape of one node output, or null if it could not be inferred. */
        public long[] shape(NodeEntry e) {
            long[][] s = shapes.get(e.node());
            if (s == null || e.index() >= s.length || s[e.index()] == null) return null;
            return s[e.index()].clone();
        }

        /**
         * Element type of a node output from the ops' dtype rules: int8 / uint8 / int32 for quantized tensors,
         * float32 for min/max ranges and FP32 tensors; a variable's given type, {@code __dtype__}, or what its
         * consumers require (float32 when nothing says otherwise).
         */
        public DType dtype(NodeEntry e) {
            DType[] t = types.get(e.node());
            if (t == null || e.index() >= t.length || t[e.index()] == null) return DType.FLOAT32;
            return t[e.index()];
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
        return infer(symbol, knownShapes, Map.of(), registry);
    }

    /**
     * Shapes and element types, with the types of some variables known (e.g. the int8 weights of a quantized
     * model, from its params); other variables take their {@code __dtype__} or what their consumers require.
     *
     * @throws ShapeInferenceException also when a variable's type differs from what its consumer requires
     */
    public static Result infer(Symbol symbol, Map<String, long[]> knownShapes, Map<String, DType> knownTypes,
                               OpRegistry registry) {
        Map<Node, DType[]> types = new IdentityHashMap<>();
        Map<Node, long[][]> shapes = new IdentityHashMap<>();
        Map<Node, long[]> hints = new IdentityHashMap<>();
        Map<Node, BoundOp<?>> ops = new IdentityHashMap<>();
        for (Node n : symbol.nodes()) {
            if (!n.isVariable()) continue;
            DType kt = knownTypes.get(n.name());
            types.put(n, new DType[] {kt != null ? kt : declaredType(n)});
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
            types.put(n, inferTypes(n, op, names, types));
        }
        for (DType[] t : types.values()) {
            for (int j = 0; j < t.length; j++) if (t[j] == null) t[j] = DType.FLOAT32;
        }
        Map<String, long[]> vars = new LinkedHashMap<>();
        for (Node n : symbol.nodes()) {
            if (n.isVariable() && shapes.get(n)[0] != null) vars.put(n.name(), shapes.get(n)[0]);
        }
        return new Result(shapes, ops, vars, types);
    }

    /** Runs {@code op}'s dtype rule, filling unknown input types (variables) and checking known ones. */
    private static DType[] inferTypes(Node n, BoundOp<?> op, List<String> names, Map<Node, DType[]> types) {
        int nin = n.inputs().size();
        DType[] in = new DType[nin];
        for (int i = 0; i < nin; i++) {
            NodeEntry e = n.input(i);
            in[i] = types.get(e.node())[e.index()];
        }
        TypeContext ctx = new TypeContext(n, names, in, op.numOutputs());
        op.inferType(ctx);
        DType[] after = ctx.inputs();
        for (int i = 0; i < nin; i++) {
            NodeEntry e = n.input(i);
            DType[] t = types.get(e.node());
            if (t[e.index()] == null) t[e.index()] = after[i];
        }
        DType[] out = ctx.outputs().clone();
        for (int j = 0; j < out.length; j++) if (out[j] == null) out[j] = DType.FLOAT32;
        return out;
    }

    /** A variable's {@code __dtype__}, or null. */
    private static DType declaredType(Node n) {
        String s = n.attr("__dtype__");
        if (s == null) return null;
        try {
            return DType.fromMxnetFlag(Integer.parseInt(s.trim()));
        } catch (IllegalArgumentException e) {
            return null;
        }
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
