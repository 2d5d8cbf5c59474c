package org.quantize4j.gluon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;

/**
 * Operators for {@link Block#hybridForward}, as Gluon's {@code F} (= {@code mx.sym}) namespace. Each call adds
 * one node: named {@code prefix + name} when a name is given (blocks use {@code "fwd"}), otherwise
 * {@code prefix + hint + counter} from the open {@link NameManager} ({@code activation0}, {@code _plus1},
 * {@code concat0}); attributes are exactly the keyword arguments given, formatted as Python's {@code str}.
 *
 * <pre>{@code
 * Sym y = F.convolution(x, weight.var(), null, "fwd", F.kwargs("kernel", new int[] {3, 3}, "num_filter", 16));
 * Sym z = F.activation(y, "relu");                 // "activation0" in the current scope
 * Sym c = F.concat(1, a, b);                       // Concat, dim=1, num_args=2
 * }</pre>
 */
public final class F {
    private F() {
    }

    /** Ordered keyword arguments from alternating keys and values. */
    public static Map<String, Object> kwargs(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) throw new IllegalArgumentException("kwargs need key/value pairs");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    /** A graph input ({@code mx.sym.var(name)}). */
    public static Sym var(String name) {
        return new Sym(new NodeEntry(Node.variable(name), 0));
    }

    /**
     * Any MXNet operator.
     *
     * @param op     MXNet's op name ({@code "Convolution"})
     * @param name   explicit name (prefixed by the open scope), or null for {@code hint + counter}
     * @param hint   base of the automatic name (Python's lower-cased function name)
     * @param kwargs attributes; null values are left out
     */
    public static Sym op(String op, String name, String hint, Map<String, Object> kwargs, Sym... inputs) {
        Hybridization h = Hybridization.current();
        String full = NameManager.current().get(name, hint);
        Map<String, String> attrs = new TreeMap<>();
        if (kwargs != null) {
            for (Map.Entry<String, Object> e : kwargs.entrySet()) {
                if (e.getValue() != null) attrs.put(e.getKey(), PyFormat.str(e.getValue()));
            }
        }
        List<NodeEntry> ins = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) continue;
            NodeEntry e = inputs[i].entry();
            if (e.node().isVariable()) {
                e = new NodeEntry(e.node(), e.index(), h.version(e.node(), mutates(op, ins.size())));
            }
            ins.add(e);
        }
        Node n = new Node(op, full, attrs, ins, numOutputs(op, attrs));
        h.recordOwner(n);
        return new Sym(n.output(0));
    }

    /** Inputs an op overwrites (MXNet's FMutateInputs): BatchNorm's running mean and variance. */
    private static boolean mutates(String op, int index) {
        return op.equals("BatchNorm") && (index == 3 || index == 4);
    }

    /** Outputs MXNet 1.9.1 (oneDNN build) gives the op, hidden ones included; sets node_row_ptr. */
    static int numOutputs(String op, Map<String, String> attrs) {
        switch (op) {
            case "BatchNorm":
                return 3;
            case "Dropout":
                return 2;
            case "Pooling": {
                // oneDNN max pooling keeps a workspace output (MKLDNNRequireWorkspace && SupportMKLDNNPooling).
                String type = attrs.getOrDefault("pool_type", "max");
                String layout = attrs.get("layout");
                int nd = attrs.containsKey("kernel") ? org.quantize4j.graph.Attrs.intTuple(attrs.get("kernel")).length : 2;
                boolean layoutOk = layout == null || layout.equals("NCW") || layout.equals("NCHW") || layout.equals("NCDHW");
                return type.equals("max") && nd <= 3 && layoutOk ? 2 : 1;
            }
            default:
                return 1;
        }
    }

    public static Sym convolution(Sym x, Sym weight, Sym bias, String name, Map<String, Object> kwargs) {
        return op("Convolution", name, "convolution", kwargs, x, weight, bias);
    }

    public static Sym fullyConnected(Sym x, Sym weight, Sym bias, String name, Map<String, Object> kwargs) {
        return op("FullyConnected", name, "fullyconnected", kwargs, x, weight, bias);
    }

    public static Sym batchNorm(Sym x, Sym gamma, Sym beta, Sym mean, Sym var, String name, Map<String, Object> kwargs) {
        return op("BatchNorm", name, "batchnorm", kwargs, x, gamma, beta, mean, var);
    }

    public static Sym pooling(Sym x, String name, Map<String, Object> kwargs) {
        return op("Pooling", name, "pooling", kwargs, x);
    }

    /** {@code F.Activation(x, act_type=...)} named {@code activationN}. */
    public static Sym activation(Sym x, String actType) {
        return activation(x, actType, null);
    }

    public static Sym activation(Sym x, String actType, String name) {
        return op("Activation", name, "activation", kwargs("act_type", actType), x);
    }

    public static Sym leakyRelu(Sym x, String actType, double slope, String name) {
        return op("LeakyReLU", name, "leakyrelu", kwargs("act_type", actType, "slope", slope), x);
    }

    /** {@code F.Flatten(x)} named {@code flattenN}. */
    public static Sym flatten(Sym x) {
        return op("Flatten", null, "flatten", null, x);
    }

    public static Sym dropout(Sym x, double p, int[] axes, String name) {
        return op("Dropout", name, "dropout", kwargs("p", p, "axes", axes, "cudnn_off", false), x);
    }

    /** {@code F.identity(x)} ({@code _copy}). */
    public static Sym identity(Sym x) {
        return op("_copy", null, "identity", null, x);
    }

    /** {@code F.concat(*xs, dim=dim)} named {@code concatN}. */
    public static Sym concat(int dim, Sym... xs) {
        return op("Concat", null, "concat", kwargs("dim", dim, "num_args", xs.length), xs);
    }

    /** {@code F.clip(x, a_min, a_max)}; numbers keep their Python type (Integer 6 -> "6", Double -> "6.0"). */
    public static Sym clip(Sym x, Number aMin, Number aMax, String name) {
        return op("clip", name, "clip", kwargs("a_min", aMin, "a_max", aMax), x);
    }

    /** {@code F.elemwise_add(a, b)} named {@code elemwise_addN}. */
    public static Sym elemwiseAdd(Sym a, Sym b) {
        return op("elemwise_add", null, "elemwise_add", null, a, b);
    }

    /** {@code a + b} on symbols ({@code _Plus}, written as elemwise_add) named {@code _plusN}. */
    public static Sym plus(Sym a, Sym b) {
        return op("elemwise_add", null, "_plus", null, a, b);
    }
}
