package org.quantize4j.report;

import java.util.List;

/**
 * What calibration found for one FP32 tensor: the range its values covered, the range chosen for INT8
 * (for entropy calibration, the KL threshold and its divergence), how much falls outside the chosen range,
 * and its histogram.
 *
 * <pre>{@code
 * TensorReport t = report.tensors().get(0);
 * System.out.printf("%s: seen [%g, %g], calibrated [%g, %g], %.4f%% clipped%n", t.name(), t.seenMin(), t.seenMax(),
 *         t.calibMin(), t.calibMax(), 100 * t.clippedFraction());
 * }</pre>
 *
 * @param name            internal name of the FP32 tensor ({@code data}, {@code conv0_fwd_output})
 * @param usedBy          the quantize / requantize / quantized nodes that take its range
 * @param seenMin         smallest value seen on the calibration data
 * @param seenMax         largest value seen
 * @param calibMin        lower end of the calibrated range
 * @param calibMax        upper end of the calibrated range
 * @param threshold       {@code max(|calibMin|, |calibMax|)}: the real value of the largest INT8 code (for entropy,
 *                        the KL threshold)
 * @param klDivergence    KL divergence at the chosen threshold (entropy calibration), null otherwise
 * @param values          values seen (over all calibration examples)
 * @param clippedFraction fraction of the values outside the calibrated range (from the histogram)
 * @param histogram       the values' histogram over {@code [min(seenMin, calibMin), max(seenMax, calibMax)]}
 */
public record TensorReport(String name, List<String> usedBy, float seenMin, float seenMax, float calibMin,
                           float calibMax, float threshold, Float klDivergence, long values, double clippedFraction,
                           HistogramBins histogram) {
    public TensorReport {
        usedBy = List.copyOf(usedBy);
    }
}
