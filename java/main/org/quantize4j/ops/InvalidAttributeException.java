package org.quantize4j.ops;

/**
 * A node attribute that the op does not know, cannot parse, or whose value this runtime does not
 * support (e.g. {@code layout=NHWC}, {@code pool_type=lp}). The message names node, op and attribute.
 *
 * <pre>{@code
 * throw new InvalidAttributeException("conv0", "Convolution", "layout", "value 'NHWC' is not supported");
 * }</pre>
 */
public class InvalidAttributeException extends IllegalArgumentException {
    private final String nodeName;
    private final String opName;
    private final String attribute;

    public InvalidAttributeException(String nodeName, String opName, String attribute, String problem) {
        super("node '" + nodeName + "' (" + opName + "): attribute '" + attribute + "': " + problem);
        this.nodeName = nodeName;
        this.opName = opName;
        this.attribute = attribute;
    }

    public String nodeName() { return nodeName; }

    public String opName() { return opName; }

    public String attribute() { return attribute; }
}
