package org.quantize4j.ops;

import static org.quantize4j.ops.QTest.e;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The range-carrying quantized ops (pooling, relu, flatten, concat, elemwise_add / mul, batch_norm) against
 * the plain-Java triple semantics, with build-time (calibrated) and run-time input ranges. Inputs enter as
 * float32 through _contrib_quantize_v2; the test reads back the quantized values it produced and computes
 * the expected triple from them.
 */
public class QuantizedOpsTest {
    private static Float calibLo(boolean calib, DType t, float lo) {
        return calib ? (t == DType.UINT8 ? 0f : lo) : null;
    }

    @DataProvider
    public Object[][] typesAndRanges() {
        return new Object[][] {{"int8", true}, {"int8", false}, {"uint8", true}, {"uint8", false}};
    }

    @Test(dataProvider = "typesAndRanges")
    public void poolingReluFlattenKeepTypeAndRange(String type, boolean calib) {
        DType t = type.equals("uint8") ? DType.UINT8 : DType.INT8;
        SplittableRandom r = new SplittableRandom(type.length() + (calib ? 5 : 0));
        long[] xs = {2, 3, 7, 6};
        float[] x = Graphs.rand(r, Graphs.size(xs), t == DType.UINT8 ? 0 : -1.2, 1.4);
        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("q", e(data, 0), type, calibLo(calib, t, -1.5f), calib ? 1.5f : null);
        Node maxPool = QTest.node3("_contrib_quantized_pooling", "maxpool", QTest.attrs("kernel", "(3, 3)", "stride", "(2, 2)",
                "pad", "(1, 1)", "pool_type", "max"), e(q, 0), e(q, 1), e(q, 2));
        Node avgPool = QTest.node3("_contrib_quantized_pooling", "avgpool", QTest.attrs("kernel", "(3, 3)", "stride", "(2, 2)",
                "pool_type", "avg", "pooling_convention", "full"), e(q, 0), e(q, 1), e(q, 2));
        Node gap = QTest.node3("_contrib_quantized_pooling", "gap", QTest.attrs("kernel", "(1, 1)", "global_pool", "True",
                "pool_type", "avg"), e(q, 0), e(q, 1), e(q, 2));
        Node relu = QTest.node3("_contrib_quantized_act", "relu", QTest.attrs("act_type", "relu"), e(q, 0), e(q, 1), e(q, 2));
        Node flat = QTest.node3("_contrib_quantized_flatten", "flat", Map.of(), e(relu, 0), e(relu, 1), e(relu, 2));
        Symbol s = QTest.sym(e(q, 0), e(q, 2), e(maxPool, 0), e(maxPool, 2), e(avgPool, 0), e(gap, 0), e(relu, 0), e(relu, 1),
                e(flat, 0), e(flat, 2), e(QTest.dequantize("dq", avgPool), 0));
        ShapeInference.Result si = ShapeInference.infer(s, Map.of("data", xs));
        for (Node n : new Node[] {maxPool, avgPool, gap, relu, flat}) {
            assertEquals(si.dtype(e(n, 0)), n == relu || n == flat ? DType.INT8 : t, n.name());
            assertEquals(si.dtype(e(n, 2)), DType.FLOAT32);
            assertEquals(si.shape(e(n, 1)), new long[] {1});
        }
        float[][] out = QTest.run(s, Map.of(), xs, x);
        float[] qx = out[0];
        float amax = out[1][0];
        assertEquals(amax, calib ? 1.5f : QTest.absMax(x), 1e-6f);
        long[] ys = {2, 3, 4, 3};
        Reference.assertClose(out[2], Reference.pool(qx, xs, ys, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, "max", true),
                0, "max pool");
        assertEquals(out[3][0], amax, "max pool keeps the range");
        long[] ya = {2, 3, 3, 3};   // full convention: the last column window is clipped
        float[] avg = Reference.pool(qx, xs, ya, new int[] {3, 3}, new int[] {2, 2}, new int[] {0, 0}, "avg", true);
        Reference.assertClose(out[4], rint(avg), 0.5 + 1e-4, "avg pool (rounded to a step)");
        float[] g = Reference.pool(qx, xs, new long[] {2, 3, 1, 1}, new int[] {7, 6}, new int[] {1, 1}, new int[] {0, 0}, "avg", true);
        Reference.assertClose(out[5], rint(g), 0.5 + 1e-4, "global avg pool");
        // relu outputs int8 (MXNet's rule): uint8 steps become int8 steps of the same range.
        float[] rl = qx.clone();
        for (int i = 0; i < rl.length; i++) rl[i] = Math.max(0, rl[i]);
        if (t == DType.UINT8) rl = QTest.quantize(QTest.dequantize(rl, amax, t), amax, DType.INT8);
        QTest.countDiff(out[6], rl, 0, t == DType.UINT8 ? 1 : 0, "relu");
        assertEquals(out[7][0], t == DType.UINT8 ? 0f : -amax, "relu keeps the range");
        Reference.assertClose(out[8], out[6], 0, "flatten (NCHW order)");
        assertEquals(out[9][0], amax);
        Reference.assertClose(out[10], QTest.dequantize(out[4], amax, t), 1e-6 * amax, "dequantized avg pool");
    }

