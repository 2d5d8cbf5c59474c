package org.quantize4j.ops;

import static org.quantize4j.ops.QTest.e;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.QuantizeGranularity;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.fusion.FusionOptions;
import org.quantize4j.passes.fusion.FusionPass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The INT8 kernels of quantized {@code _sg_mkldnn_conv} / {@code _sg_mkldnn_fully_connected} against a plain-Java
 * reference of the quantized arithmetic: dequantized inputs, BN-folded weights quantized per channel (or per tensor)
 * by the independent loop below, FP32 conv + bias, activation, + the dequantized sum operand, post-sum activation,
 * then quantized at the calibrated output range. The kernel must agree within one output step everywhere (rounding
 * ties, float order) and exactly on almost all elements.
 */
public class FusedInt8KernelTest {
    private static final long[] X = {2, 4, 7, 7};
    private static final int F = 4;

    /**
     * @param sum      none | signed (tanh operand, int8) | unsigned (relu operand, uint8) | shared (signed operand also read
     *                 by a later output: copy, not in place) | dynamic (operand quantized at run time)
     * @param out      uint8 | int8 | float (enable_float_output) | int32 (uncalibrated)
     */
    record Case(String name, int groups, boolean bn, String act, String sum, String post, String out, boolean channelWise) {
        @Override public String toString() { return name; }
    }

    @DataProvider
    public Object[][] convCases() {
        Case[] c = {
            new Case("bn_relu->u8", 1, true, "relu", "none", null, "uint8", true),
            new Case("bn_add(s8)_relu->u8 (MXNet's signed sum)", 1, true, null, "signed", "relu", "uint8", true),
            new Case("bn_add(u8)_relu->u8", 1, true, null, "unsigned", "relu", "uint8", true),
            new Case("bn_add(s8)->s8", 1, true, null, "signed", null, "int8", true),
            new Case("add(s8, also read later)_relu->u8", 1, false, null, "shared", "relu", "uint8", true),
            new Case("bn_add(s8)->float", 1, true, null, "signed", null, "float", true),
            new Case("bn_add(run-time range)_relu->u8", 1, true, null, "dynamic", "relu", "uint8", true),
            new Case("bn_relu->int32 (uncalibrated)", 1, true, "relu", "none", null, "int32", true),
            new Case("depthwise_bn_relu6->u8", 4, true, "relu6", "none", null, "uint8", true),
            new Case("bn->s8 tensor-wise", 1, true, null, "none", null, "int8", false),
            new Case("grouped_bn_add(s8)->s8 tensor-wise", 2, true, null, "signed", null, "int8", false),
        };
        Object[][] o = new Object[c.length][];
        for (int i = 0; i < c.length; i++) o[i] = new Object[] {c[i]};
        return o;
    }

