package org.quantize4j.passes;

import java.util.Set;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.OutputNames;

/**
 * Names MXNet 1.9's quantize pass gives the nodes and parameters it creates, so our quantized files look
 * like MXNet's ({@code quantize_graph_pass.cc}):
 * <ul>
 * <li>quantized node: {@code quantized_<name>}; requantize: {@code requantize_<name>};
 *     dequantize: {@code <name>_dequantize};</li>
 * <li>{@code _contrib_quantize_v2} of a variable: {@code <var>_quantize}; of an op output:
 *     {@code <node>_<output name>_quantize}, where the output name is the op's own
 *     ({@code FListOutputNames}: {@code pool0_output_quantize}) or else the output index
 *     ({@code flatten0_0_quantize});</li>
 * <li>offline-quantized parameter {@code w}: {@code w_quantize}, {@code w_quantize_min}, {@code w_quantize_max}.</li>
 * </ul>
 *
 * <pre>{@code
 * String q = QuantizeNames.quantizeNode(poolNode.output(0));   // "pool0_output_quantize"
 * String r = QuantizeNames.requantize("conv0");                // "requantize_conv0"
 * }</pre>
 */
public final class QuantizeNames {
    public static final String QUANTIZED_PREFIX = "quantized_";
    public static final String REQUANTIZE_PREFIX = "requantize_";
    public static final String QUANTIZE_SUFFIX = "_quantize";
    public static final String DEQUANTIZE_SUFFIX = "_dequantize";

    /**
     * MXNet ops that register {@code FListOutputNames} (so their outputs are named, not numbered, in
     * quantize node names). Naming vocabulary only: what the pass does with an op comes from the registry.
     */
    private static final Set<String> OPS_WITH_OUTPUT_NAMES = Set.of(
            "Convolution", "Deconvolution", "FullyConnected", "BatchNorm", "BatchNorm_v1", "Pooling", "Activation",
            "Dropout", "LRN", "SoftmaxOutput", "LeakyReLU", "RNN", "Embedding", "_contrib_SyncBatchNorm");

    private QuantizeNames() {
    }

    /** {@code quantized_<name>}. */
    public static String quantized(String name) { return QUANTIZED_PREFIX + name; }

    /** {@code requantize_<name>}. */
    public static String requantize(String name) { return REQUANTIZE_PREFIX + name; }

    /** {@code <name>_dequantize}. */
    public static String dequantize(String name) { return name + DEQUANTIZE_SUFFIX; }

    /** Name of the {@code _contrib_quantize_v2} node quantizing FP32 entry {@code e}. */
    public static String quantizeNode(NodeEntry e) {
        Node n = e.node();
        if (n.isVariable()) return n.name() + QUANTIZE_SUFFIX;
        return n.name() + "_" + mxnetOutputName(e) + QUANTIZE_SUFFIX;
    }

    /** The int8 parameter replacing FP32 parameter {@code param}: {@code <param>_quantize}. */
    public static String offlineParam(String param) { return param + QUANTIZE_SUFFIX; }

    /** {@code <param>_quantize_min}. */
    public static String offlineMin(String param) { return param + QUANTIZE_SUFFIX + "_min"; }

    /** {@code <param>_quantize_max}. */
    public static String offlineMax(String param) { return param + QUANTIZE_SUFFIX + "_max"; }

    /** MXNet's {@code GetOutputName}: the op's output name if it declares names, else the index. */
    static String mxnetOutputName(NodeEntry e) {
        Node n = e.node();
        if (OPS_WITH_OUTPUT_NAMES.contains(n.op()) || n.op().startsWith("_contrib_quantized_")
                || n.op().startsWith("_sg_")) {
            String full = OutputNames.of(n, e.index());
            return full.substring(n.name().length() + 1);
        }
        return Integer.toString(e.index());
    }
}
