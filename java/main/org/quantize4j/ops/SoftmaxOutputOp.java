package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.global.dnnl.algorithm;

/**
 * MXNet {@code SoftmaxOutput} (alias {@code Softmax}) at inference: the label input is ignored and the
 * output is a softmax: over axis 1 with {@code multi_output}, over the last axis with
 * {@code preserve_shape}, otherwise over the row-major flattening (N, rest) (MXNet's default).
 *
 * <pre>{@code
 * // out = SoftmaxOutput(fc, softmax_label)
 * }</pre>
 */
public final class SoftmaxOutputOp implements Op<SoftmaxOutputOp.Params> {
    public record Params(boolean multiOutput, boolean preserveShape) {}

    private static final Set<String> ATTRS = Set.of("grad_scale", "ignore_label", "multi_output", "use_ignore",
            "preserve_shape", "normalization", "out_grad", "smooth_alpha");

    @Override public String name() { return "SoftmaxOutput"; }

    @Override public List<String> aliases() { return List.of("Softmax"); }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        a.floatValue("grad_scale", 1f);
        a.floatValue("ignore_label", -1f);
        a.bool("use_ignore", false);
        a.choice("normalization", "null", "batch", "null", "valid");
        a.bool("out_grad", false);
        a.floatValue("smooth_alpha", 0f);
        return new Params(a.bool("multi_output", false), a.bool("preserve_shape", false));
    }

    @Override public List<String> inputNames(Params p) { return List.of("data", "label"); }

    @Override
    public InputRole inputRole(Params p, int i) { return i == 0 ? InputRole.DATA : InputRole.LABEL; }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        if (ctx.in(1) == null) {
            long[] label;
            if (p.multiOutput && x.length >= 2) {
                label = new long[x.length - 1];
                label[0] = x[0];
                System.arraycopy(x, 2, label, 1, x.length - 2);
            } else {
                label = java.util.Arrays.copyOf(x, Math.max(1, x.length - 1));
            }
            ctx.assignIn(1, label);
        }
        ctx.setOut(0, x);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        int rank = ctx.inputShape(0).length;
        if (p.multiOutput && rank >= 2) Softmax.overAxis(ctx, algorithm.softmax_accurate, 1, 1f);
        else if (p.preserveShape) Softmax.overAxis(ctx, algorithm.softmax_accurate, rank - 1, 1f);
        else Softmax.flattened(ctx, algorithm.softmax_accurate);
    }
}
