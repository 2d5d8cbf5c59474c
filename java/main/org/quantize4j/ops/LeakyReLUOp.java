package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.prelu_forward;

/**
 * MXNet {@code LeakyReLU}: leaky ({@code x > 0 ? x : slope*x}), elu ({@code slope*(e^x - 1)} below 0),
 * prelu (learned per-channel slopes {@code gamma}), rrelu (at inference: leaky with the mean of
 * lower_bound and upper_bound), selu and gelu (erf form). Defaults as MXNet: act_type=leaky,
 * slope=0.25, lower_bound=0.125, upper_bound=0.334.
 *
 * <pre>{@code
 * // y = LeakyReLU(x, gamma, act_type="prelu")
 * }</pre>
 */
public final class LeakyReLUOp implements Op<LeakyReLUOp.Params> {
    public record Params(String actType, float slope, float lowerBound, float upperBound) {}

    private static final Set<String> ATTRS = Set.of("act_type", "slope", "lower_bound", "upper_bound");
    private static final float SELU_ALPHA = 1.6732632423543772848170429916717f;
    private static final float SELU_LAMBDA = 1.0507009873554804934193349852946f;

    @Override public String name() { return "LeakyReLU"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        String t = a.choice("act_type", "leaky", "elu", "gelu", "leaky", "prelu", "rrelu", "selu");
        return new Params(t, a.floatValue("slope", 0.25f), a.floatValue("lower_bound", 0.125f), a.floatValue("upper_bound", 0.334f));
    }

    @Override
    public List<String> inputNames(Params p) {
        return p.actType.equals("prelu") ? List.of("data", "gamma") : List.of("data");
    }

    @Override
    public InputRole inputRole(Params p, int i) { return i == 0 ? InputRole.DATA : InputRole.SLOPE; }

    @Override public int numOutputs(Params p) { return p.actType.equals("rrelu") ? 2 : 1; }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        if (p.actType.equals("prelu")) {
            if (x.length < 2) throw ctx.error("prelu needs an input with a channel axis, got " + ShapeContext.fmt(x));
            long[] g = ctx.in(1);
            if (g == null || !(g.length == 1 && g[0] == 1)) ctx.assignIn(1, new long[] {x[1]});
        }
        ctx.setOut(0, x);
        if (p.actType.equals("rrelu")) ctx.setOut(1, x);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        switch (p.actType) {
            case "leaky" -> Eltwise.build(ctx, algorithm.eltwise_relu, p.slope, 0f);
            case "rrelu" -> Eltwise.build(ctx, algorithm.eltwise_relu, (p.lowerBound + p.upperBound) / 2, 0f);
            case "elu" -> Eltwise.build(ctx, algorithm.eltwise_elu, p.slope, 0f);
            case "gelu" -> Eltwise.build(ctx, algorithm.eltwise_gelu_erf, 0f, 0f);
            case "selu" -> {
                memory.desc md = ctx.inputDesc(0);
                memory dst = ctx.outputInPlace(0, md, 0);
                Eltwise.step(ctx, algorithm.eltwise_elu, SELU_ALPHA, 0f, md, ctx.input(0), dst);
                Eltwise.step(ctx, algorithm.eltwise_linear, SELU_LAMBDA, 0f, md, dst, dst);
            }
            case "prelu" -> buildPrelu(ctx);
            default -> throw ctx.unsupported("act_type " + p.actType);
        }
    }

    private static void buildPrelu(KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        long[] g = ctx.inputShape(1);
        memory.desc md = ctx.inputDesc(0);
        long[] wDims = new long[x.length];
        java.util.Arrays.fill(wDims, 1);
        wDims[1] = g[0];
        memory.desc wMd = Layouts.plain(wDims);
        prelu_forward.primitive_desc pd = new prelu_forward.primitive_desc(ctx.engine(), prop_kind.forward_inference,
                md, wMd, md, ctx.newAttr(), false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, ctx.input(0));
        args.put(DNNL_ARG_WEIGHTS, ctx.input(1, wMd, pd.weights_desc()));
        args.put(DNNL_ARG_DST, ctx.outputInPlace(0, md, 0));
        ctx.addPrimitive(new prelu_forward(pd), pd, args);
    }
}
