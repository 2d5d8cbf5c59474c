package org.quantize4j.ops;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.quantize4j.graph.Node;

/**
 * Ops by MXNet op name (aliases included). {@link #standard()} holds every op this runtime implements.
 *
 * <pre>{@code
 * OpRegistry reg = OpRegistry.standard();
 * BoundOp<?> b = reg.bind(node);        // UnsupportedOperatorException / InvalidAttributeException
 * boolean ok = reg.find("_plus") != null;
 * }</pre>
 */
public final class OpRegistry {
    private static final OpRegistry STANDARD = createStandard();

    private final Map<String, Op<?>> byName = new LinkedHashMap<>();

    /** An empty registry; see {@link #standard()}. */
    public OpRegistry() {
    }

    /** The registry with every built-in op. */
    public static OpRegistry standard() { return STANDARD; }

    private static OpRegistry createStandard() {
        OpRegistry r = new OpRegistry();
        r.register(new ConvolutionOp());
        r.register(new BatchNormOp());
        r.register(new ActivationOp());
        r.register(new LeakyReLUOp());
        r.register(new ClipOp());
        r.register(new PoolingOp());
        r.register(new FullyConnectedOp());
        r.register(new FusedConvolutionOp());
        r.register(new FusedFullyConnectedOp());
        r.register(new FlattenOp());
        r.register(ElementwiseBinaryOp.elemwiseAdd());
        r.register(ElementwiseBinaryOp.elemwiseSub());
        r.register(ElementwiseBinaryOp.elemwiseMul());
        r.register(ElementwiseBinaryOp.broadcastAdd());
        r.register(ElementwiseBinaryOp.broadcastSub());
        r.register(ElementwiseBinaryOp.broadcastMul());
        r.register(new ConcatOp());
        r.register(new DropoutOp());
        r.register(new SoftmaxOutputOp());
        r.register(SoftmaxOp.softmax());
        r.register(SoftmaxOp.logSoftmax());
        r.register(new SoftmaxActivationOp());
        r.register(new ReshapeOp());
        r.register(IdentityOp.copy());
        r.register(IdentityOp.blockGrad());
        r.register(new MeanOp());
        // INT8 (MXNet 1.9's quantized vocabulary)
        r.register(new QuantizeV2Op());
        r.register(new QuantizeOp());
        r.register(new DequantizeOp());
        r.register(new RequantizeOp());
        r.register(new QuantizedConvolutionOp());
        r.register(new QuantizedFullyConnectedOp());
        r.register(new QuantizedPoolingOp());
        r.register(new QuantizedActivationOp());
        r.register(new QuantizedFlattenOp());
        r.register(new QuantizedConcatOp());
        r.register(new QuantizedElemwiseAddOp());
        r.register(new QuantizedElemwiseMulOp());
        r.register(new QuantizedBatchNormOp());
        return r;
    }

    /** Adds an op under its name and aliases (replacing any previous op of that name). */
    public void register(Op<?> op) {
        byName.put(op.name(), op);
        for (String a : op.aliases()) byName.put(a, op);
    }

    /** The op called {@code opName} (or alias), or null. */
    public Op<?> find(String opName) { return byName.get(opName); }

    /** Every registered name, aliases included. */
    public List<String> names() { return Collections.unmodifiableList(new ArrayList<>(byName.keySet())); }

    /**
     * Looks up {@code node}'s op, checks every attribute name against the op's MXNet parameter list and
     * parses the params.
     *
     * @throws UnsupportedOperatorException if no op of that name is registered
     * @throws InvalidAttributeException    for an unknown attribute or an unsupported / malformed value
     */
    public BoundOp<?> bind(Node node) {
        if (node.isVariable()) throw new IllegalArgumentException("node '" + node.name() + "' is a variable, not an op");
        Op<?> op = byName.get(node.op());
        if (op == null) throw new UnsupportedOperatorException(node.name(), node.op());
        for (String key : node.attrs().keySet()) {
            if (key.startsWith("__")) continue;
            if (!op.attributeNames().contains(key)) {
                throw new InvalidAttributeException(node.name(), node.op(), key,
                        "unknown attribute (accepted: " + new java.util.TreeSet<>(op.attributeNames()) + ")");
            }
        }
        BoundOp<?> b = BoundOp.of(node, op);
        int expected = b.inputNames().size();
        if (node.inputs().size() != expected) {
            throw new UnsupportedOperatorException(node.name(), node.op(), "has " + node.inputs().size()
                    + " inputs but the op takes " + expected + " " + b.inputNames());
        }
        return b;
    }
}