    private static float[] rint(float[] v) {
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (float) Math.rint(v[i]);
        return o;
    }

    /** Two int8/uint8 tensors with different ranges; which ranges are calibrated; the output type. */
    @DataProvider
    public Object[][] concatCases() {
        return new Object[][] {
            {"int8", "int8", true, true}, {"int8", "uint8", true, false}, {"uint8", "uint8", false, false},
            {"uint8", "uint8", true, true}, {"uint8", "int8", false, true}};
    }

    @Test(dataProvider = "concatCases")
    public void concatRescalesInputsToTheWidestRange(String ta, String tb, boolean calibA, boolean calibB) {
        DType da = ta.equals("uint8") ? DType.UINT8 : DType.INT8;
        DType db = tb.equals("uint8") ? DType.UINT8 : DType.INT8;
        SplittableRandom r = new SplittableRandom(ta.length() * 3 + tb.length() + (calibA ? 7 : 0) + (calibB ? 11 : 0));
        long[] as = {2, 3, 4, 5};
        long[] bs = {2, 2, 4, 5};
        float[] a = Graphs.rand(r, Graphs.size(as), da == DType.UINT8 ? 0 : -0.8, 0.9);
        float[] b = Graphs.rand(r, Graphs.size(bs), db == DType.UINT8 ? 0 : -3, 2.5);
        Node va = Graphs.var("a");
        Node vb = Graphs.var("b");
        Node qa = QTest.quantizeV2("qa", e(va, 0), ta, calibLo(calibA, da, -1f), calibA ? 1f : null);
        Node qb = QTest.quantizeV2("qb", e(vb, 0), tb, calibLo(calibB, db, -3f), calibB ? 3f : null);
        Node cat = QTest.node3("_contrib_quantized_concat", "cat", QTest.attrs("num_args", "2", "dim", "1"),
                e(qa, 0), e(qb, 0), e(qa, 1), e(qa, 2), e(qb, 1), e(qb, 2));
        Node same = QTest.node3("_contrib_quantized_concat", "same", QTest.attrs("num_args", "2", "dim", "1"),
                e(qa, 0), e(qa, 0), e(qa, 1), e(qa, 2), e(qa, 1), e(qa, 2));
        Node dq = QTest.dequantize("dq", cat);
        Symbol s = QTest.sym(e(qa, 0), e(qa, 2), e(qb, 0), e(qb, 2), e(cat, 0), e(cat, 1), e(cat, 2), e(dq, 0), e(same, 0));
        DType out = da == DType.INT8 || db == DType.INT8 ? DType.INT8 : DType.UINT8;
        assertEquals(ShapeInference.infer(s, Map.of("a", as, "b", bs)).dtype(e(cat, 0)), out);
        float[][] o = QTest.run(s, Map.of(), Map.of("a", as, "b", bs), Map.of("a", a, "b", b));
        float amaxA = o[1][0];
        float amaxB = o[3][0];
        float amax = Math.max(amaxA, amaxB);
        assertEquals(o[6][0], amax, "output max is the widest input range");
        assertEquals(o[5][0], out == DType.UINT8 ? 0f : -amax);
        float[] realA = QTest.dequantize(o[0], amaxA, da);
        float[] realB = QTest.dequantize(o[2], amaxB, db);
        float[] want = QTest.quantize(Reference.concat(new float[][] {realA, realB}, new long[][] {as, bs}, 1), amax, out);
        int off = QTest.countDiff(o[4], want, 0, 1, "concat");
        assertTrue(off <= want.length / 50, off + " values off by one step");
        Reference.assertClose(o[7], QTest.dequantize(o[4], amax, out), 1e-6 * amax, "dequantized concat");
        Reference.assertClose(o[8], Reference.concat(new float[][] {o[0], o[0]}, new long[][] {as, as}, 1), 0, "equal ranges");
    }

