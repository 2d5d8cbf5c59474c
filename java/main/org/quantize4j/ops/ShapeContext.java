package org.quantize4j.ops;

import java.util.Arrays;
import java.util.List;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.ShapeInferenceException;

/**
 * What an op's shape rule sees: the known input shapes (null where unknown, e.g. weights whose shape
 * follows from the data), partial hints for unknown ones, and slots for the output shapes. A rule reads
 * data shapes with {@link #requireIn}, states the shapes it needs for parameters with {@link #assignIn}
 * (filled if unknown, checked if known) and sets every output with {@link #setOut}.
 *
 * <pre>{@code
 * long[] x = ctx.requireIn(0);                          // (N, C, H, W)
 * ctx.assignIn(1, new long[] {numFilter, x[1] / groups, kh, kw});
 * ctx.setOut(0, new long[] {x[0], numFilter, oh, ow});
 * }</pre>
 */
public final class ShapeContext {
    private final Node node;
    private final String opName;
    private final List<String> inputNames;
    private final long[][] in;
    private final long[][] hints;
    private final long[][] out;

    /**
     * @param in    known input shapes (null entries = unknown); updated in place by {@link #assignIn}
     * @param hints partial shapes for unknown inputs (0 or -1 = unknown dimension), entries may be null
     * @param inputNames display names of the inputs (variable or producing node), for messages
     */
    public ShapeContext(Node node, String opName, List<String> inputNames, long[][] in, long[][] hints, int numOutputs) {
        this.node = node;
        this.opName = opName;
        this.inputNames = inputNames;
        this.in = in;
        this.hints = hints;
        this.out = new long[numOutputs][];
    }

    public Node node() { return node; }

    public int numInputs() { return in.length; }

    public int numOutputs() { return out.length; }

    /** Input {@code i}'s shape, or null if not yet known. */
    public long[] in(int i) { return in[i] == null ? null : in[i].clone(); }

    /** Input {@code i}'s shape; fails naming the node and input when it is unknown. */
    public long[] requireIn(int i) {
        if (in[i] == null) {
            throw error("the shape of input " + i + " ('" + inputNames.get(i) + "') is unknown; give it as an input shape");
        }
        return in[i].clone();
    }

    /**
     * States the shape input {@code i} must have: sets it when unknown (checking any partial hint), or
     * fails naming both shapes when a known shape differs.
     */
    public void assignIn(int i, long[] required) {
        if (in[i] == null) {
            long[] hint = hints == null ? null : hints[i];
            if (hint != null && !fitsHint(required, hint)) {
                throw error("input " + i + " ('" + inputNames.get(i) + "') is declared with shape " + fmt(hint)
                        + " but the op requires " + fmt(required));
            }
            in[i] = required.clone();
        } else if (!Arrays.equals(in[i], required)) {
            throw error("input " + i + " ('" + inputNames.get(i) + "') has shape " + fmt(in[i])
                    + " but the op requires " + fmt(required) + describeData());
        }
    }

    private String describeData() {
        if (in.length == 0 || in[0] == null) return "";
        return " (data input '" + inputNames.get(0) + "' has shape " + fmt(in[0]) + ")";
    }

    private static boolean fitsHint(long[] shape, long[] hint) {
        if (hint.length == 0) return true;   // "()" = nothing known
        if (hint.length != shape.length) return false;
        for (int d = 0; d < hint.length; d++) if (hint[d] > 0 && hint[d] != shape[d]) return false;
        return true;
    }

    public void setOut(int j, long[] shape) {
        for (long d : shape) {
            if (d <= 0) throw error("output " + j + " would have shape " + fmt(shape) + inputsText());
        }
        out[j] = shape.clone();
    }

    /**
     * Runs {@code rule} on the first {@code n} inputs only, with {@code numOutputs} outputs (how quantized ops
     * reuse their FP32 op's shape rule before adding their (min, max) inputs), keeps what it assigned to those
     * inputs and returns the outputs it set.
     */
    public long[][] runOnPrefix(int n, int numOutputs, java.util.function.Consumer<ShapeContext> rule) {
        ShapeContext sub = new ShapeContext(node, opName, inputNames.subList(0, n), Arrays.copyOf(in, n),
                hints == null ? null : Arrays.copyOf(hints, n), numOutputs);
        rule.accept(sub);
        System.arraycopy(sub.in, 0, in, 0, n);
        return sub.out;
    }

    /** Output shapes set so far (null where not set). */
    public long[][] outputs() { return out; }

    /** Input shapes after the rule ran. */
    public long[][] inputs() { return in; }

    private String inputsText() {
        StringBuilder sb = new StringBuilder(" given input shapes");
        for (int i = 0; i < in.length; i++) sb.append(' ').append(inputNames.get(i)).append('=').append(in[i] == null ? "?" : fmt(in[i]));
        return sb.toString();
    }

    /** An error naming the node and op. */
    public ShapeInferenceException error(String problem) {
        return new ShapeInferenceException(node.name(), "node '" + node.name() + "' (" + opName + "): " + problem);
    }

    /** Formats a shape as MXNet prints it: {@code (1, 3, 224, 224)}. */
    public static String fmt(long[] shape) {
        if (shape == null) return "?";
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        if (shape.length == 1) sb.append(',');
        return sb.append(')').toString();
    }
}
