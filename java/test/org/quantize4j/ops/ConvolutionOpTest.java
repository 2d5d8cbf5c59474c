package org.quantize4j.ops;

import static org.quantize4j.ops.Graphs.arr;
import static org.quantize4j.ops.Graphs.op;
import static org.quantize4j.ops.Graphs.rand;
import static org.quantize4j.ops.Graphs.size;
import static org.quantize4j.ops.Graphs.var;
import static org.testng.Assert.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Convolution and FullyConnected against the plain-Java reference. */
public class ConvolutionOpTest {
    @DataProvider
    public Object[][] convs() {
        // n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, noBias
        return new Object[][] {
            {2, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, false},     // plain 3x3 with bias
            {1, 4, 8, 8, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, true},      // stride 2, no bias
            {2, 6, 6, 6, 4, 3, 3, 1, 1, 0, 0, 1, 1, 2, false},     // 2 groups
            {1, 8, 7, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, true},      // depthwise
            {2, 8, 9, 9, 16, 3, 3, 2, 2, 1, 1, 1, 1, 8, false},    // depthwise multiplier 2, stride 2
            {1, 3, 9, 9, 5, 3, 3, 1, 1, 2, 2, 2, 2, 1, false},     // dilation 2
            {1, 5, 6, 10, 3, 1, 3, 2, 1, 0, 1, 1, 1, 1, false},    // 1x3 kernel, stride (2,1), pad (0,1)
            {3, 1, 5, 5, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1, false},     // one input channel (NCHW == NHWC)
            {1, 16, 4, 4, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1, true},     // 1x1
            {1, 4, 5, 5, 4, 3, 3, 3, 3, 2, 2, 1, 1, 1, false},     // stride 3 with pad 2
        };
    }

    @Test(dataProvider = "convs")
    public void convolutionMatchesReference(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw,
                                            int dh, int dw, int groups, boolean noBias) {
        SplittableRandom r = new SplittableRandom(n * 1000 + c * 100 + o + groups);
        long[] xs = {n, c, h, w};
        int[] stride = {sh, sw};
        int[] pad = {ph, pw};
        int[] dilate = {dh, dw};
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("kernel", "(" + kh + ", " + kw + ")");
        attrs.put("stride", "(" + sh + ", " + sw + ")");
        attrs.put("pad", "(" + ph + ", " + pw + ")");
        attrs.put("dilate", "(" + dh + ", " + dw + ")");
        attrs.put("num_filter", String.valueOf(o));
        attrs.put("num_group", String.valueOf(groups));
        attrs.put("no_bias", noBias ? "True" : "False");
        attrs.put("layout", "NCHW");
        attrs.put("workspace", "256");
        Node data = var("data");
        Node conv = noBias ? op("Convolution", "conv0", attrs, data, var("conv0_weight"))
                : op("Convolution", "conv0", attrs, data, var("conv0_weight"), var("conv0_bias"));
        Symbol s = Graphs.sym(conv);
        long[] ws = {o, c / groups, kh, kw};
        float[] x = rand(r, size(xs));
        float[] wt = rand(r, size(ws));
        float[] b = noBias ? null : rand(r, o);
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("conv0_weight", arr(ws, wt));
        if (!noBias) params.put("conv0_bias", arr(new long[] {o}, b));
        long oh = (h + 2L * ph - (dh * (kh - 1) + 1)) / sh + 1;
        long ow = (w + 2L * pw - (dw * (kw - 1) + 1)) / sw + 1;
        long[] ys = {n, o, oh, ow};
        float[] got = Graphs.run(s, params, xs, x);
        float[] want = Reference.conv2d(x, xs, wt, o, kh, kw, b, stride, pad, dilate, groups, ys);
        Reference.assertClose(got, want, 1e-5, "conv " + java.util.Arrays.toString(xs));
    }

