package org.quantize4j.ops;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.fusion.FusionOptions;
import org.quantize4j.passes.fusion.FusionPass;
import org.quantize4j.passes.fusion.FusionTestSupport;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * {@code _sg_mkldnn_conv}: small Convolution [-> BatchNorm] [-> act] [-> elemwise_add] [-> act] graphs are
 * fused and the fused node's output is checked against a plain-Java reference (conv, BatchNorm, activation,
 * sum computed in double from MXNet's definitions) and against the unfused graph.
 */
public class FusedConvolutionOpTest {
    @BeforeClass
    public void register() {
        FusionTestSupport.registerFusedOps();
    }

    /** One chain: sum = none | right (chain + other) | left (other + chain) | data (x + chain(x)). */
    record Case(String name, int groups, boolean bias, boolean bn, boolean fixGamma, String act, String sum, String post,
                int stride, int dilate, String flags) {
        @Override public String toString() { return name; }
    }

    @DataProvider
    public Object[][] cases() {
        Case[] c = {
            new Case("conv_bn_relu", 1, false, true, false, "relu", "none", null, 1, 1, "[with_act, with_bn]"),
            new Case("conv+bias_bn(fix_gamma)_sigmoid", 1, true, true, true, "sigmoid", "none", null, 1, 1, "[with_act, with_bn]"),
            new Case("depthwise_s2_bn_relu6", 4, false, true, false, "relu6", "none", null, 2, 1, "[with_act, with_bn]"),
            new Case("grouped_dilated_bn_tanh", 2, true, true, false, "tanh", "none", null, 1, 2, "[with_act, with_bn]"),
            new Case("conv_softrelu", 1, true, false, false, "softrelu", "none", null, 1, 1, "[with_act]"),
            new Case("conv_leaky", 1, false, false, false, "leaky", "none", null, 1, 1, "[with_act]"),
            new Case("conv_gelu", 1, true, false, false, "gelu", "none", null, 1, 1, "[with_act]"),
            new Case("conv_bn", 1, false, true, false, null, "none", null, 1, 1, "[with_bn]"),
            new Case("conv_bias_only", 1, true, false, false, null, "none", null, 1, 1, "[]"),
            new Case("conv_bn_add_relu", 1, false, true, false, null, "right", "relu", 1, 1, "[with_bn, with_postsum_act, with_sum]"),
            new Case("conv_bn_add(left)_relu", 1, false, true, false, null, "left", "relu", 1, 1, "[with_bn, with_postsum_act, with_sum]"),
            new Case("conv_bn_add", 1, true, true, false, null, "right", null, 1, 1, "[with_bn, with_sum]"),
            new Case("conv_add_relu6", 1, false, false, false, null, "left", "relu6", 1, 1, "[with_postsum_act, with_sum]"),
            new Case("x+conv_bn(x)", 1, false, true, false, null, "data", "sigmoid", 1, 1, "[with_bn, with_postsum_act, with_sum]"),
        };
        Object[][] out = new Object[c.length][];
        for (int i = 0; i < c.length; i++) out[i] = new Object[] {c[i]};
        return out;
    }

    private static final long[] X = {2, 4, 9, 9};