    @Test(dataProvider = "convCases")
    public void quantizedFusedConvMatchesReference(Case k) {
        SplittableRandom r = new SplittableRandom(k.name.hashCode());
        int c = (int) X[1];
        Node data = Graphs.var("data");
        Map<String, String> convAttrs = Map.of("kernel", "(3, 3)", "num_filter", "" + F, "num_group", "" + k.groups,
                "pad", "(1, 1)", "no_bias", k.bn ? "True" : "False");
        Node cur = k.bn ? Graphs.op("Convolution", "conv", convAttrs, data, Graphs.var("w"))
                : Graphs.op("Convolution", "conv", convAttrs, data, Graphs.var("w"), Graphs.var("b"));
        float[] wv = Graphs.rand(r, (long) F * (c / k.groups) * 9, -0.5, 0.5);
        float[] bv = Graphs.rand(r, F, -0.2, 0.2);
        float[] gamma = Graphs.rand(r, F, -1.5, 1.5);   // negative gammas flip channels: the fold must keep signs
        float[] beta = Graphs.rand(r, F, -0.3, 0.3);
        float[] mean = Graphs.rand(r, F, -0.3, 0.3);
        float[] var = Graphs.rand(r, F, 0.4, 1.6);
        Map<String, NDArray> p = new LinkedHashMap<>();
        p.put("w", Graphs.arr(new long[] {F, c / k.groups, 3, 3}, wv));
        if (k.bn) {
            cur = Graphs.op("BatchNorm", "bn", Map.of("eps", "1e-05", "fix_gamma", "False"), cur,
                    Graphs.var("gamma"), Graphs.var("beta"), Graphs.var("mean"), Graphs.var("var"));
            p.put("gamma", Graphs.arr(new long[] {F}, gamma));
            p.put("beta", Graphs.arr(new long[] {F}, beta));
            p.put("mean", Graphs.arr(new long[] {F}, mean));
            p.put("var", Graphs.arr(new long[] {F}, var));
        } else {
            p.put("b", Graphs.arr(new long[] {F}, bv));
        }
        if (k.act != null) cur = act(k.act, "act", cur);
        boolean withSum = !k.sum.equals("none");
        Node other = null;
        if (withSum) {
            other = Graphs.op("Activation", "other", Map.of("act_type", k.sum.equals("unsigned") ? "relu" : "tanh"), data);
            cur = Graphs.op("elemwise_add", "add", Map.of(), cur, other);
        }
        if (k.post != null) cur = act(k.post, "post", cur);
        Symbol fused = FusionPass.fuse(Graphs.sym(cur), FusionOptions.defaults());
        Node fp32 = null;
        for (Node n : fused.nodes()) if (n.op().equals(FusedConvolutionOp.NAME)) fp32 = n;

        // The quantized node, as quantizeModelMkldnn writes it: quantized inputs, then their ranges.
        float xAmax = 2.5f;
        Node xq = QTest.quantizeV2("data_quantize", e(data, 0), "int8", -xAmax, xAmax);
        Node sq = null;
        float sAmax = 1f;
        DType sType = k.sum.equals("unsigned") ? DType.UINT8 : DType.INT8;
        if (withSum) {
            boolean dynamic = k.sum.equals("dynamic");
            sq = QTest.quantizeV2("other_quantize", e(other, 0), sType == DType.UINT8 ? "uint8" : "int8",
                    dynamic ? null : (sType == DType.UINT8 ? 0f : -sAmax), dynamic ? null : sAmax);
        }
        List<NodeEntry> in = new ArrayList<>();
        for (NodeEntry en : fp32.inputs()) {
            // The fused graph has its own copies of the nodes: match by name.
            if (en.node().name().equals("data")) in.add(e(xq, 0));
            else if (en.node().name().equals("other")) in.add(e(sq, 0));
            else in.add(en);
        }
        in.addAll(List.of(e(xq, 1), e(xq, 2)));
        if (withSum) in.addAll(List.of(e(sq, 1), e(sq, 2)));
        Map<String, String> attrs = new LinkedHashMap<>(fp32.attrs());
        attrs.put("quantized", "true");
        float outMin = k.out.equals("uint8") ? 0f : -1.7f;
        float outMax = 1.9f;
        if (k.out.equals("uint8") || k.out.equals("int8")) {
            attrs.put("min_calib_range", Float.toString(outMin));
            attrs.put("max_calib_range", Float.toString(outMax));
            attrs.put("out_type", k.out);
        }
        if (k.out.equals("float")) attrs.put("enable_float_output", "True");
        if (!k.channelWise) attrs.put("channel_wise_quantize", "False");
        boolean floatOut = k.out.equals("float");
        Node qconv = withSubgraphs(new Node(FusedConvolutionOp.NAME, "quantized_conv", attrs, in, floatOut ? 1 : 3), fp32);
        List<NodeEntry> heads = new ArrayList<>();
        heads.add(floatOut ? e(qconv, 0) : e(QTest.dequantize("conv_dequantize", qconv), 0));
        heads.add(e(xq, 0));
        if (withSum) heads.add(e(QTest.dequantize("other_dequantize", sq), 0));
        Symbol s = Symbol.fromOutputs(heads, Map.of());

        DType want = switch (k.out) {
            case "uint8" -> DType.UINT8;
            case "int8" -> DType.INT8;
            case "float" -> DType.FLOAT32;
            default -> DType.INT32;
        };
        assertEquals(ShapeInference.infer(s, Map.of("data", X)).dtype(e(qconv, 0)), want);

        float[] x = Graphs.rand(r, Graphs.size(X), -2, 2);
        float[][] got = QTest.run(s, p, X, x);

        // Reference: the same arithmetic in plain Java.
        float[] xr = QTest.dequantize(got[1], xAmax, DType.INT8);
        float[][] folded = fold(wv, k.bn ? null : bv, k.bn ? new float[][] {gamma, beta, mean, var} : null);
        float[] wr = quantizeWeights(folded[0], k.channelWise ? F : 1);
        long[] ys = {X[0], F, X[2], X[3]};
        float[] y = Reference.conv2d(xr, X, wr, F, 3, 3, folded[1], new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, k.groups, ys);
        if (k.act != null) apply(y, k.act);
        if (withSum) {
            float[] sr = got[2];   // the operand as the graph quantized it (dequantized output)
            for (int i = 0; i < y.length; i++) y[i] += sr[i];
        }
        if (k.post != null) apply(y, k.post);
        if (k.sum.equals("shared")) {
            // The operand must survive the conv: it is read after it, so the sum ran on a copy.
            float[] direct = new float[x.length];
            for (int i = 0; i < x.length; i++) direct[i] = (float) Math.tanh(x[i]);
            float[] expectQ = QTest.dequantize(QTest.quantize(direct, sAmax, DType.INT8), sAmax, DType.INT8);
            Reference.assertClose(got[2], expectQ, 1e-6, "sum operand after the conv");
        }
        if (want == DType.UINT8 || want == DType.INT8) {
            float amax = Math.max(Math.abs(outMin), outMax);
            float[] q = QTest.quantize(y, amax, want);
            float[] wantOut = QTest.dequantize(q, amax, want);
            float step = QTest.unit(amax, want);
            int off = QTest.countDiff(got[0], wantOut, step * 1e-3, step * 1.001, k.name);
            assertTrue(off <= y.length / 50, k.name + ": " + off + " of " + y.length + " values one step off");
        } else {
            Reference.assertClose(got[0], y, 1e-5 * QTest.absMax(y), k.name);
        }
    }

