package org.quantize4j.ops;

import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.post_ops;
import org.quantize4j.graph.Node;

/**
 * An activation node folded into a convolution or inner product as a oneDNN eltwise post-op
 * ({@code y = alg(x; alpha, beta)}), with MXNet's attribute defaults. Covers what MXNet's oneDNN
 * fusion absorbs: Activation relu / sigmoid / tanh / softrelu (also log_sigmoid, mish), LeakyReLU
 * leaky / elu / gelu, clip (as eltwise_clip, so clip(0, 6) is ReLU6) and the unary
 * square / sqrt / exp / abs.
 *
 * <pre>{@code
 * EltwisePostOp act = EltwisePostOp.of(reluNode);      // eltwise_relu, alpha 0
 * if (act != null) act.appendTo(postOps);
 * }</pre>
 *
 * @param alg   the oneDNN eltwise algorithm
 * @param alpha its alpha (leaky slope, elu alpha, clip lower bound, soft_relu's alpha)
 * @param beta  its beta (clip upper bound)
 * @param description short text for logs, e.g. {@code "relu"}
 */
public record EltwisePostOp(algorithm alg, float alpha, float beta, String description) {

    /** The post-op equivalent to {@code node}, or null when the node is not an activation oneDNN can fuse. */
    public static EltwisePostOp of(Node node) {
        switch (node.op()) {
            case "Activation": {
                String t = node.attr("act_type");
                if (t == null) return null;
                return switch (t.trim()) {
                    case "relu" -> new EltwisePostOp(algorithm.eltwise_relu, 0f, 0f, "relu");
                    case "sigmoid" -> new EltwisePostOp(algorithm.eltwise_logistic, 0f, 0f, "sigmoid");
                    case "tanh" -> new EltwisePostOp(algorithm.eltwise_tanh, 0f, 0f, "tanh");
                    case "softrelu" -> new EltwisePostOp(algorithm.eltwise_soft_relu, 1f, 0f, "softrelu");
                    case "log_sigmoid" -> new EltwisePostOp(algorithm.eltwise_soft_relu, -1f, 0f, "log_sigmoid");
                    case "mish" -> new EltwisePostOp(algorithm.eltwise_mish, 0f, 0f, "mish");
                    default -> null;
                };
            }
            case "LeakyReLU": {
                LeakyReLUOp.Params p = new LeakyReLUOp().parse(new AttrReader(node, "LeakyReLU"));
                return switch (p.actType()) {
                    case "leaky" -> new EltwisePostOp(algorithm.eltwise_relu, p.slope(), 0f, "leaky");
                    case "elu" -> new EltwisePostOp(algorithm.eltwise_elu, p.slope(), 0f, "elu");
                    case "gelu" -> new EltwisePostOp(algorithm.eltwise_gelu_erf, 0f, 0f, "gelu");
                    default -> null;
                };
            }
            case "clip": {
                ClipOp.Params p = new ClipOp().parse(new AttrReader(node, "clip"));
                return new EltwisePostOp(algorithm.eltwise_clip, p.min(), p.max(), "clip");
            }
            case "square":
                return new EltwisePostOp(algorithm.eltwise_square, 0f, 0f, "square");
            case "sqrt":
                return new EltwisePostOp(algorithm.eltwise_sqrt, 0f, 0f, "sqrt");
            case "exp":
                return new EltwisePostOp(algorithm.eltwise_exp, 0f, 0f, "exp");
            case "abs":
                return new EltwisePostOp(algorithm.eltwise_abs, 0f, 0f, "abs");
            default:
                return null;
        }
    }

    /** True if the post-op's output is never negative (relu, sigmoid, softrelu, clip from 0 or above, abs, square, ...). */
    public boolean nonNegative() {
        if (alg == algorithm.eltwise_relu) return alpha == 0f;
        if (alg == algorithm.eltwise_soft_relu) return alpha > 0f;
        if (alg == algorithm.eltwise_clip) return alpha >= 0f;
        return alg == algorithm.eltwise_logistic || alg == algorithm.eltwise_abs || alg == algorithm.eltwise_square
                || alg == algorithm.eltwise_sqrt || alg == algorithm.eltwise_exp;
    }

    /** Appends this eltwise post-op to {@code ops}. */
    public void appendTo(post_ops ops) {
        ops.append_eltwise(alg, alpha, beta);
    }
}
