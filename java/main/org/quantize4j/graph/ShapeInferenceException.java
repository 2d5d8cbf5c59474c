package org.quantize4j.graph;

/**
 * Shapes in a graph do not fit: an input is too small for a kernel, a parameter's shape disagrees with
 * what its op requires, a shape cannot be determined. The message names the node and the shapes.
 *
 * <pre>{@code
 * try { ShapeInference.infer(sym, Map.of("data", new long[] {1, 3, 224, 224})); }
 * catch (ShapeInferenceException e) { log.error("{}", e.getMessage()); }
 * }</pre>
 */
public class ShapeInferenceException extends IllegalArgumentException {
    private final String nodeName;

    public ShapeInferenceException(String nodeName, String message) {
        super(message);
        this.nodeName = nodeName;
    }

    /** The node at fault (an op node or a variable), or null. */
    public String nodeName() { return nodeName; }
}
