package org.quantize4j.passes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.OutputNames;
import org.quantize4j.graph.Symbol;

/**
 * One FP32 tensor whose range a quantized graph needs, and the quantized-graph nodes that take it as
 * {@code min_calib_range} / {@code max_calib_range}: each {@code _contrib_quantize_v2} needs the range of
 * the FP32 entry it quantizes, each {@code _contrib_requantize} the range of the FP32 output of the node
 * it follows. Tensor names are the FP32 graph's internal names ({@code data}, {@code conv0_fwd_output}).
 *
 * <pre>{@code
 * for (CalibrationTarget t : CalibrationTarget.of(qsym)) {
 *     System.out.println(t.tensorName() + " -> " + t.nodes());   // conv0_fwd_output -> [requantize_conv0_fwd]
 * }
 * }</pre>
 *
 * @param tensorName internal name of the FP32 tensor
 * @param nodes      names of the quantize / requantize nodes of the quantized graph that take its range
 */
public record CalibrationTarget(String tensorName, List<String> nodes) {
    public CalibrationTarget {
        nodes = List.copyOf(nodes);
    }

    /**
     * The targets of a quantized symbol, read from its structure alone (so a saved, uncalibrated quantized
     * symbol can be calibrated later), in node order.
     */
    public static List<CalibrationTarget> of(Symbol qsym) {
        Map<String, List<String>> byTensor = new LinkedHashMap<>();
        for (Node n : qsym.nodes()) {
            String tensor = tensorOf(n);
            if (tensor != null) byTensor.computeIfAbsent(tensor, k -> new ArrayList<>()).add(n.name());
        }
        List<CalibrationTarget> out = new ArrayList<>();
        byTensor.forEach((k, v) -> out.add(new CalibrationTarget(k, v)));
        return out;
    }

    /** The FP32 tensor whose range node {@code n} takes, or null if it takes none. */
    public static String tensorOf(Node n) {
        if (n.op().equals(QuantizeOps.QUANTIZE_V2) && !n.inputs().isEmpty()) {
            return OutputNames.of(n.input(0).node(), n.input(0).index());
        }
        if (n.op().equals(QuantizeOps.REQUANTIZE) && !n.inputs().isEmpty()) {
            NodeEntry in = n.input(0);
            String qname = in.node().name();
            String fp32 = qname.startsWith(QuantizeNames.QUANTIZED_PREFIX)
                    ? qname.substring(QuantizeNames.QUANTIZED_PREFIX.length()) : qname;
            // Ops that need requantize (conv, FC, add, mul) have one data output, named "output".
            return fp32 + "_output";
        }
        return null;
    }
}
