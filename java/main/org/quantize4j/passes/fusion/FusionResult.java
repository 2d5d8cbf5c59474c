package org.quantize4j.passes.fusion;

import java.util.Map;

import org.quantize4j.graph.Symbol;

/**
 * What {@link FusionPass#run} produced: the fused symbol and, for every original node now inside a
 * fused node, that node's name (so callers can accept both original and fused names, e.g. for
 * excluded layers).
 *
 * <pre>{@code
 * FusionResult r = FusionPass.run(sym, FusionOptions.defaults());
 * String fused = r.fusedNameOf().get("resnetv10_conv0_fwd");   // "sg_mkldnn_conv_bn_act_0"
 * }</pre>
 *
 * @param symbol      the fused symbol (a new graph; the input symbol is not modified)
 * @param fusedNameOf original node name to the name of the fused node holding it (a removed Dropout /
 *                    _copy maps to the node whose output replaced it)
 */
public record FusionResult(Symbol symbol, Map<String, String> fusedNameOf) {
}
