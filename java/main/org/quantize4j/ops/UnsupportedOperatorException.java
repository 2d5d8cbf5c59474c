package org.quantize4j.ops;

/**
 * A graph node uses an operator this runtime does not implement. Raised while binding the graph
 * (when an executor is built), never at inference.
 *
 * <pre>{@code
 * try { registry.bind(node); }
 * catch (UnsupportedOperatorException e) { log.error("{} uses {}", e.nodeName(), e.opName()); }
 * }</pre>
 */
public class UnsupportedOperatorException extends IllegalArgumentException {
    private final String nodeName;
    private final String opName;

    public UnsupportedOperatorException(String nodeName, String opName) {
        super("node '" + nodeName + "': operator '" + opName + "' is not supported");
        this.nodeName = nodeName;
        this.opName = opName;
    }

    public UnsupportedOperatorException(String nodeName, String opName, String detail) {
        super("node '" + nodeName + "' (" + opName + "): " + detail);
        this.nodeName = nodeName;
        this.opName = opName;
    }

    public String nodeName() { return nodeName; }

    public String opName() { return opName; }
}