    @Test(dataProvider = "cases")
    public void fusedMatchesReferenceAndUnfused(Case k) {
        SplittableRandom r = new SplittableRandom(k.name.hashCode());
        int c = (int) X[1];
        int f = 4;   // = C so the sum and depthwise cases fit
        int kh = 3;
        int pad = k.dilate;   // keeps H, W at stride 1
        Node data = Graphs.var("data");
        Node w = Graphs.var("w");
        Node b = Graphs.var("b");
        Map<String, String> convAttrs = Map.of("kernel", "(3, 3)", "num_filter", "" + f, "num_group", "" + k.groups,
                "stride", "(" + k.stride + ", " + k.stride + ")", "pad", "(" + pad + ", " + pad + ")",
                "dilate", "(" + k.dilate + ", " + k.dilate + ")", "no_bias", k.bias ? "False" : "True");
        Node cur = k.bias ? Graphs.op("Convolution", "conv", convAttrs, data, w, b) : Graphs.op("Convolution", "conv", convAttrs, data, w);
        long oh = (X[2] + 2L * pad - (long) k.dilate * (kh - 1) - 1) / k.stride + 1;
        long[] ys = {X[0], f, oh, oh};
        float[] wv = Graphs.rand(r, (long) f * (c / k.groups) * kh * kh, -0.5, 0.5);
        float[] bv = Graphs.rand(r, f, -0.2, 0.2);
        float[] gamma = Graphs.rand(r, f, 0.5, 1.5);
        float[] beta = Graphs.rand(r, f, -0.3, 0.3);
        float[] mean = Graphs.rand(r, f, -0.3, 0.3);
        float[] var = Graphs.rand(r, f, 0.4, 1.6);
        List<Object> params = new ArrayList<>(List.of("w", Graphs.arr(new long[] {f, c / k.groups, kh, kh}, wv)));
        if (k.bias) params.addAll(List.of("b", Graphs.arr(new long[] {f}, bv)));
        if (k.bn) {
            cur = Graphs.op("BatchNorm", "bn", Map.of("eps", "1e-05", "fix_gamma", k.fixGamma ? "True" : "False"), cur,
                    Graphs.var("gamma"), Graphs.var("beta"), Graphs.var("mean"), Graphs.var("var"));
            params.addAll(List.of("gamma", Graphs.arr(new long[] {f}, gamma), "beta", Graphs.arr(new long[] {f}, beta),
                    "mean", Graphs.arr(new long[] {f}, mean), "var", Graphs.arr(new long[] {f}, var)));
        }
        if (k.act != null) cur = act(k.act, "act", cur);
        Node other = null;
        if (!k.sum.equals("none")) {
            other = k.sum.equals("data") ? data : Graphs.op("Activation", "other", Map.of("act_type", "tanh"), data);
            cur = k.sum.equals("left") ? Graphs.op("elemwise_add", "add", Map.of(), other, cur)
                    : Graphs.op("elemwise_add", "add", Map.of(), cur, other);
        }
        if (k.post != null) cur = act(k.post, "post", cur);
        Symbol sym = Graphs.sym(cur);
        Map<String, NDArray> p = Graphs.params(params.toArray());
        float[] x = Graphs.rand(r, Graphs.size(X));

        Symbol fused = FusionPass.fuse(sym, FusionOptions.defaults());
        List<Node> sg = new ArrayList<>();
        for (Node n : fused.nodes()) if (n.op().equals(FusedConvolutionOp.NAME)) sg.add(n);
        assertEquals(sg.size(), 1, SymbolJson.toJson(fused));
        assertEquals(new java.util.TreeSet<>(sg.get(0).attrs().keySet()).toString(), k.flags);
        if (k.sum.equals("left") || k.sum.equals("right")) {
            // The sum operand is the last input.
            assertEquals(sg.get(0).inputs().get(sg.get(0).inputs().size() - 1).node().name(), "other");
        }

        float[] got = FusionTestSupport.run(fused, p, X, x);
        float[] unfused = FusionTestSupport.run(sym, p, X, x);
        Reference.assertClose(got, unfused, 1e-5, k.name + " fused vs unfused");

        DoubleUnaryOperator fa = k.act == null ? null : javaAct(k.act);
        DoubleUnaryOperator fp = k.post == null ? null : javaAct(k.post);
        if ((k.act == null || fa != null) && (k.post == null || fp != null)) {
            float[] y = Reference.conv2d(x, X, wv, f, kh, kh, k.bias ? bv : null, new int[] {k.stride, k.stride},
                    new int[] {pad, pad}, new int[] {k.dilate, k.dilate}, k.groups, ys);
            if (k.bn) y = Reference.batchNorm(y, ys, gamma, beta, mean, var, 1e-5f, k.fixGamma);
            if (fa != null) for (int i = 0; i < y.length; i++) y[i] = (float) fa.applyAsDouble(y[i]);
            if (other != null) {
                for (int i = 0; i < y.length; i++) y[i] += k.sum.equals("data") ? x[i] : (float) Math.tanh(x[i]);
            }
            if (fp != null) for (int i = 0; i < y.length; i++) y[i] = (float) fp.applyAsDouble(y[i]);
            Reference.assertClose(got, y, 1e-4, k.name + " fused vs reference");
        }
    }

    private static Node act(String spec, String name, Node in) {
        return switch (spec) {
            case "relu6" -> Graphs.op("clip", name, Map.of("a_min", "0", "a_max", "6"), in);
            case "leaky" -> Graphs.op("LeakyReLU", name, Map.of("act_type", "leaky", "slope", "0.1"), in);
            case "gelu" -> Graphs.op("LeakyReLU", name, Map.of("act_type", "gelu"), in);
            default -> Graphs.op("Activation", name, Map.of("act_type", spec), in);
        };
    }

    /** MXNet's activation definitions in plain Java (null where no closed form is at hand: gelu). */
    private static DoubleUnaryOperator javaAct(String spec) {
        return switch (spec) {
            case "relu" -> v -> Math.max(v, 0);
            case "sigmoid" -> v -> 1 / (1 + Math.exp(-v));
            case "tanh" -> Math::tanh;
            case "softrelu" -> v -> Math.log1p(Math.exp(v));
            case "leaky" -> v -> v > 0 ? v : 0.1 * v;
            case "relu6" -> v -> Math.min(Math.max(v, 0), 6);
            default -> null;
        };
    }

    @Test
    public void inconsistentFlagsAreRejected() {
        Symbol sym = FusionPass.fuse(Graphs.sym(Graphs.op("Convolution", "conv", Map.of("kernel", "(1, 1)", "num_filter", "2",
                "no_bias", "True"), Graphs.var("data"), Graphs.var("w"))), FusionOptions.defaults());
        Node sg = sym.nodes().get(sym.nodes().size() - 1);
        assertEquals(sg.op(), FusedConvolutionOp.NAME);
        sg.setAttr("with_bn", "true");
        InvalidAttributeException e = expectThrows(() -> OpRegistry.standard().bind(sg));
        assertTrue(e.getMessage().contains("with_bn") && e.getMessage().contains("conv"), e.getMessage());
    }

    @Test
    public void quantizedNodeParsesButIsNotBuiltAsFp32() {
        Symbol sym = SymbolJson.read(org.quantize4j.TestFiles.testModel("fmnist_resnet20_v1-quantized-naive-symbol.json"));
        Node q = sym.require("quantized_sg_mkldnn_conv_bn_add_act_2");
        BoundOp<?> b = OpRegistry.standard().bind(q);
        assertEquals(b.numOutputs(), 3);
        assertEquals(b.inputNames(), List.of("data", "weight", "gamma", "beta", "moving_mean", "moving_var", "sum",
                "data_min", "data_max", "sum_min", "sum_max"));
        FusedConvolutionOp.Params p = (FusedConvolutionOp.Params) b.params();
        assertTrue(p.quantized() && p.withSum() && p.bn() != null && p.postSumAct() != null && p.act() == null);
        assertEquals(p.maxCalibRange(), 11.536840f);
    }

    private static InvalidAttributeException expectThrows(Runnable r) {
        try {
            r.run();
        } catch (InvalidAttributeException e) {
            return e;
        }
        throw new AssertionError("expected an InvalidAttributeException");
    }
}
