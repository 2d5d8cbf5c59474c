package org.quantize4j.passes;

import java.util.Set;
import org.quantize4j.ops.WeightQuantizer;
import org.quantize4j.graph.Attrs;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ops.AttrReader;
import org.quantize4j.ops.FusedConvolutionOp;
import org.quantize4j.ops.FusedFullyConnectedOp;

/**
 * The attributes of quantized oneDNN subgraph nodes ({@code _sg_mkldnn_conv}, {@code _sg_mkldnn_fully_connected})
 * that {@link org.quantize4j.Quantization#quantizeModelMkldnn} writes and INT8 kernels read. MXNet 1.9's
 * vocabulary, plus two attributes of ours ({@link #OUT_TYPE}, and {@link #CHANNEL_WISE_QUANTIZE} on convolutions):
 * <table>
 * <caption>attributes of a quantized fused node</caption>
 * <tr><th>attribute</th><th>meaning</th></tr>
 * <tr><td>{@code quantized}</td><td>{@code true}: INT8 node. Inputs: the FP32 node's inputs, then a (min, max)
 *     pair per quantized input (conv: data, [sum]; FC: data, weight, [bias] unless channel-wise)</td></tr>
 * <tr><td>{@code min_calib_range}, {@code max_calib_range}</td><td>calibrated range of the OUTPUT (after every
 *     post-op); present = the requantize is absorbed: output int8/uint8 (3 outputs, min/max = this range);
 *     absent = int32-like output followed by a {@code _contrib_requantize} (calibration none)</td></tr>
 * <tr><td>{@code out_type}</td><td>ours: {@code int8} or {@code uint8}, the output type when calibrated; absent
 *     (MXNet files): uint8 iff the last post-op is relu/sigmoid/softrelu/bounded relu (MXNet's IsOutputUInt8)</td></tr>
 * <tr><td>{@code enable_float_output}</td><td>{@code true}: the dequantize is absorbed; one float32 output, no
 *     calib range needed</td></tr>
 * <tr><td>{@code channel_wise_quantize}</td><td>weight scales per output channel ({@code True}) or per tensor
 *     ({@code False}). FC: MXNet's; channel-wise FC takes FP32 weight/bias (inputs data, weight, [bias], data_min,
 *     data_max). Conv: ours, absent = channel-wise (what MXNet's conv always does when calibrated)</td></tr>
 * <tr><td>{@code for_quantization}</td><td>FC: MXNet marks quantized FCs with it</td></tr>
 * </table>
 * Quantized convolutions always take their weight, bias and BatchNorm parameters in FP32 (as MXNet) and
 * quantize the BN-folded weights when built; {@link WeightQuantizer} is the reference for that step
 * (symmetric, {@code scale = max|w| / 127}, bias guard).
 *
 * <pre>{@code
 * if (MkldnnAttrs.isQuantizedFused(node) && MkldnnAttrs.isFloatOutput(node)) { ... }
 * }</pre>
 */
public final class MkldnnAttrs {
    public static final String CONV = FusedConvolutionOp.NAME;
    public static final String FC = FusedFullyConnectedOp.NAME;
    public static final Set<String> FUSED_OPS = Set.of(CONV, FC);
    public static final String QUANTIZED = QuantizeOps.QUANTIZED;
    public static final String ENABLE_FLOAT_OUTPUT = "enable_float_output";
    public static final String CHANNEL_WISE_QUANTIZE = "channel_wise_quantize";
    public static final String FOR_QUANTIZATION = "for_quantization";
    public static final String OUT_TYPE = QuantizeOps.OUT_TYPE;
    public static final String QUANTIZED_CONCAT = "_contrib_quantized_concat";

    private MkldnnAttrs() {
    }

    /** A fused conv/FC with {@code quantized=true}. */
    public static boolean isQuantizedFused(Node n) {
        return FUSED_OPS.contains(n.op()) && Attrs.bool(n.attr(QUANTIZED), false);
    }

    public static boolean isFloatOutput(Node n) {
        return Attrs.bool(n.attr(ENABLE_FLOAT_OUTPUT), false);
    }

    public static boolean isCalibrated(Node n) {
        return n.attr(QuantizeOps.MIN_CALIB_RANGE) != null && n.attr(QuantizeOps.MAX_CALIB_RANGE) != null;
    }

    /** Whether the weights of quantized fused node {@code n} get one scale per output channel. */
    public static boolean isChannelWise(Node n) {
        return Attrs.bool(n.attr(CHANNEL_WISE_QUANTIZE), n.op().equals(CONV));
    }

    /**
     * MXNet's IsOutputUInt8: the node's output is non-negative by construction, because its last post-op is
     * relu, sigmoid, softrelu or a clip from 0 (bounded relu), and no sum follows it.
     */
    public static boolean isOutputNonNegative(Node n) {
        if (n.subgraphs().size() != 1) return false;
        Symbol sub = n.subgraphs().get(0);
        if (sub.heads().size() != 1) return false;
        Node last = sub.heads().get(0).node();
        switch (last.op()) {
            case "Activation": {
                String t = Attrs.string(last.attr("act_type"), "").trim();
                return t.equals("relu") || t.equals("sigmoid") || t.equals("softrelu");
            }
            case "clip":
                try {
                    return Attrs.floatValue(last.attr("a_min"), Float.NaN) == 0f;
                } catch (IllegalArgumentException e) {
                    return false;
                }
            default:
                return false;
        }
    }

    /** Input index of the weight of fused node {@code n} (conv: from its subgraph; FC: 1). */
    public static int weightInput(Node n) {
        if (n.op().equals(FC)) return 1;
        return new FusedConvolutionOp().parse(new AttrReader(n, n.op())).weight();
    }

    /** Input index of the bias of fused conv/FC {@code n}, or -1. */
    public static int biasInput(Node n) {
        if (n.op().equals(FC)) {
            return new FusedFullyConnectedOp().parse(new AttrReader(n, n.op())).fc().noBias() ? -1 : 2;
        }
        return new FusedConvolutionOp().parse(new AttrReader(n, n.op())).bias();
    }
}
