package org.quantize4j.ops;

import static org.quantize4j.ops.Graphs.arr;
import static org.quantize4j.ops.Graphs.op;
import static org.quantize4j.ops.Graphs.rand;
import static org.quantize4j.ops.Graphs.size;
import static org.quantize4j.ops.Graphs.var;
import static org.testng.Assert.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Arithmetic, concat, softmax family, reshape, mean and the identity ops against plain Java. */
public class TensorOpsTest {
    /** A 1x1 max pooling: identity that moves a 4-D input into the internal NHWC layout. */
    static Node nhwc(Node in, String name) {
        return op("Pooling", name, Map.of("kernel", "(1, 1)", "pool_type", "max"), in);
    }

    @DataProvider
    public Object[][] binaries() {
        DoubleBinaryOperator add = Double::sum;
        DoubleBinaryOperator mul = (a, b) -> a * b;
        DoubleBinaryOperator sub = (a, b) -> a - b;
        long[] x4 = {2, 3, 4, 5};
        return new Object[][] {
            {"elemwise_add", x4, x4, add},
            {"_plus", x4, x4, add},
            {"_Plus", x4, x4, add},
            {"elemwise_mul", x4, x4, mul},
            {"elemwise_sub", x4, x4, sub},
            {"elemwise_add", new long[] {3, 7}, new long[] {3, 7}, add},
            {"broadcast_add", x4, new long[] {1, 3, 1, 1}, add},
            {"broadcast_add", x4, new long[] {3, 1, 1}, add},            // lower rank: padded with leading 1s
            {"broadcast_add", new long[] {1, 3, 1, 1}, x4, add},         // first operand broadcast (commutative swap)
            {"broadcast_mul", new long[] {4, 6}, new long[] {1, 6}, mul},
            {"broadcast_sub", x4, new long[] {2, 1, 4, 5}, sub},
            {"broadcast_sub", new long[] {1, 3, 1, 1}, x4, sub},         // negated reverse subtraction
            {"broadcast_plus", new long[] {4, 6}, new long[] {4, 1}, add},
        };
    }

    @Test(dataProvider = "binaries")
    public void binaryOpMatchesReference(String opName, long[] as, long[] bs, DoubleBinaryOperator f) {
        SplittableRandom r = new SplittableRandom(opName.length() * 7 + as.length + bs.length);
        float[] a = rand(r, size(as));
        float[] b = rand(r, size(bs));
        Node na = as.length == 4 ? nhwc(var("a"), "pa") : var("a");
        Node nb = bs.length == 4 ? nhwc(var("b"), "pb") : var("b");
        Node node = op(opName, "bin", Map.of(), na, nb);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("a", as);
        shapes.put("b", bs);
        Map<String, float[]> inputs = Map.of("a", a, "b", b);
        float[] got = Graphs.run(Graphs.sym(node), Map.of(), shapes, inputs);
        int rank = Math.max(as.length, bs.length);
        long[] pa = ElementwiseBinaryOp.pad(as, rank);
        long[] pb = ElementwiseBinaryOp.pad(bs, rank);
        long[] ys = new long[rank];
        for (int i = 0; i < rank; i++) ys[i] = Math.max(pa[i], pb[i]);
        Reference.assertClose(got, Reference.broadcast(a, pa, b, pb, ys, f), 1e-6, opName);
    }

    /** A broadcast operand that is a parameter (a per-channel bias). */
    @Test
    public void broadcastWithParameter() {
        long[] xs = {2, 3, 2, 2};
        float[] x = rand(new SplittableRandom(1), size(xs));
        float[] bias = {1, 2, 3};
        Node node = op("broadcast_add", "b", Map.of(), nhwc(var("data"), "p"), var("bias"));
        float[] got = Graphs.run(Graphs.sym(node), Graphs.params("bias", arr(new long[] {1, 3, 1, 1}, bias)), xs, x);
        float[] want = new float[x.length];
        for (int i = 0; i < x.length; i++) want[i] = x[i] + bias[(i / 4) % 3];
        Reference.assertClose(got, want, 1e-6, "broadcast bias");
    }

