package org.quantize4j.passes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.ops.WeightQuantizer;
import org.quantize4j.QuantizeGranularity;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ops.AttrReader;
import org.quantize4j.ops.FusedConvolutionOp;

/**
 * The compact parameter vocabulary of quantized oneDNN models: MXNet keeps the weights of quantized fused
 * convolutions in FP32 (they are quantized when the kernel is built), so its INT8 files do not shrink
 * (gluon-cv#1046). Compact files store each such weight {@code w} as
 * <ul>
 * <li>{@code w_quantize}: int8, the weight's shape, symmetric per output channel ({@link WeightQuantizer});</li>
 * <li>{@code w_quantize_scale}: float32 {@code [out_channels]}, real value = {@code w_quantize * scale[c]},</li>
 * </ul>
 * instead of {@code w}; the symbol is unchanged. For a convolution with BatchNorm the int8 values are those of
 * the BN-FOLDED weight (what the INT8 kernel quantizes), {@code q = quantize(w * s)} with
 * {@code s[c] = gamma[c] / sqrt(var[c] + eps)}, and the stored scale is {@code scale_folded[c] / s[c]} (negative
 * where gamma is), so {@code w_quantize * scale} is the unfolded weight again. Only weights whose every user is a quantized fused node
 * ({@code _sg_mkldnn_conv}, channel-wise {@code _sg_mkldnn_fully_connected}) are compacted, so FP32 nodes never
 * see rounded weights. {@link #expand} restores {@code w = w_quantize * scale} in float32; quantizing that per
 * channel (after folding BatchNorm, for convs that have one) gives back exactly {@code w_quantize}, which is
 * exactly what the kernel gets from the original FP32 weights: compact and FP32 files run the same int8
 * weights (channel-wise; a tensor-wise conv re-quantizes per tensor, one more rounding). A kernel may also
 * read {@code w_quantize} / {@code w_quantize_scale} directly ({@link #int8Weights}): for a conv with BatchNorm
 * those are the int8 of the folded weight, whose scale is {@code scale[c] * s[c]} ({@link #bnFactors}).
 *
 * <pre>{@code
 * Map<String, NDArray> small = CompactParams.compact(q.symbol(), q.argParams(), q.auxParams());   // ~4x smaller
 * Map<String, NDArray> back = CompactParams.expand(small);                          // FP32 weights again
 * }</pre>
 */
public final class CompactParams {
    public static final String SCALE_SUFFIX = "_quantize_scale";

    private CompactParams() {
    }

    /** The compact int8 parameter name of weight {@code w}: {@code w_quantize}. */
    public static String int8Name(String w) { return QuantizeNames.offlineParam(w); }

    /** {@code w_quantize_scale}. */
    public static String scaleName(String w) { return w + SCALE_SUFFIX; }

    /**
     * Arguments with the weights of quantized fused nodes of {@code qsym} replaced by int8 + scales.
     * {@code auxParams} (the BatchNorm moving variances) are read, not changed.
     */
    public static Map<String, NDArray> compact(Symbol qsym, Map<String, NDArray> argParams, Map<String, NDArray> auxParams) {
        Map<Node, List<Node>> consumers = qsym.consumers();
        List<String> weights = new ArrayList<>();
        Map<String, double[]> foldOf = new LinkedHashMap<>();
        for (Node n : qsym.nodes()) {
            if (!MkldnnAttrs.isQuantizedFused(n) || !MkldnnAttrs.isChannelWise(n)) continue;
            NodeEntry e = n.input(MkldnnAttrs.weightInput(n));
            Node v = e.node();
            if (!v.isVariable() || !argParams.containsKey(v.name())) continue;
            NDArray w = argParams.get(v.name());
            if (w.dtype() != DType.FLOAT32 && w.dtype() != DType.FLOAT16 && w.dtype() != DType.FLOAT64) continue;
            boolean onlyQuantized = true;
            for (Node u : consumers.get(v)) {
                if (!MkldnnAttrs.isQuantizedFused(u) || u.input(MkldnnAttrs.weightInput(u)).node() != v) onlyQuantized = false;
            }
            if (!onlyQuantized || consumers.get(v).size() != 1) continue;
            weights.add(v.name());
            double[] fold = bnFactors(n, argParams, auxParams);
            if (fold != null) foldOf.put(v.name(), fold);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> p : argParams.entrySet()) {
            String name = p.getKey();
            if (!weights.contains(name)) {
                out.put(name, p.getValue());
                continue;
            }
            double[] fold = foldOf.get(name);
            NDArray w = p.getValue();
            WeightQuantizer.Int8Weights q;
            try {
                q = WeightQuantizer.quantize(fold == null ? w : folded(w, fold), QuantizeGranularity.CHANNEL_WISE);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("parameter '" + name + "': " + e.getMessage(), e);
            }
            float[] scales = q.scales().clone();
            // Stored unfolded: the kernel folds w = q * scale / s back into q * scale_folded.
            if (fold != null) for (int c = 0; c < scales.length; c++) scales[c] = (float) (scales[c] / fold[c]);
            out.put(int8Name(name), q.values());
            out.put(scaleName(name), NDArray.ofFloats(new long[] {scales.length}, scales));
        }
        return out;
    }

