package org.quantize4j.ops;

import static org.quantize4j.ops.Graphs.arr;
import static org.quantize4j.ops.Graphs.op;
import static org.quantize4j.ops.Graphs.rand;
import static org.quantize4j.ops.Graphs.size;
import static org.quantize4j.ops.Graphs.var;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import org.quantize4j.graph.Node;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** BatchNorm, Activation, LeakyReLU and clip against plain-Java formulas. */
public class NormActivationOpTest {
    @DataProvider
    public Object[][] batchNorms() {
        return new Object[][] {
            {new long[] {2, 4, 3, 5}, "False", "1e-05"},
            {new long[] {2, 4, 3, 5}, "True", "1e-05"},
            {new long[] {2, 4, 3, 5}, null, null},           // MXNet defaults: fix_gamma=True, eps=1e-3
            {new long[] {3, 6}, "False", "0.01"},
        };
    }

    @Test(dataProvider = "batchNorms")
    public void batchNormMatchesFormula(long[] xs, String fixGamma, String eps) {
        SplittableRandom r = new SplittableRandom(xs.length * 13 + (fixGamma == null ? 0 : fixGamma.length()));
        int c = (int) xs[1];
        Map<String, String> attrs = new LinkedHashMap<>();
        if (fixGamma != null) attrs.put("fix_gamma", fixGamma);
        if (eps != null) attrs.put("eps", eps);
        attrs.put("momentum", "0.9");
        attrs.put("use_global_stats", "False");
        attrs.put("axis", "1");
        Node bn = new Node("BatchNorm", "bn", attrs, java.util.List.of(var("data").output(0), var("g").output(0),
                var("b").output(0), var("m").output(0), var("v").output(0)), 3);
        float[] x = rand(r, size(xs), -3, 3);
        float[] g = rand(r, c, 0.5, 2);
        float[] b = rand(r, c);
        float[] m = rand(r, c);
        float[] v = rand(r, c, 0.001, 2);
        long[] cs = {c};
        Map<String, NDArray> params = Graphs.params("g", arr(cs, g), "b", arr(cs, b), "m", arr(cs, m), "v", arr(cs, v));
        float[] got = Graphs.run(Graphs.sym(bn), params, xs, x);
        float e = eps == null ? 1e-3f : Float.parseFloat(eps);
        boolean fix = fixGamma == null || fixGamma.equals("True");
        Reference.assertClose(got, Reference.batchNorm(x, xs, g, b, m, v, e, fix), 1e-5, "bn fix_gamma=" + fixGamma);
    }

    static double erf(double z) {
        // Abramowitz-Stegun 7.1.26 is too coarse; use a series/continued-fraction free form via Math functions.
        double t = 1.0 / (1.0 + 0.5 * Math.abs(z));
        double y = 1 - t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return z >= 0 ? y : -y;
    }