    @DataProvider
    public Object[][] concats() {
        return new Object[][] {
            {new long[][] {{2, 3, 4, 4}, {2, 5, 4, 4}, {2, 1, 4, 4}}, 1, "Concat"},
            {new long[][] {{2, 3, 4, 4}, {1, 3, 4, 4}}, 0, "concat"},
            {new long[][] {{1, 2, 3, 4}, {1, 2, 5, 4}}, 2, "Concat"},
            {new long[][] {{1, 2, 3, 4}, {1, 2, 3, 1}}, -1, "Concat"},
            {new long[][] {{3, 4}, {3, 2}}, 1, "Concat"},
        };
    }

    @Test(dataProvider = "concats")
    public void concatMatchesReference(long[][] shapes, int dim, String opName) {
        SplittableRandom r = new SplittableRandom(dim + 10);
        Node[] ins = new Node[shapes.length];
        Map<String, long[]> shapeMap = new LinkedHashMap<>();
        Map<String, float[]> inputs = new LinkedHashMap<>();
        float[][] xs = new float[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            ins[i] = shapes[i].length == 4 ? nhwc(var("x" + i), "p" + i) : var("x" + i);
            shapeMap.put("x" + i, shapes[i]);
            xs[i] = rand(r, size(shapes[i]));
            inputs.put("x" + i, xs[i]);
        }
        Node cat = op(opName, "cat", Map.of("num_args", String.valueOf(shapes.length), "dim", String.valueOf(dim)), ins);
        float[] got = Graphs.run(Graphs.sym(cat), Map.of(), shapeMap, inputs);
        int axis = dim < 0 ? dim + shapes[0].length : dim;
        Reference.assertClose(got, Reference.concat(xs, shapes, axis), 0, "concat dim " + dim);
    }

    @DataProvider
    public Object[][] softmaxes() {
        // op, attrs, input shape, reference axis (-1 = flatten to (N, rest)), log
        return new Object[][] {
            {"softmax", Map.of(), new long[] {3, 7}, 1, false},
            {"softmax", Map.of("axis", "1"), new long[] {2, 4, 3, 3}, 1, false},     // NHWC input, logical axis 1
            {"softmax", Map.of("axis", "-1"), new long[] {2, 4, 3, 5}, 3, false},
            {"log_softmax", Map.of(), new long[] {3, 7}, 1, true},
            {"log_softmax", Map.of("axis", "1"), new long[] {2, 4, 3, 3}, 1, true},
            {"SoftmaxOutput", Map.of(), new long[] {4, 10}, 1, false},
            {"SoftmaxOutput", Map.of(), new long[] {2, 3, 2, 2}, -1, false},
            {"SoftmaxOutput", Map.of("multi_output", "True"), new long[] {2, 3, 2, 2}, 1, false},
            {"SoftmaxOutput", Map.of("preserve_shape", "True"), new long[] {2, 3, 2, 2}, 3, false},
            {"Softmax", Map.of("normalization", "batch", "grad_scale", "2"), new long[] {4, 10}, 1, false},
            {"SoftmaxActivation", Map.of(), new long[] {2, 3, 2, 2}, -1, false},
            {"SoftmaxActivation", Map.of("mode", "channel"), new long[] {2, 3, 2, 2}, 1, false},
        };
    }

