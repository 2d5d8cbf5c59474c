package org.quantize4j.passes.fusion;

import java.util.Set;

import org.quantize4j.graph.Attrs;
import org.quantize4j.graph.Node;
import org.quantize4j.ops.EltwisePostOp;
import org.quantize4j.ops.FusedConvolutionOp;

/**
 * Which ops may join a fused convolution or FullyConnected, as MXNet 1.9's oneDNN selectors decide
 * (mkldnn_conv_property.h, mkldnn_fc_property.h), restricted to what our kernels run.
 */
final class FusionRules {
    /** Activation types MXNet's SupportMKLDNNAct accepts (FP32). */
    private static final Set<String> ACT_TYPES = Set.of("relu", "sigmoid", "tanh", "softrelu");

    private FusionRules() {
    }

    /** A 2-D Convolution: the seed of a fused convolution. */
    static boolean isConvSeed(Node n) {
        if (!n.op().equals("Convolution")) return false;
        try {
            int[] k = Attrs.intTuple(n.attr("kernel"));
            return k != null && k.length == 2;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static boolean isFcSeed(Node n) {
        return n.op().equals("FullyConnected");
    }

    static boolean isBatchNorm(Node n) {
        return n.op().equals("BatchNorm");
    }

    static boolean isAdd(Node n) {
        return FusedConvolutionOp.ADD_OPS.contains(n.op()) && n.inputs().size() == 2;
    }

    /**
     * Activation following a convolution chain. {@code afterSum}: the chain already holds the sum (MXNet does
     * not fuse INT8 conv+sum+clip).
     */
    static boolean convActivation(Node n, boolean forQuantization, boolean afterSum) {
        if (!postOpExists(n)) return false;
        switch (n.op()) {
            case "Activation":
                return activationType(n, forQuantization);
            case "LeakyReLU": {
                String t = Attrs.string(n.attr("act_type"), "leaky").trim();
                return t.equals("leaky") || t.equals("gelu");
            }
            case "clip":
                return !(forQuantization && afterSum) && clipFromZero(n);
            default:
                return false;
        }
    }

    /** Activation following a FullyConnected. */
    static boolean fcActivation(Node n, boolean forQuantization) {
        if (!postOpExists(n)) return false;
        switch (n.op()) {
            case "Activation":
                return activationType(n, forQuantization);
            case "LeakyReLU": {
                String t = Attrs.string(n.attr("act_type"), "leaky").trim();
                return t.equals("leaky") || t.equals("elu") || t.equals("gelu");
            }
            case "clip":
                return clipFromZero(n);
            case "square":
            case "sqrt":
            case "exp":
                return !forQuantization;
            case "abs":
                return true;
            default:
                return false;
        }
    }

    private static boolean activationType(Node n, boolean forQuantization) {
        String t = Attrs.string(n.attr("act_type"), "").trim();
        return forQuantization ? t.equals("relu") : ACT_TYPES.contains(t);
    }

    /** MXNet fuses clip only with a_min == 0 (bounded relu; clip(0, 6) is ReLU6). */
    private static boolean clipFromZero(Node n) {
        try {
            return Attrs.floatValue(n.attr("a_min"), Float.NaN) == 0f;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The node's attributes parse into a oneDNN post-op (malformed nodes stay unfused and fail where they are). */
    private static boolean postOpExists(Node n) {
        try {
            return EltwisePostOp.of(n) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
