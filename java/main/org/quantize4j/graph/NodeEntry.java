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
     * single-output ops, the op's own output names where MXNet defines them ({@code bn_mean},
     * {@code quantized_conv_min_output}), {@code <node>_output<i>} otherwise; a variable's entry is its
     * own name. See {@link OutputNames}.
     */
    public String outputName() {
        return OutputNames.of(node, index);
    }

    @Override
    public String toString() {
        return node.name() + "[" + index + "]";
    }
}
