package org.quantize4j.report;

import java.util.List;

/**
 * How far one quantized layer's output is from the same tensor in the FP32 model, over the calibration data:
 * the INT8 graph runs as deployed (every earlier quantized layer included), its output is dequantized to real
 * values and compared with the FP32 graph's. The error therefore accumulates along the graph; a layer whose
 * error is much larger than that of its inputs is a candidate to exclude.
 *
 * <pre>{@code
 * for (LayerError e : report.layers()) System.out.printf("%-40s %.4f %.5f%n", e.layer(), e.relativeL2(), e.cosine());
 * }</pre>
 *
 * @param layer          the FP32 node compared (its name, as for {@code --exclude})
 * @param op             its op
 * @param originalNodes  the nodes of the original model it stands for (itself, or those fused into it)
 * @param quantizedNode  the node of the quantized graph whose output is compared (after its requantize, if any)
 * @param relativeL2     {@code ||int8 - fp32|| / ||fp32||}
 * @param cosine         cosine similarity of the two, in [-1, 1]
 * @param maxAbsError    largest absolute difference
 * @param fp32Rms        root mean square of the FP32 values (scale of {@code maxAbsError})
 * @param inputRelativeL2 largest relative L2 error among the quantized layers feeding this one (0 if none):
 *                       {@code relativeL2 - inputRelativeL2} is roughly the error this layer adds
 * @param values         values compared
 */
public record LayerError(String layer, String op, List<String> originalNodes, String quantizedNode, double relativeL2,
                         double cosine, double maxAbsError, double fp32Rms, double inputRelativeL2, long values) {
    public LayerError {
        originalNodes = List.copyOf(originalNodes);
    }

    /** Roughly the error this layer adds to what its inputs already carry ({@code relativeL2 - inputRelativeL2}). */
    public double addedRelativeL2() {
        return relativeL2 - inputRelativeL2;
    }
}