    @DataProvider
    public Object[][] activations() {
        DoubleUnaryOperator selu = x -> 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.exp(x) - 1));
        return new Object[][] {
            {"Activation", Map.of("act_type", "relu"), (DoubleUnaryOperator) x -> Math.max(x, 0)},
            {"Activation", Map.of("act_type", "sigmoid"), (DoubleUnaryOperator) x -> 1 / (1 + Math.exp(-x))},
            {"Activation", Map.of("act_type", "tanh"), (DoubleUnaryOperator) Math::tanh},
            {"Activation", Map.of("act_type", "softrelu"), (DoubleUnaryOperator) x -> Math.log1p(Math.exp(x))},
            {"Activation", Map.of("act_type", "softsign"), (DoubleUnaryOperator) x -> x / (1 + Math.abs(x))},
            {"Activation", Map.of("act_type", "log_sigmoid"), (DoubleUnaryOperator) x -> -Math.log1p(Math.exp(-x))},
            {"Activation", Map.of("act_type", "mish"), (DoubleUnaryOperator) x -> x * Math.tanh(Math.log1p(Math.exp(x)))},
            {"LeakyReLU", Map.of(), (DoubleUnaryOperator) x -> x > 0 ? x : 0.25 * x},
            {"LeakyReLU", Map.of("act_type", "leaky", "slope", "0.1"), (DoubleUnaryOperator) x -> x > 0 ? x : 0.1 * x},
            {"LeakyReLU", Map.of("act_type", "elu", "slope", "0.3"), (DoubleUnaryOperator) x -> x > 0 ? x : 0.3 * (Math.exp(x) - 1)},
            {"LeakyReLU", Map.of("act_type", "rrelu", "lower_bound", "0.1", "upper_bound", "0.3"),
                (DoubleUnaryOperator) x -> x > 0 ? x : 0.2 * x},
            {"LeakyReLU", Map.of("act_type", "selu"), selu},
            {"LeakyReLU", Map.of("act_type", "gelu"), (DoubleUnaryOperator) x -> 0.5 * x * (1 + erf(x / Math.sqrt(2)))},
            {"clip", Map.of("a_min", "-0.3", "a_max", "0.5"), (DoubleUnaryOperator) x -> Math.min(Math.max(x, -0.3), 0.5)},
            {"clip", Map.of("a_min", "0", "a_max", "6"), (DoubleUnaryOperator) x -> Math.min(Math.max(x, 0), 6)},
        };
    }

    /**
     * Each activation on a 4-D tensor and a 2-D one. The 4-D input first passes a 1x1 max pooling (an
     * identity) so the activation runs on the internal NHWC layout.
     */
    @Test(dataProvider = "activations")
    public void activationMatchesFormula(String opName, Map<String, String> attrs, DoubleUnaryOperator f) {
        for (long[] xs : new long[][] {{2, 3, 4, 5}, {3, 7}}) {
            float[] x = rand(new SplittableRandom(xs.length), size(xs), -8, 8);
            Node in = xs.length == 4 ? op("Pooling", "id", Map.of("kernel", "(1, 1)", "pool_type", "max"), var("data")) : var("data");
            Node act = op(opName, "act", attrs, in);
            float[] got = Graphs.run(Graphs.sym(act), Map.of(), xs, x);
            float[] want = new float[x.length];
            for (int i = 0; i < x.length; i++) want[i] = (float) f.applyAsDouble(x[i]);
            Reference.assertClose(got, want, 2e-5, opName + " " + attrs);
        }
    }

    @Test
    public void preluUsesPerChannelSlopes() {
        long[] xs = {2, 3, 4, 4};
        SplittableRandom r = new SplittableRandom(4);
        float[] x = rand(r, size(xs));
        float[] g = {0.1f, -0.5f, 0.7f};
        Node act = op("LeakyReLU", "prelu", Map.of("act_type", "prelu"), var("data"), var("gamma"));
        float[] got = Graphs.run(Graphs.sym(act), Graphs.params("gamma", arr(new long[] {3}, g)), xs, x);
        float[] want = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (i / 16) % 3;
            want[i] = x[i] > 0 ? x[i] : g[c] * x[i];
        }
        Reference.assertClose(got, want, 1e-6, "prelu");
    }

    /** An activation applied to a graph input must not overwrite it: a second forward gives the same result. */
    @Test
    public void activationOnInputKeepsInputIntact() {
        long[] xs = {1, 2, 3, 3};
        float[] x = rand(new SplittableRandom(8), size(xs));
        Node relu = op("Activation", "relu", Map.of("act_type", "relu"), var("data"));
        Node sum = op("elemwise_add", "sum", Map.of(), relu, relu);
        try (var ex = org.quantize4j.runtime.Executor.create(Graphs.sym(sum), Map.of(), Map.of("data", xs),
                org.quantize4j.runtime.ExecutorOptions.defaults())) {
            ex.setInput("data", java.nio.FloatBuffer.wrap(x));
            ex.forward();
            float[] a = ex.output(0).toFloatArray();
            ex.forward();
            float[] b = ex.output(0).toFloatArray();
            org.testng.Assert.assertEquals(b, a);
            for (int i = 0; i < x.length; i++) org.testng.Assert.assertEquals(a[i], 2 * Math.max(x[i], 0), 1e-6);
        }
    }
}
