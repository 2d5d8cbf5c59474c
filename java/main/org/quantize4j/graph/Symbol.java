package org.quantize4j.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An MXNet symbol: a graph of {@link Node}s in topological order (inputs before users) and its
 * outputs ({@code heads}). Read and written by {@link SymbolJson}.
 *
 * <pre>{@code
 * Symbol sym = SymbolJson.read(Path.of("model-symbol.json"));
 * List<String> args = sym.listArguments();              // data, conv0_weight, ...
 * Symbol conv0 = sym.internal("conv0_output");          // like sym.get_internals()["conv0_output"]
 * }</pre>
 */
public final class Symbol {
    private final List<Node> nodes;
    private final List<NodeEntry> heads;
    private final LinkedHashMap<String, Object> graphAttrs;

    /** A symbol over {@code nodes}, which must be in topological order and contain every head's node. */
    public Symbol(List<Node> nodes, List<NodeEntry> heads, Map<String, Object> graphAttrs) {
        this.nodes = new ArrayList<>(nodes);
        this.heads = new ArrayList<>(heads);
        this.graphAttrs = new LinkedHashMap<>(graphAttrs);
    }

    /**
     * The symbol whose outputs are {@code heads}, holding every node they depend on, in MXNet's
     * order (depth-first post-order over inputs, as nnvm's DFSVisit).
     */
    public static Symbol fromOutputs(List<NodeEntry> heads, Map<String, Object> graphAttrs) {
        return new Symbol(postOrder(heads), heads, graphAttrs);
    }

    private static List<Node> postOrder(List<NodeEntry> heads) {
        List<Node> order = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // Iterative DFS: deep graphs (resnet152) would overflow a recursive walk.
        for (NodeEntry head : heads) {
            if (!seen.add(head.node())) continue;
            Deque<Object[]> stack = new ArrayDeque<>();
            stack.push(new Object[] {head.node(), 0});
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Node n = (Node) top[0];
                int next = (Integer) top[1];
                // Inputs first, then control dependencies, as nnvm's DFSVisit.
                if (next < n.inputs().size() + n.controlDeps().size()) {
                    top[1] = next + 1;
                    Node in = next < n.inputs().size() ? n.inputs().get(next).node()
                            : n.controlDeps().get(next - n.inputs().size());
                    if (seen.add(in)) stack.push(new Object[] {in, 0});
                } else {
                    stack.pop();
                    order.add(n);
                }
            }
        }
        return order;
    }

    /** Live node list in topological order. */
    public List<Node> nodes() { return nodes; }

    /** Live list of outputs. */
    public List<NodeEntry> heads() { return heads; }

    /** Graph-level attributes, e.g. {@code mxnet_version}. */
    public Map<String, Object> graphAttrs() { return graphAttrs; }

    /** The node called {@code name}, or null. */
    public Node find(String name) {
        for (Node n : nodes) {
            if (n.name().equals(name)) return n;
        }
        return null;
    }

    /** Like {@link #find} but fails with a message naming the missing node. */
    public Node require(String name) {
        Node n = find(name);
        if (n == null) throw new IllegalArgumentException("symbol has no node named '" + name + "'");
        return n;
    }

    /** Names of all variables, in node order (MXNet's {@code list_inputs()}). */
    public List<String> listInputs() {
        List<String> out = new ArrayList<>();
        for (Node n : nodes) if (n.isVariable()) out.add(n.name());
        return out;
    }

    /** Variables that are not auxiliary states (MXNet's {@code list_arguments()}). */
    public List<String> listArguments() {
        Set<String> aux = new HashSet<>(listAuxiliaryStates());
        List<String> out = new ArrayList<>();
        for (String v : listInputs()) if (!aux.contains(v)) out.add(v);
        return out;
    }

    /**
     * Auxiliary states: variables feeding a BatchNorm's moving mean/var slots (inputs 3 and 4), MXNet's
     * {@code list_auxiliary_states()}. Fused nodes ({@code _sg_mkldnn_conv} with BatchNorm inside) are seen
     * through: an input is auxiliary when the matching variable of the subgraph is.
     */
    public List<String> listAuxiliaryStates() {
        List<String> out = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : nodes) {
            if (isBatchNormLike(n)) {
                for (int i = 3; i < Math.min(5, n.inputs().size()); i++) {
                    Node v = n.inputs().get(i).node();
                    if (v.isVariable() && seen.add(v)) out.add(v.name());
                }
            }
            // A subgraph node's inputs follow its subgraph's variables in order (extra min/max inputs come last).
            if (n.subgraphs().size() == 1) {
                Symbol sub = n.subgraphs().get(0);
                List<String> subInputs = sub.listInputs();
                Set<String> subAux = new HashSet<>(sub.listAuxiliaryStates());
                for (int i = 0; i < Math.min(subInputs.size(), n.inputs().size()); i++) {
                    Node v = n.inputs().get(i).node();
                    if (subAux.contains(subInputs.get(i)) && v.isVariable() && seen.add(v)) out.add(v.name());
                }
            }
        }
        // Keep node order, as MXNet does.
        List<String> ordered = new ArrayList<>();
        for (Node n : nodes) if (n.isVariable() && out.contains(n.name())) ordered.add(n.name());
        return ordered;
    }

    private static boolean isBatchNormLike(Node n) {
        String op = n.op();
        return op.equals("BatchNorm") || op.equals("_contrib_quantized_batch_norm") || op.equals("BatchNorm_v1");
    }

    /** Every output of every node by its internal name ({@code conv0_output}, variables by their name). */
    public Map<String, NodeEntry> internals() {
        Map<String, NodeEntry> out = new LinkedHashMap<>();
        for (Node n : nodes) {
            int visible = OutputNames.visibleOutputs(n);
            for (int i = 0; i < visible; i++) {
                NodeEntry e = new NodeEntry(n, i);
                out.put(e.outputName(), e);
            }
        }
        return out;
    }

    /**
     * MXNet's {@code sym.get_internals()}: a symbol whose outputs are every visible output of every node,
     * in node order.
     */
    public Symbol getInternals() {
        return new Symbol(nodes, new ArrayList<>(internals().values()), graphAttrs);
    }

    /** The symbol computing one internal output, named as in {@link #internals()}. */
    public Symbol internal(String outputName) {
        NodeEntry e = internals().get(outputName);
        if (e == null) {
            throw new IllegalArgumentException("symbol has no internal output '" + outputName + "'");
        }
        return fromOutputs(List.of(e), graphAttrs);
    }

    /** Names of the outputs, as MXNet's {@code list_outputs()}. */
    public List<String> listOutputs() {
        List<String> out = new ArrayList<>();
        for (NodeEntry h : heads) out.add(h.outputName());
        return out;
    }

    /** Index of a node in {@link #nodes()} (by identity), or -1. */
    public int indexOf(Node node) {
        for (int i = 0; i < nodes.size(); i++) if (nodes.get(i) == node) return i;
        return -1;
    }

    /** For each node, the nodes that consume one of its outputs (graph outputs not counted). */
    public Map<Node, List<Node>> consumers() {
        Map<Node, List<Node>> out = new IdentityHashMap<>();
        for (Node n : nodes) out.put(n, new ArrayList<>());
        for (Node n : nodes) {
            for (NodeEntry in : n.inputs()) out.computeIfAbsent(in.node(), k -> new ArrayList<>()).add(n);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Symbol(" + nodes.size() + " nodes, outputs " + listOutputs() + ")";
    }
}
