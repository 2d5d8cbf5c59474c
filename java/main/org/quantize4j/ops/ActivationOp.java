package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;

/**
 * MXNet {@code Activation}: relu, sigmoid, tanh, softrelu ({@code log(1 + e^x)}), softsign
 * ({@code x / (1 + |x|)}), and MXNet 1.9's log_sigmoid and mish, as oneDNN eltwise primitives.
 *
 * <p>oneDNN has no softsign: it is composed of three primitives, {@code t = |x|} (eltwise_abs),
 * {@code t = t + 1} (eltwise_linear, in place) and {@code y = x / t} (binary_div), all vectorised.
 * log_sigmoid is soft_relu with alpha = -1 ({@code -log(1 + e^-x)}).
 *
 * <pre>{@code
 * // relu0 = Activation(x, act_type="relu")
 * }</pre>
 */
public final class ActivationOp implements Op<ActivationOp.Params> {
    public record Params(String actType) {}

    private static final Set<String> ATTRS = Set.of("act_type");

    @Override public String name() { return "Activation"; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        if (!a.has("act_type")) throw a.error("act_type", "is required");
        return new Params(a.choice("act_type", null, "relu", "sigmoid", "tanh", "softrelu", "softsign", "log_sigmoid", "mish"));
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        ctx.setOut(0, ctx.requireIn(0));
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        switch (p.actType) {
            case "relu" -> Eltwise.build(ctx, algorithm.eltwise_relu, 0f, 0f);
            case "sigmoid" -> Eltwise.build(ctx, algorithm.eltwise_logistic, 0f, 0f);
            case "tanh" -> Eltwise.build(ctx, algorithm.eltwise_tanh, 0f, 0f);
            case "softrelu" -> Eltwise.build(ctx, algorithm.eltwise_soft_relu, 1f, 0f);
            case "log_sigmoid" -> Eltwise.build(ctx, algorithm.eltwise_soft_relu, -1f, 0f);
            case "mish" -> Eltwise.build(ctx, algorithm.eltwise_mish, 0f, 0f);
            case "softsign" -> buildSoftsign(ctx);
            default -> throw ctx.unsupported("act_type " + p.actType);
        }
    }

    private static void buildSoftsign(KernelContext ctx) {
        memory.desc md = ctx.inputDesc(0);
        memory x = ctx.input(0);
        memory t = ctx.temp(md);
        Eltwise.step(ctx, algorithm.eltwise_abs, 0f, 0f, md, x, t);
        Eltwise.step(ctx, algorithm.eltwise_linear, 1f, 1f, md, t, t);
        memory y = ctx.outputInPlace(0, md, 0);
        binary.primitive_desc pd = new binary.primitive_desc(ctx.engine(), algorithm.binary_div, md, md, md, ctx.newAttr(), false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC_0, x);
        args.put(DNNL_ARG_SRC_1, t);
        args.put(DNNL_ARG_DST, y);
        ctx.addPrimitive(new binary(pd), pd, args);
    }

    @Override
    public Quantizability quantizability(Params p) {
        return p.actType.equals("relu") ? Quantizability.SUPPORT : Quantizability.NONE;
    }

    @Override
    public String quantizedOpName(Params p) { return p.actType.equals("relu") ? "_contrib_quantized_act" : null; }
}
