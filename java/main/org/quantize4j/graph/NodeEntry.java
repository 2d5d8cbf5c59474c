package org.quantize4j.graph;

/**
 * One output of a node: {@code node}'s output number {@code index}. MXNet's JSON writes it as
 * {@code [nodeId, index, version]}; version is kept only for a faithful round trip.
 */
public record NodeEntry(Node node, int index, int version) {
    public NodeEntry(Node node, int index) {
        this(node, index, 0);
    }

    /**
     * The name MXNet gives this output in {@code get_internals()}: {@code <node>_output} for
     * single-output ops, {@code <node>_output<i>} otherwise; a variable's entry is its own name.
     */
    public String outputName() {
        if (node.isVariable()) return node.name();
        if (node.numOutputs() <= 1) return node.name() + "_output";
        return node.name() + "_output" + index;
    }

    @Override
    public String toString() {
        return node.name() + "[" + index + "]";
    }
}