    @Test
    public void fullyConnectedChannelWiseAndMxnetInt8Weights() {
        SplittableRandom r = new SplittableRandom(5);
        int kdim = 24;
        int o = 6;
        long[] xs = {3, kdim};
        float[] w = Graphs.rand(r, (long) o * kdim, -0.5, 0.5);
        for (int i = 0; i < kdim; i++) w[i] *= 0.05f;   // one small row: per-row scales matter
        float[] b = Graphs.rand(r, o, -0.5, 0.5);
        float[] x = Graphs.rand(r, Graphs.size(xs), 0, 2);
        Node data = Graphs.var("data");
        Node fc = Graphs.op("FullyConnected", "fc", Map.of("num_hidden", "" + o), data, Graphs.var("w"), Graphs.var("b"));
        Node relu = Graphs.op("Activation", "relu", Map.of("act_type", "relu"), fc);
        Node fp32 = null;
        for (Node n : FusionPass.fuse(Graphs.sym(relu), FusionOptions.defaults()).nodes()) {
            if (n.op().equals(FusedFullyConnectedOp.NAME)) fp32 = n;
        }
        Node xq = QTest.quantizeV2("data_quantize", e(data, 0), "uint8", 0f, 2f);

        // Channel-wise, calibrated uint8 output.
        Map<String, String> a = new LinkedHashMap<>(fp32.attrs());
        a.putAll(Map.of("quantized", "True", "channel_wise_quantize", "True", "min_calib_range", "0", "max_calib_range", "2.5"));
        Node q1 = withSubgraphs(new Node(FusedFullyConnectedOp.NAME, "qfc", a,
                List.of(e(xq, 0), fp32.input(1), fp32.input(2), e(xq, 1), e(xq, 2)), 3), fp32);
        // MXNet 1.9's vocabulary: int8 weight and bias parameters with ranges, float output.
        float wAmax = QTest.absMax(w);
        float bAmax = QTest.absMax(b);
        Map<String, String> a2 = new LinkedHashMap<>(fp32.attrs());
        a2.putAll(Map.of("quantized", "True", "enable_float_output", "True"));
        Node q2 = withSubgraphs(new Node(FusedFullyConnectedOp.NAME, "qfc_mx", a2, List.of(e(xq, 0), e(Graphs.var("w_quantize"), 0),
                e(Graphs.var("b_quantize"), 0), e(xq, 1), e(xq, 2), e(Graphs.var("w_min"), 0), e(Graphs.var("w_max"), 0),
                e(Graphs.var("b_min"), 0), e(Graphs.var("b_max"), 0)), 1), fp32);
        Symbol s = Symbol.fromOutputs(List.of(e(QTest.dequantize("dq", q1), 0), e(q2, 0), e(xq, 0)), Map.of());
        float[] wq = QTest.quantize(w, wAmax, DType.INT8);
        float[] bq = QTest.quantize(b, bAmax, DType.INT8);
        Map<String, NDArray> p = QTest.params("w", Graphs.arr(new long[] {o, kdim}, w), "b", Graphs.arr(new long[] {o}, b),
                "w_quantize", QTest.int8(wq, new long[] {o, kdim}), "b_quantize", QTest.int8(bq, new long[] {o}),
                "w_min", QTest.scalar(-wAmax), "w_max", QTest.scalar(wAmax), "b_min", QTest.scalar(-bAmax), "b_max", QTest.scalar(bAmax));
        float[][] got = QTest.run(s, p, xs, x);
        float[] xr = QTest.dequantize(got[2], 2f, DType.UINT8);

        float[] y1 = Reference.fc(xr, 3, kdim, quantizeWeights(w, o), o, b);
        apply(y1, "relu");
        float[] want1 = QTest.dequantize(QTest.quantize(y1, 2.5f, DType.UINT8), 2.5f, DType.UINT8);
        float step = QTest.unit(2.5f, DType.UINT8);
        int off = QTest.countDiff(got[0], want1, step * 1e-3, step * 1.001, "channel-wise FC");
        assertTrue(off <= 1, off + " values one step off");

        float[] y2 = Reference.fc(xr, 3, kdim, QTest.dequantize(wq, wAmax, DType.INT8), o, QTest.dequantize(bq, bAmax, DType.INT8));
        apply(y2, "relu");
        Reference.assertClose(got[1], y2, 1e-5 * QTest.absMax(y2), "MXNet-vocabulary FC with float output");
    }