    /**
     * The BatchNorm factors {@code s[c] = gamma[c] / sqrt(var[c] + eps)} a fused conv folds into its weight (as
     * {@code FusedConvolutionOp} does, in double), or null without BatchNorm, a zero factor or missing parameters.
     */
    public static double[] bnFactors(Node n, Map<String, NDArray> args, Map<String, NDArray> aux) {
        if (!n.op().equals(MkldnnAttrs.CONV)) return null;
        FusedConvolutionOp.Params p = new FusedConvolutionOp().parse(new AttrReader(n, n.op()));
        if (p.bn() == null) return null;
        NDArray gamma = param(n, p.bn().gamma(), args, aux);
        NDArray var = param(n, p.bn().var(), args, aux);
        if (var == null || (!p.bn().fixGamma() && gamma == null)) return null;
        float[] v = var.toFloatArray();
        float[] g = p.bn().fixGamma() ? null : gamma.toFloatArray();
        double[] s = new double[v.length];
        for (int c = 0; c < s.length; c++) {
            s[c] = (g == null ? 1.0 : g[c]) / Math.sqrt((double) v[c] + p.bn().eps());
            if (s[c] == 0 || !Double.isFinite(s[c])) return null;
        }
        return s;
    }

    private static NDArray param(Node n, int input, Map<String, NDArray> args, Map<String, NDArray> aux) {
        String name = n.input(input).node().name();
        return args.containsKey(name) ? args.get(name) : aux.get(name);
    }

    /** {@code w[c] * s[c]} rounded to float, as the fused conv kernel folds BatchNorm. */
    public static NDArray folded(NDArray w, double[] s) {
        float[] v = w.toFloatArray();
        if (v.length % s.length != 0) throw new IllegalArgumentException("weight " + w + " does not have " + s.length + " output channels");
        int per = v.length / s.length;
        for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] * s[i / per]);
        return NDArray.ofFloats(w.shape(), v);
    }

    /** Whether {@code params} hold weight {@code w} in compact form. */
    public static boolean isCompact(Map<String, NDArray> params, String w) {
        return params.containsKey(scaleName(w)) && params.containsKey(int8Name(w));
    }

    /**
     * The int8 weights of compact weight {@code w}, as the file holds them.
     *
     * @throws IllegalArgumentException if {@code w} is not compact or malformed
     */
    public static WeightQuantizer.Int8Weights int8Weights(Map<String, NDArray> params, String w) {
        NDArray q = params.get(int8Name(w));
        NDArray s = params.get(scaleName(w));
        if (q == null || s == null) throw new IllegalArgumentException("parameter '" + w + "' is not stored compact");
        if (q.dtype() != DType.INT8) {
            throw new IllegalArgumentException("compact parameter '" + int8Name(w) + "' must be int8, is " + q.dtype());
        }
        if (s.dtype() != DType.FLOAT32 || s.ndim() != 1 || q.ndim() == 0 || (s.dim(0) != q.dim(0) && s.dim(0) != 1)) {
            throw new IllegalArgumentException("compact parameter '" + scaleName(w) + "' must be float32 [" + (q.ndim() == 0 ? "?" : q.dim(0))
                    + "] (one scale per output channel of " + int8Name(w) + "), got " + s);
        }
        return new WeightQuantizer.Int8Weights(q, s.toFloatArray());
    }

    /**
     * {@code params} with every compact weight restored to float32 ({@code w = w_quantize * scale}); other
     * entries unchanged, in order. Names may carry MXNet's {@code arg:} prefix.
     */
    public static Map<String, NDArray> expand(Map<String, NDArray> params) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> p : params.entrySet()) {
            String name = p.getKey();
            if (name.endsWith(SCALE_SUFFIX)) {
                String w = name.substring(0, name.length() - SCALE_SUFFIX.length());
                if (params.containsKey(int8Name(w)) && !params.containsKey(w)) continue;   // read with its int8 values
            }
            if (name.endsWith(QuantizeNames.QUANTIZE_SUFFIX)) {
                String w = name.substring(0, name.length() - QuantizeNames.QUANTIZE_SUFFIX.length());
                if (params.containsKey(scaleName(w)) && !params.containsKey(w)) {
                    out.put(w, WeightQuantizer.dequantize(int8Weights(params, w)));
                    continue;
                }
            }
            out.put(name, p.getValue());
        }
        return out;
    }
}