    @DataProvider
    public Object[][] binaryCases() {
        return new Object[][] {
            {"elemwise_add", "int8", "uint8", true, false, false}, {"elemwise_add", "int8", "int8", false, true, false},
            {"elemwise_add", "uint8", "uint8", true, true, true}, {"elemwise_add", "int8", "uint8", false, false, true},
            {"elemwise_mul", "int8", "uint8", true, false, false}, {"elemwise_mul", "int8", "int8", false, false, true}};
    }

    @Test(dataProvider = "binaryCases")
    public void elementwiseOfDifferentRanges(String op, String ta, String tb, boolean calibA, boolean calibB, boolean calibOut) {
        boolean add = op.equals("elemwise_add");
        DType da = ta.equals("uint8") ? DType.UINT8 : DType.INT8;
        DType db = tb.equals("uint8") ? DType.UINT8 : DType.INT8;
        SplittableRandom r = new SplittableRandom(op.length() + ta.length() * 3 + (calibA ? 7 : 0) + (calibB ? 11 : 0) + (calibOut ? 1 : 0));
        long[] xs = {2, 4, 3, 5};
        float[] a = Graphs.rand(r, Graphs.size(xs), da == DType.UINT8 ? 0 : -1, 1);
        float[] b = Graphs.rand(r, Graphs.size(xs), db == DType.UINT8 ? 0 : -4, 3);
        Node va = Graphs.var("a");
        Node vb = Graphs.var("b");
        Node qa = QTest.quantizeV2("qa", e(va, 0), ta, calibLo(calibA, da, -1.2f), calibA ? 1.2f : null);
        Node qb = QTest.quantizeV2("qb", e(vb, 0), tb, calibLo(calibB, db, -4f), calibB ? 4f : null);
        float outMax = add ? 4.5f : 3.5f;
        Map<String, String> attrs = calibOut ? QTest.attrs("min_calib_range", Float.toString(-outMax), "max_calib_range",
                Float.toString(outMax)) : Map.of();
        Node bin = QTest.node3("_contrib_quantized_" + op, "bin", attrs, e(qa, 0), e(qb, 0), e(qa, 1), e(qa, 2), e(qb, 1), e(qb, 2));
        Node dq = QTest.dequantize("dq", bin);
        Symbol s = QTest.sym(e(qa, 0), e(qa, 2), e(qb, 0), e(qb, 2), e(bin, 0), e(bin, 2), e(dq, 0));
        DType outType = !calibOut ? DType.INT32 : add && da == db ? da : DType.INT8;
        assertEquals(ShapeInference.infer(s, Map.of("a", xs, "b", xs)).dtype(e(bin, 0)), outType);
        float[][] o = QTest.run(s, Map.of(), Map.of("a", xs, "b", xs), Map.of("a", a, "b", b));
        float[] realA = QTest.dequantize(o[0], o[1][0], da);
        float[] realB = QTest.dequantize(o[2], o[3][0], db);
        float[] want = new float[realA.length];
        for (int i = 0; i < want.length; i++) want[i] = add ? realA[i] + realB[i] : realA[i] * realB[i];
        float wantMax = QTest.absMax(want);
        if (!calibOut) {
            Reference.assertClose(o[6], want, 1e-6 * wantMax, op + " int32 result");
            float bound = add ? o[1][0] + o[3][0] : o[1][0] * o[3][0];
            assertEquals(o[5][0], bound, bound * 1e-6f, "int32 range bound");
        } else {
            assertEquals(o[5][0], outMax);
            float[] wantQ = QTest.quantize(want, outMax, outType);
            int off = QTest.countDiff(o[4], wantQ, 0, 1, op + " quantized");
            assertTrue(off <= want.length / 50, off + " off by one");
        }
    }