    private static Node withSubgraphs(Node n, Node from) {
        n.subgraphs().addAll(from.subgraphs());
        return n;
    }

    /** Weight and bias with BatchNorm (gamma, beta, mean, var) folded in, in double as MXNet does. */
    private static float[][] fold(float[] w, float[] b, float[][] bn) {
        if (bn == null) return new float[][] {w, b};
        int per = w.length / F;
        float[] w2 = new float[w.length];
        float[] b2 = new float[F];
        for (int o = 0; o < F; o++) {
            double s = bn[0][o] / Math.sqrt(bn[3][o] + 1e-5);
            for (int j = 0; j < per; j++) w2[o * per + j] = (float) (w[o * per + j] * s);
            b2[o] = (float) (bn[1][o] - bn[2][o] * s);
        }
        return new float[][] {w2, b2};
    }

    /** Symmetric int8 weights (per output row or per tensor, MXNet's 127.5 grid) returned as their real values. */
    private static float[] quantizeWeights(float[] w, int rows) {
        int per = w.length / rows;
        float[] out = new float[w.length];
        for (int c = 0; c < rows; c++) {
            float amax = 0;
            for (int j = 0; j < per; j++) amax = Math.max(amax, Math.abs(w[c * per + j]));
            float unit = amax / 127.5f;   // MXNet's weight grid, saturating at +-127
            for (int j = 0; j < per; j++) {
                float v = w[c * per + j];
                float q = Math.min((float) Math.floor(Math.abs(v) / unit + 0.5), 127f);
                out[c * per + j] = Math.copySign(q, v) * unit;
            }
        }
        return out;
    }

    private static void apply(float[] y, String act) {
        for (int i = 0; i < y.length; i++) {
            y[i] = switch (act) {
                case "relu" -> Math.max(y[i], 0f);
                case "relu6" -> Math.min(Math.max(y[i], 0f), 6f);
                default -> throw new IllegalArgumentException(act);
            };
        }
    }

    private static Node act(String spec, String name, Node in) {
        return spec.equals("relu6") ? Graphs.op("clip", name, Map.of("a_min", "0", "a_max", "6"), in)
                : Graphs.op("Activation", name, Map.of("act_type", spec), in);
    }

    @Test
    public void weightQuantizerIsTheKernelsReference() {
        // The kernel quantizes through WeightQuantizer; the test's own loop must agree with it.
        float[] w = Graphs.rand(new SplittableRandom(3), F * 18, -1, 1);
        float[] mine = quantizeWeights(w, F);
        WeightQuantizer.Int8Weights q = WeightQuantizer.quantize(Graphs.arr(new long[] {F, 18}, w), QuantizeGranularity.CHANNEL_WISE);
        float[] theirs = WeightQuantizer.dequantize(q).toFloatArray();
        Reference.assertClose(theirs, mine, 1e-7, "per-channel int8 weights");
    }
}