    @Test(dataProvider = "softmaxes")
    public void softmaxMatchesReference(String opName, Map<String, String> attrs, long[] xs, int axis, boolean log) {
        float[] x = rand(new SplittableRandom(xs.length + attrs.size()), size(xs), -4, 4);
        Node in = xs.length == 4 ? nhwc(var("data"), "p") : var("data");
        Node sm = opName.startsWith("Softmax") && !opName.equals("SoftmaxActivation")
                ? op(opName, "sm", attrs, in, var("softmax_label")) : op(opName, "sm", attrs, in);
        float[] got = Graphs.run(Graphs.sym(sm), Map.of(), xs, x);
        float[] want = axis < 0 ? Reference.softmax(x, new long[] {xs[0], size(xs) / xs[0]}, 1, log) : Reference.softmax(x, xs, axis, log);
        Reference.assertClose(got, want, 1e-5, opName + " " + attrs);
    }

    @Test
    public void softmaxTemperature() {
        long[] xs = {2, 5};
        float[] x = rand(new SplittableRandom(2), size(xs), -3, 3);
        float[] scaled = new float[x.length];
        for (int i = 0; i < x.length; i++) scaled[i] = x[i] / 2.5f;
        float[] got = Graphs.run(Graphs.sym(op("softmax", "sm", Map.of("temperature", "2.5"), var("data"))), Map.of(), xs, x);
        Reference.assertClose(got, Reference.softmax(scaled, xs, 1, false), 1e-5, "temperature");
    }

    @DataProvider
    public Object[][] reshapes() {
        // Examples from MXNet's Reshape documentation.
        return new Object[][] {
            {new long[] {2, 3, 4}, "(4, 0, 2)", false, new long[] {4, 3, 2}},
            {new long[] {2, 3, 4}, "(2, 0, 0)", false, new long[] {2, 3, 4}},
            {new long[] {2, 3, 4}, "(6, 1, -1)", false, new long[] {6, 1, 4}},
            {new long[] {2, 3, 4}, "(3, -1, 8)", false, new long[] {3, 1, 8}},
            {new long[] {2, 3, 4}, "(-1,)", false, new long[] {24}},
            {new long[] {2, 3, 4}, "(-2,)", false, new long[] {2, 3, 4}},
            {new long[] {2, 3, 4}, "(2, -2)", false, new long[] {2, 3, 4}},
            {new long[] {2, 3, 4}, "(-2, 1, 1)", false, new long[] {2, 3, 4, 1, 1}},
            {new long[] {2, 3, 4}, "(-3, 4)", false, new long[] {6, 4}},
            {new long[] {2, 3, 4, 5}, "(-3, -3)", false, new long[] {6, 20}},
            {new long[] {2, 3, 4}, "(0, -3)", false, new long[] {2, 12}},
            {new long[] {2, 3, 4}, "(-3, -2)", false, new long[] {6, 4}},
            {new long[] {2, 3, 4}, "(-4, 1, 2, -2)", false, new long[] {1, 2, 3, 4}},
            {new long[] {2, 3, 4}, "(2, -4, -1, 3, -2)", false, new long[] {2, 1, 3, 4}},
            {new long[] {10, 5, 4}, "(-1, 0)", false, new long[] {40, 5}},
            {new long[] {10, 5, 4}, "(-1, 0)", true, new long[] {50, 4}},
            {new long[] {2, 3, 4, 5}, "(0, -1)", false, new long[] {2, 60}},
        };
    }

    @Test(dataProvider = "reshapes")
    public void reshapeFollowsMxnetCodes(long[] xs, String shape, boolean reverse, long[] expected) {
        float[] x = rand(new SplittableRandom(1), size(xs));
        Node in = xs.length == 4 ? nhwc(var("data"), "p") : var("data");
        Node rs = op("Reshape", "rs", Map.of("shape", shape, "reverse", reverse ? "True" : "False"), in);
        Symbol s = Graphs.sym(rs);
        assertEquals(ShapeInference.infer(s, Map.of("data", xs)).shape(rs.output(0)), expected);
        try (var ex = org.quantize4j.runtime.Executor.create(s, Map.of(), Map.of("data", xs), org.quantize4j.runtime.ExecutorOptions.defaults())) {
            ex.setInput("data", java.nio.FloatBuffer.wrap(x));
            ex.forward();
            assertEquals(ex.outputShape(0), expected);
            assertEquals(ex.output(0).toFloatArray(), x, "reshape keeps row-major order");
        }
    }