    @Test(dataProvider = "typesAndRanges")
    public void batchNormWithAndWithoutCalibratedOutput(String type, boolean calibIn) {
        DType t = type.equals("uint8") ? DType.UINT8 : DType.INT8;
        SplittableRandom r = new SplittableRandom(type.length() * 5 + (calibIn ? 1 : 0));
        long[] xs = {2, 4, 3, 3};
        float[] x = Graphs.rand(r, Graphs.size(xs), t == DType.UINT8 ? 0 : -2, 2);
        float[] gamma = Graphs.rand(r, 4, 0.5, 2);
        float[] beta = Graphs.rand(r, 4, -0.5, 0.5);
        float[] mean = Graphs.rand(r, 4, -0.3, 0.6);
        float[] var = Graphs.rand(r, 4, 0.2, 2);
        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("q", e(data, 0), type, calibLo(calibIn, t, -2f), calibIn ? 2f : null);
        NodeEntry[] in = {e(q, 0), e(Graphs.var("g"), 0), e(Graphs.var("b"), 0), e(Graphs.var("m"), 0), e(Graphs.var("v"), 0),
            e(q, 1), e(q, 2)};
        Node bn = QTest.node3("_contrib_quantized_batch_norm", "bn", QTest.attrs("eps", "1e-5", "fix_gamma", "False"), in);
        Node bnCal = QTest.node3("_contrib_quantized_batch_norm", "bn_cal", QTest.attrs("eps", "1e-5", "fix_gamma", "False",
                "min_calib_range", "-2.0", "max_calib_range", "3.0"), in);
        Symbol s = QTest.sym(e(q, 0), e(q, 2), e(bn, 0), e(bn, 2), e(bnCal, 0), e(bnCal, 1), e(QTest.dequantize("dq", bn), 0));
        Map<String, NDArray> p = QTest.params("g", NDArray.ofFloats(new long[] {4}, gamma), "b", NDArray.ofFloats(new long[] {4}, beta),
                "m", NDArray.ofFloats(new long[] {4}, mean), "v", NDArray.ofFloats(new long[] {4}, var));
        assertEquals(ShapeInference.infer(s, Map.of("data", xs)).dtype(e(bn, 0)), DType.INT8);
        float[][] o = QTest.run(s, p, xs, x);
        float[] real = QTest.dequantize(o[0], o[1][0], t);
        float[] want = Reference.batchNorm(real, xs, gamma, beta, mean, var, 1e-5f, false);
        float wantMax = QTest.absMax(want);
        assertEquals(o[3][0], wantMax, wantMax * 1e-5f, "run-time output range");
        int off = QTest.countDiff(o[2], QTest.quantize(want, wantMax, DType.INT8), 0, 1, "batch norm, run-time range");
        assertTrue(off <= want.length / 20, off + " off by one");
        assertEquals(o[5][0], -3f, "calibrated range");
        off = QTest.countDiff(o[4], QTest.quantize(want, 3f, DType.INT8), 0, 1, "batch norm, calibrated range");
        assertTrue(off <= want.length / 20, off + " off by one");
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(o[6][i] - want[i]) <= wantMax / 127 * 0.5001 + 1e-5, "dequantized bn at " + i);
        }
    }

    @Test
    public void int8TensorIntoAnFp32OpIsAClearError() {
        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("q", e(data, 0), "int8", -1f, 1f);
        Node relu = Graphs.op("Activation", "relu", Map.of("act_type", "relu"), q);
        try {
            ShapeInference.infer(QTest.sym(e(relu, 0)), Map.of("data", new long[] {1, 4}));
            throw new AssertionError("expected an error");
        } catch (IllegalArgumentException ex) {
            assertTrue(ex.getMessage().contains("relu") && ex.getMessage().contains("int8") && ex.getMessage().contains("dequantize"),
                    ex.getMessage());
        }
    }
}
