package org.quantize4j.ops;

import java.util.List;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.ShapeInferenceException;
import org.quantize4j.ndarray.DType;

/**
 * What an op's dtype rule sees (MXNet's FInferType): the known element types of the inputs (null where
 * unknown, e.g. a weight variable without {@code __dtype__}) and slots for the output types. A rule states
 * what it needs of inputs with {@link #assignIn} (filled if unknown, checked if known) and sets every
 * output with {@link #setOut}.
 *
 * <pre>{@code
 * DType x = ctx.in(0);                       // INT8 or UINT8 for a quantized conv
 * ctx.assignIn(1, DType.INT8);               // the weight
 * ctx.setOut(0, DType.INT32);
 * }</pre>
 */
public final class TypeContext {
    private final Node node;
    private final List<String> inputNames;
    private final DType[] in;
    private final DType[] out;

    public TypeContext(Node node, List<String> inputNames, DType[] in, int numOutputs) {
        this.node = node;
        this.inputNames = inputNames;
        this.in = in;
        this.out = new DType[numOutputs];
    }

    public Node node() { return node; }

    public int numInputs() { return in.length; }

    public int numOutputs() { return out.length; }

    /** Input {@code i}'s type, or null if not known yet. */
    public DType in(int i) { return in[i]; }

    /** Input {@code i}'s type; fails naming the node and input when it is unknown. */
    public DType requireIn(int i) {
        if (in[i] == null) throw error("the element type of input " + i + " ('" + inputNames.get(i) + "') is unknown");
        return in[i];
    }

    /** Input {@code i} must have type {@code t}: sets it when unknown, fails when a known type differs. */
    public void assignIn(int i, DType t) {
        if (in[i] == null) {
            in[i] = t;
        } else if (in[i] != t) {
            throw error("input " + i + " ('" + inputNames.get(i) + "') is " + in[i].mxnetName() + " but the op needs "
                    + t.mxnetName() + hint(in[i]));
        }
    }

    /** Input {@code i} must be one of {@code allowed}; an unknown input gets the first. */
    public DType requireOneOf(int i, DType... allowed) {
        if (in[i] == null) {
            in[i] = allowed[0];
            return in[i];
        }
        for (DType t : allowed) if (t == in[i]) return t;
        StringBuilder sb = new StringBuilder();
        for (DType t : allowed) sb.append(sb.length() == 0 ? "" : " or ").append(t.mxnetName());
        throw error("input " + i + " ('" + inputNames.get(i) + "') is " + in[i].mxnetName() + " but the op needs " + sb + hint(in[i]));
    }

    private static String hint(DType got) {
        return switch (got) {
            case INT8, UINT8, INT32 -> " (a quantized tensor reaches an op that does not take it; is a _contrib_dequantize missing?)";
            default -> "";
        };
    }

    public void setOut(int j, DType t) { out[j] = t; }

    /** Output types set so far (null where not set). */
    public DType[] outputs() { return out; }

    /** Input types after the rule ran. */
    public DType[] inputs() { return in; }

    public ShapeInferenceException error(String problem) {
        return new ShapeInferenceException(node.name(), "node '" + node.name() + "' (" + node.op() + "): " + problem);
    }
}
