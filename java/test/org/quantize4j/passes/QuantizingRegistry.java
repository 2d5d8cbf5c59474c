package org.quantize4j.passes;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.quantize4j.ops.AttrReader;
import org.quantize4j.ops.InputRole;
import org.quantize4j.ops.KernelContext;
import org.quantize4j.ops.Op;
import org.quantize4j.ops.OpRegistry;
import org.quantize4j.ops.Quantizability;
import org.quantize4j.ops.ShapeContext;

/**
 * Test registries for the quantize pass: {@link #standard()} is {@link OpRegistry#standard()} when its ops
 * declare their quantized variants, else the standard ops overlaid with MXNet's quantized op names (the
 * values the FP32 op classes declare); {@link #overlay} builds registries with other answers, to check the
 * pass follows the registry rather than op names.
 */
public final class QuantizingRegistry {
    /** MXNet's FQuantizedOp / FNeedRequantize for the ops MXNet 1.9 quantizes. */
    static final Map<String, String> QUANTIZED_NAMES = Map.of(
            "Convolution", "_contrib_quantized_conv",
            "FullyConnected", "_contrib_quantized_fully_connected",
            "Activation", "_contrib_quantized_act",
            "Pooling", "_contrib_quantized_pooling",
            "Concat", "_contrib_quantized_concat",
            "Flatten", "_contrib_quantized_flatten",
            "elemwise_add", "_contrib_quantized_elemwise_add",
            "elemwise_mul", "_contrib_quantized_elemwise_mul",
            "BatchNorm", "_contrib_quantized_batch_norm");
    static final Set<String> NEEDS_REQUANTIZE = Set.of("Convolution", "FullyConnected", "elemwise_add", "elemwise_mul");

    private QuantizingRegistry() {
    }

    /** A registry whose conv/FC/... have quantized variants. */
    public static OpRegistry standard() {
        OpRegistry std = OpRegistry.standard();
        if (declaresQuantizedOps(std)) return std;
        return overlay(name -> QUANTIZED_NAMES.get(name), name -> null, NEEDS_REQUANTIZE);
    }

    /** Whether the standard op classes already declare their quantized names. */
    static boolean declaresQuantizedOps(OpRegistry r) {
        return quantizedName(r.find("Convolution")) != null;
    }

    @SuppressWarnings("unchecked")
    private static <P> String quantizedName(Op<P> op) {
        // Default params are not available generically; Convolution's answer does not depend on them.
        try {
            return op.quantizedOpName(null);
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    /**
     * The standard ops with {@code quantizedName(op)} as quantized op name, {@code kind(op)} as quantizability
     * (null = the op's own) and {@code requantize} listing ops that need a requantize.
     */
    public static OpRegistry overlay(Function<String, String> quantizedName, Function<String, Quantizability> kind,
                                     Set<String> requantize) {
        OpRegistry std = OpRegistry.standard();
        OpRegistry r = new OpRegistry();
        for (String name : std.names()) {
            Op<?> op = std.find(name);
            if (!op.name().equals(name)) continue;   // aliases come with register()
            r.register(wrap(op, quantizedName.apply(op.name()), kind.apply(op.name()), requantize.contains(op.name())));
        }
        return r;
    }

    private static <P> Op<P> wrap(Op<P> d, String qname, Quantizability kind, boolean requant) {
        return new Op<P>() {
            @Override public String name() { return d.name(); }
            @Override public List<String> aliases() { return d.aliases(); }
            @Override public Set<String> attributeNames() { return d.attributeNames(); }
            @Override public P parse(AttrReader attrs) { return d.parse(attrs); }
            @Override public List<String> inputNames(P p) { return d.inputNames(p); }
            @Override public InputRole inputRole(P p, int i) { return d.inputRole(p, i); }
            @Override public int numOutputs(P p) { return d.numOutputs(p); }
            @Override public int numVisibleOutputs(P p) { return d.numVisibleOutputs(p); }
            @Override public void inferShape(P p, ShapeContext ctx) { d.inferShape(p, ctx); }
            @Override public void build(P p, KernelContext ctx) { d.build(p, ctx); }
            @Override public Quantizability quantizability(P p) { return kind != null ? kind : d.quantizability(p); }
            @Override public String quantizedOpName(P p) {
                return quantizability(p) == Quantizability.NONE ? null : qname;
            }
            @Override public boolean needsRequantize(P p) { return requant; }
        };
    }
}
