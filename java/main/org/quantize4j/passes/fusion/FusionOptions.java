package org.quantize4j.passes.fusion;

import java.util.Locale;
import java.util.Map;

/**
 * Which oneDNN fusions {@link FusionPass} applies. Each can be switched off for debugging, in code or
 * through environment variables (value {@code 1}/{@code true}/{@code yes}/{@code on} disables), accepted
 * under Quantize4J's names and MXNet's:
 * <table>
 * <caption>switches</caption>
 * <tr><th>field</th><th>Quantize4J</th><th>MXNet 1.x / 2.x</th></tr>
 * <tr><td>conv</td><td>QUANTIZE4J_DISABLE_FUSE_CONV</td><td>MXNET_DISABLE_MKLDNN_CONV_OPT / MXNET_DISABLE_ONEDNN_CONV_OPT</td></tr>
 * <tr><td>convBn</td><td>QUANTIZE4J_DISABLE_FUSE_CONV_BN</td><td>MXNET_DISABLE_MKLDNN_FUSE_CONV_BN / MXNET_DISABLE_ONEDNN_FUSE_CONV_BN</td></tr>
 * <tr><td>convSum</td><td>QUANTIZE4J_DISABLE_FUSE_CONV_SUM</td><td>MXNET_DISABLE_MKLDNN_FUSE_CONV_SUM / MXNET_DISABLE_ONEDNN_FUSE_CONV_SUM</td></tr>
 * <tr><td>convAct</td><td>QUANTIZE4J_DISABLE_FUSE_CONV_ACT</td><td>MXNET_DISABLE_MKLDNN_FUSE_CONV_RELU / MXNET_DISABLE_ONEDNN_FUSE_CONV_RELU</td></tr>
 * <tr><td>fc</td><td>QUANTIZE4J_DISABLE_FUSE_FC</td><td>MXNET_DISABLE_MKLDNN_FC_OPT / MXNET_DISABLE_ONEDNN_FC_OPT</td></tr>
 * <tr><td>fcAct</td><td>QUANTIZE4J_DISABLE_FUSE_FC_ACT</td><td>MXNET_DISABLE_MKLDNN_FUSE_FC_ELTWISE / MXNET_DISABLE_ONEDNN_FUSE_FC_ELTWISE</td></tr>
 * <tr><td>identity</td><td>QUANTIZE4J_DISABLE_FUSE_IDENTITY</td><td>(none: removal of inference no-ops, Dropout and _copy)</td></tr>
 * </table>
 * With {@code conv} (or {@code fc}) on but every step off, each Convolution (FullyConnected) still becomes a
 * single-op fused node, as in MXNet. {@code forQuantization} applies the rules of MXNet's
 * {@code MKLDNN_QUANTIZE} backend (activations limited to what the INT8 kernels fuse: relu for
 * Activation, no clip after a sum).
 *
 * <pre>{@code
 * FusionOptions all = FusionOptions.defaults();                      // everything on
 * FusionOptions env = FusionOptions.fromEnvironment();               // honours the variables above
 * FusionOptions noSum = FusionOptions.defaults().withConvSum(false);
 * }</pre>
 */
public record FusionOptions(boolean conv, boolean convBn, boolean convSum, boolean convAct, boolean fc, boolean fcAct,
                            boolean identity, boolean forQuantization) {

    /** Every fusion on, FP32 rules. */
    public static FusionOptions defaults() {
        return new FusionOptions(true, true, true, true, true, true, true, false);
    }

    /** Every fusion off: the pass returns the graph unchanged. */
    public static FusionOptions none() {
        return new FusionOptions(false, false, false, false, false, false, false, false);
    }

    /** {@link #defaults()} minus whatever the process environment disables. */
    public static FusionOptions fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** {@link #defaults()} minus whatever {@code env} disables (see the class comment for the names). */
    public static FusionOptions fromEnvironment(Map<String, String> env) {
        return new FusionOptions(
                !disabled(env, "CONV", "CONV_OPT"),
                !disabled(env, "CONV_BN", "FUSE_CONV_BN"),
                !disabled(env, "CONV_SUM", "FUSE_CONV_SUM"),
                !disabled(env, "CONV_ACT", "FUSE_CONV_RELU"),
                !disabled(env, "FC", "FC_OPT"),
                !disabled(env, "FC_ACT", "FUSE_FC_ELTWISE"),
                !isSet(env.get("QUANTIZE4J_DISABLE_FUSE_IDENTITY")),
                false);
    }

    private static boolean disabled(Map<String, String> env, String ours, String mxnet) {
        return isSet(env.get("QUANTIZE4J_DISABLE_FUSE_" + ours))
                || isSet(env.get("MXNET_DISABLE_MKLDNN_" + mxnet))
                || isSet(env.get("MXNET_DISABLE_ONEDNN_" + mxnet));
    }

    private static boolean isSet(String v) {
        if (v == null) return false;
        String s = v.trim().toLowerCase(Locale.ROOT);
        if (s.isEmpty() || s.equals("0") || s.equals("false") || s.equals("no") || s.equals("off")) return false;
        return true;
    }

    public FusionOptions withConv(boolean on) { return new FusionOptions(on, convBn, convSum, convAct, fc, fcAct, identity, forQuantization); }

    public FusionOptions withConvBn(boolean on) { return new FusionOptions(conv, on, convSum, convAct, fc, fcAct, identity, forQuantization); }

    public FusionOptions withConvSum(boolean on) { return new FusionOptions(conv, convBn, on, convAct, fc, fcAct, identity, forQuantization); }

    public FusionOptions withConvAct(boolean on) { return new FusionOptions(conv, convBn, convSum, on, fc, fcAct, identity, forQuantization); }

    public FusionOptions withFc(boolean on) { return new FusionOptions(conv, convBn, convSum, convAct, on, fcAct, identity, forQuantization); }

    public FusionOptions withFcAct(boolean on) { return new FusionOptions(conv, convBn, convSum, convAct, fc, on, identity, forQuantization); }

    public FusionOptions withIdentity(boolean on) { return new FusionOptions(conv, convBn, convSum, convAct, fc, fcAct, on, forQuantization); }

    /** The same switches with MXNet's INT8 ({@code MKLDNN_QUANTIZE}) fusion rules when {@code on}. */
    public FusionOptions withForQuantization(boolean on) { return new FusionOptions(conv, convBn, convSum, convAct, fc, fcAct, identity, on); }
}
