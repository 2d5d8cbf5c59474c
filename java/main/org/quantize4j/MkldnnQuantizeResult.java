package org.quantize4j;

import org.quantize4j.calib.CalibrationTable;
import org.quantize4j.passes.ExcludedNames;
import org.quantize4j.passes.QuantizePass;
import org.quantize4j.passes.fusion.FusionResult;

/**
 * Everything {@link Quantization#quantizeMkldnn} did: the oneDNN fusion (and which original node went into
 * which fused node), how the excluded names and patterns resolved, the quantize pass's decisions on the fused
 * graph, the calibration table (ranges of the fused FP32 graph's tensors; null for calibration none) and the
 * result.
 *
 * <pre>{@code
 * MkldnnQuantizeResult r = Quantization.quantizeMkldnn(m.symbol(), m.argParams(), m.auxParams(), options);
 * r.fusion().fusedNameOf().get("resnetv10_conv0_fwd");   // sg_mkldnn_conv_bn_act_0
 * r.model().save("out/resnet-int8", 0, true);
 * }</pre>
 *
 * @param fusion      the FP32 fusion
 * @param excluded    the nodes of the fused graph kept FP32 by name or pattern
 * @param pass        the quantize pass over the fused graph (its symbol is before calibration)
 * @param calibration calibrated ranges by fused-graph tensor, or null
 * @param model       the calibrated, post-quantize-fused model
 */
public record MkldnnQuantizeResult(FusionResult fusion, ExcludedNames.Resolved excluded, QuantizePass.Result pass,
                                   CalibrationTable calibration, QuantizedModel model) {
}
