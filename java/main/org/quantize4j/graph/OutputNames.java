package org.quantize4j.graph;

import java.util.List;
import java.util.Map;

/**
 * MXNet's names for node outputs ({@code FListOutputNames}), as {@code sym.get_internals()} and
 * {@code list_outputs()} show them: {@code conv0_output}, {@code bn0_mean}, {@code quantized_conv0_min_output},
 * and {@code <node>_output<i>} for multi-output ops without names (SliceChannel, requantize). Hidden
 * outputs (BatchNorm's mean/var, Dropout's mask, Pooling's oneDNN workspace) are not visible.
 *
 * <pre>{@code
 * String n = OutputNames.of(bnNode, 0);          // "bn0_output"
 * int visible = OutputNames.visibleOutputs(bn);  // 1 (mean and var are hidden)
 * }</pre>
 */
public final class OutputNames {
    private static final List<String> BATCH_NORM = List.of("output", "mean", "var");
    private static final List<String> QUANTIZED = List.of("output", "min_output", "max_output");
    /** Ops whose extra outputs are hidden workspaces (FNumVisibleOutputs = 1), with MXNet's output names. */
    private static final Map<String, List<String>> HIDDEN = Map.of(
            "Dropout", List.of("output", "mask"),
            "Pooling", List.of("output", "workspace"),
            "LRN", List.of("output", "tmp_norm"));

    private OutputNames() {
    }

    /** The internal name of output {@code index} of {@code node}. */
    public static String of(Node node, int index) {
        if (node.isVariable()) return node.name();
        List<String> names = listed(node);
        String suffix;
        if (names != null && index < names.size()) {
            suffix = names.get(index);
        } else if (node.numOutputs() <= 1) {
            suffix = "output";
        } else {
            suffix = "output" + index;
        }
        return node.name().isEmpty() ? suffix : node.name() + "_" + suffix;
    }

    /**
     * Outputs a user can see ({@code NumVisibleOutputs}): BatchNorm hides mean and var unless
     * {@code output_mean_var} is set; every other op shows all its outputs.
     */
    public static int visibleOutputs(Node node) {
        if (node.isVariable()) return 1;
        if (isBatchNorm(node.op())) {
            return Attrs.bool(node.attr("output_mean_var"), false) ? node.numOutputs() : Math.min(1, node.numOutputs());
        }
        if (HIDDEN.containsKey(node.op())) return Math.min(1, node.numOutputs());
        return node.numOutputs();
    }

    private static List<String> listed(Node node) {
        String op = node.op();
        if (isBatchNorm(op)) return BATCH_NORM;
        if (HIDDEN.containsKey(op)) return HIDDEN.get(op);
        if (node.numOutputs() == 3 && (op.startsWith("_contrib_quantized_") || op.startsWith("_sg_mkldnn_")
                || op.startsWith("_sg_onednn_"))) {
            return QUANTIZED;
        }
        return null;
    }

    private static boolean isBatchNorm(String op) {
        return op.equals("BatchNorm") || op.equals("BatchNorm_v1") || op.equals("_contrib_SyncBatchNorm")
                || op.equals("CuDNNBatchNorm");
    }
}
