package org.quantize4j.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of an MXNet symbol graph: an operator application, or a variable ({@code op == "null"}:
 * data input, weight, aux state). Attribute values are MXNet's strings ({@code "(3, 3)"}, {@code "True"})
 * in their original order; {@link Attrs} parses them.
 *
 * <pre>{@code
 * Node conv = Node.op("Convolution", "conv0", Map.of("kernel", "(3, 3)", "num_filter", "16"),
 *                     List.of(new NodeEntry(data, 0), new NodeEntry(weight, 0)));
 * }</pre>
 */
public final class Node {
    /** The op name MXNet uses for variables. */
    public static final String VARIABLE_OP = "null";

    private String op;
    private String name;
    private final LinkedHashMap<String, String> attrs;
    private final List<NodeEntry> inputs;
    /** Subgraphs of fused nodes ({@code _sg_mkldnn_conv} and friends), in file order. */
    private final List<Symbol> subgraphs;
    /** nnvm control dependencies (JSON {@code "control_deps"}): nodes that must run before this one. */
    private final List<Node> controlDeps;
    /** Outputs the node has, counting hidden ones (BatchNorm has 3); sets node_row_ptr. */
    private int numOutputs;
    /** JSON fields of the node that we do not interpret, kept verbatim for round trips. */
    private final LinkedHashMap<String, Object> extraFields;
    /** Which key the attributes came from ("attrs", "attr" or "param"); written back the same way. */
    private String attrsKey = "attrs";

    public Node(String op, String name, Map<String, String> attrs, List<NodeEntry> inputs, int numOutputs) {
        this.op = op;
        this.name = name;
        this.attrs = new LinkedHashMap<>(attrs);
        this.inputs = new ArrayList<>(inputs);
        this.subgraphs = new ArrayList<>();
        this.controlDeps = new ArrayList<>();
        this.numOutputs = numOutputs;
        this.extraFields = new LinkedHashMap<>();
    }

    /** A variable (graph input or parameter). */
    public static Node variable(String name) {
        return new Node(VARIABLE_OP, name, Map.of(), List.of(), 1);
    }

    /** An operator node with one visible output. */
    public static Node op(String op, String name, Map<String, String> attrs, List<NodeEntry> inputs) {
        return new Node(op, name, attrs, inputs, 1);
    }

    public String op() { return op; }

    public void setOp(String op) { this.op = op; }

    public String name() { return name; }

    public void setName(String name) { this.name = name; }

    public boolean isVariable() { return VARIABLE_OP.equals(op); }

    /** Live, ordered attribute map. */
    public Map<String, String> attrs() { return attrs; }

    public String attr(String key) { return attrs.get(key); }

    public String attr(String key, String fallback) { return attrs.getOrDefault(key, fallback); }

    public void setAttr(String key, String value) { attrs.put(key, value); }

    /** Live input list. */
    public List<NodeEntry> inputs() { return inputs; }

    public NodeEntry input(int i) { return inputs.get(i); }

    /** Live subgraph list (empty for ordinary nodes). */
    public List<Symbol> subgraphs() { return subgraphs; }

    /** Live list of control dependencies (rare; kept so JSON round trips keep them). */
    public List<Node> controlDeps() { return controlDeps; }

    /** Outputs the node has, counting hidden ones (BatchNorm: 3); {@code node_row_ptr} is built from it. */
    public int numOutputs() { return numOutputs; }

    public void setNumOutputs(int numOutputs) { this.numOutputs = numOutputs; }

    /** Output {@code i} of this node. */
    public NodeEntry output(int i) { return new NodeEntry(this, i); }

    /**
     * JSON fields of the node that are not interpreted (values as plain Java objects: String, Number,
     * Boolean, List, Map), written back after {@code "inputs"} in this order.
     */
    public Map<String, Object> extraFields() { return extraFields; }

    /** Key the attributes are written under: {@code "attrs"} (MXNet >= 0.9), {@code "attr"} or {@code "param"}. */
    public String attrsKey() { return attrsKey; }

    public void setAttrsKey(String attrsKey) {
        if (!attrsKey.equals("attrs") && !attrsKey.equals("attr") && !attrsKey.equals("param")) {
            throw new IllegalArgumentException("attribute key must be attrs, attr or param, not '" + attrsKey + "'");
        }
        this.attrsKey = attrsKey;
    }

    @Override
    public String toString() {
        return name + "(" + op + ")";
    }
}