    @DataProvider
    public Object[][] means() {
        return new Object[][] {
            {new long[] {2, 3, 4, 5}, "(2, 3)", false, false, new boolean[] {false, false, true, true}},
            {new long[] {2, 3, 4, 5}, "(2, 3)", true, false, new boolean[] {false, false, true, true}},
            {new long[] {2, 3, 4}, "1", false, false, new boolean[] {false, true, false}},
            {new long[] {2, 3, 4}, "(-1,)", true, false, new boolean[] {false, false, true}},
            {new long[] {2, 3, 4}, null, false, false, new boolean[] {true, true, true}},
            {new long[] {2, 3, 4, 5}, "(1,)", false, true, new boolean[] {true, false, true, true}},
        };
    }

    @Test(dataProvider = "means")
    public void meanMatchesReference(long[] xs, String axis, boolean keepdims, boolean exclude, boolean[] reduce) {
        float[] x = rand(new SplittableRandom(xs.length), size(xs));
        Map<String, String> attrs = new LinkedHashMap<>();
        if (axis != null) attrs.put("axis", axis);
        attrs.put("keepdims", keepdims ? "True" : "False");
        if (exclude) attrs.put("exclude", "True");
        Node in = xs.length == 4 ? nhwc(var("data"), "p") : var("data");
        Node mean = op("mean", "mean", attrs, in);
        float[] got = Graphs.run(Graphs.sym(mean), Map.of(), xs, x);
        Reference.assertClose(got, Reference.mean(x, xs, reduce), 1e-6, "mean " + attrs);
        List<Long> kept = new java.util.ArrayList<>();
        for (int i = 0; i < xs.length; i++) if (keepdims || !reduce[i]) kept.add(reduce[i] ? 1 : xs[i]);
        if (kept.isEmpty()) kept.add(1L);
        assertEquals(ShapeInference.infer(Graphs.sym(mean), Map.of("data", xs)).shape(mean.output(0)),
                kept.stream().mapToLong(Long::longValue).toArray());
    }

    @Test
    public void identityOpsPassDataThrough() {
        long[] xs = {2, 3, 4, 4};
        float[] x = rand(new SplittableRandom(6), size(xs));
        for (String name : new String[] {"_copy", "identity", "BlockGrad", "stop_gradient", "Dropout"}) {
            Map<String, String> attrs = name.equals("Dropout") ? Map.of("p", "0.5") : Map.of();
            Node id = op(name, "id", attrs, nhwc(var("data"), "p"));
            Node relu = op("Activation", "relu", Map.of("act_type", "relu"), id);
            Node sum = op("elemwise_add", "sum", Map.of(), relu, id);
            float[] got = Graphs.run(Graphs.sym(sum), Map.of(), xs, x);
            float[] want = new float[x.length];
            for (int i = 0; i < x.length; i++) want[i] = Math.max(x[i], 0) + x[i];
            Reference.assertClose(got, want, 1e-6, name);
        }
    }

    @Test
    public void flattenUsesNchwOrder() {
        for (long[] xs : new long[][] {{2, 3, 4, 5}, {2, 1, 4, 5}, {3, 4, 1, 1}, {2, 3, 4}}) {
            float[] x = rand(new SplittableRandom(xs.length), size(xs));
            Node in = xs.length == 4 ? nhwc(var("data"), "p") : var("data");
            Node flat = op("Flatten", "flat", Map.of(), in);
            Symbol s = Graphs.sym(flat);
            assertEquals(ShapeInference.infer(s, Map.of("data", xs)).shape(flat.output(0)), new long[] {xs[0], size(xs) / xs[0]});
            assertEquals(Graphs.run(s, Map.of(), xs, x), x, "flatten " + java.util.Arrays.toString(xs));
        }
    }
}