    /** Conv -> relu and conv -> sigmoid from the same tensor, added: in-place must not clobber a live input. */
    @Test
    public void sharedInputIsNotOverwrittenInPlace() {
        SplittableRandom r = new SplittableRandom(5);
        long[] xs = {2, 3, 6, 6};
        Node data = var("data");
        Node conv = op("Convolution", "c", Map.of("kernel", "(3, 3)", "pad", "(1, 1)", "num_filter", "4", "no_bias", "True"),
                data, var("w"));
        Node relu = op("Activation", "relu", Map.of("act_type", "relu"), conv);
        Node sig = op("Activation", "sig", Map.of("act_type", "sigmoid"), conv);
        Node add = op("elemwise_add", "add", Map.of(), relu, sig);
        Node add2 = op("elemwise_add", "add2", Map.of(), add, conv);
        float[] x = rand(r, size(xs));
        float[] w = rand(r, 4 * 3 * 9);
        float[] got = Graphs.run(Graphs.sym(add2), Graphs.params("w", arr(new long[] {4, 3, 3, 3}, w)), xs, x);
        float[] cv = Reference.conv2d(x, xs, w, 4, 3, 3, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, new long[] {2, 4, 6, 6});
        float[] want = new float[cv.length];
        for (int i = 0; i < cv.length; i++) want[i] = (float) (Math.max(cv[i], 0) + 1 / (1 + Math.exp(-cv[i])) + cv[i]);
        Reference.assertClose(got, want, 1e-5, "shared input");
    }

    @DataProvider
    public Object[][] fcs() {
        // input shape, num_hidden, flatten, noBias
        return new Object[][] {
            {new long[] {4, 20}, 7, true, false},
            {new long[] {4, 20}, 7, true, true},
            {new long[] {2, 3, 4, 5}, 6, true, false},      // 4-D input: inner product over (C, H, W)
            {new long[] {2, 1, 4, 5}, 6, true, false},
            {new long[] {3, 4, 5}, 5, true, false},         // 3-D flattened
            {new long[] {2, 3, 5}, 4, false, false},        // flatten=False: over the last axis
            {new long[] {2, 3, 4, 5}, 3, false, true},
        };
    }

    @Test(dataProvider = "fcs")
    public void fullyConnectedMatchesReference(long[] xs, int o, boolean flatten, boolean noBias) {
        SplittableRandom r = new SplittableRandom(o * 31 + xs.length);
        Map<String, String> attrs = Map.of("num_hidden", String.valueOf(o), "flatten", flatten ? "True" : "False",
                "no_bias", noBias ? "True" : "False");
        Node data = var("data");
        Node fc = noBias ? op("FullyConnected", "fc", attrs, data, var("fc_weight"))
                : op("FullyConnected", "fc", attrs, data, var("fc_weight"), var("fc_bias"));
        int k = (int) (flatten ? size(xs) / xs[0] : xs[xs.length - 1]);
        int rows = (int) (size(xs) / k);
        float[] x = rand(r, size(xs));
        float[] w = rand(r, (long) o * k);
        float[] b = noBias ? null : rand(r, o);
        Map<String, NDArray> params = new LinkedHashMap<>();
        params.put("fc_weight", arr(new long[] {o, k}, w));
        if (!noBias) params.put("fc_bias", arr(new long[] {o}, b));
        float[] got = Graphs.run(Graphs.sym(fc), params, xs, x);
        Reference.assertClose(got, Reference.fc(x, rows, k, w, o, b), 1e-5, "fc");
        long[] expectShape = flatten ? new long[] {xs[0], o} : xs.clone();
        if (!flatten) expectShape[expectShape.length - 1] = o;
        assertEquals(org.quantize4j.graph.ShapeInference.infer(Graphs.sym(fc), Map.of("data", xs)).shape(fc.output(0)), expectShape);
    }

    /** FC after a convolution: its input arrives NHWC, weights are in NCHW-flatten order. */
    @Test
    public void fullyConnectedAfterConvolution() {
        SplittableRandom r = new SplittableRandom(9);
        long[] xs = {2, 3, 5, 5};
        Node conv = op("Convolution", "c", Map.of("kernel", "(3, 3)", "num_filter", "4", "no_bias", "True"), var("data"), var("w"));
        Node fc = op("FullyConnected", "fc", Map.of("num_hidden", "3"), conv, var("fw"), var("fb"));
        float[] x = rand(r, size(xs));
        float[] w = rand(r, 4 * 3 * 9);
        float[] fw = rand(r, 3 * 4 * 9);
        float[] fb = rand(r, 3);
        float[] got = Graphs.run(Graphs.sym(fc), Graphs.params("w", arr(new long[] {4, 3, 3, 3}, w), "fw", arr(new long[] {3, 36}, fw),
                "fb", arr(new long[] {3}, fb)), xs, x);
        float[] cv = Reference.conv2d(x, xs, w, 4, 3, 3, null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, new long[] {2, 4, 3, 3});
        Reference.assertClose(got, Reference.fc(cv, 2, 36, fw, 3, fb), 1e-5, "conv+fc");
    }
}
