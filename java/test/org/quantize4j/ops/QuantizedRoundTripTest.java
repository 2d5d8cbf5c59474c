package org.quantize4j.ops;

import static org.quantize4j.ops.QTest.e;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * _contrib_quantize_v2 and _contrib_dequantize against the plain-Java triple semantics: int8 / uint8 / auto,
 * with a calibrated (build-time) range and with the range measured at run time; round trip error at most
 * half a step inside the range; saturation outside it.
 */
public class QuantizedRoundTripTest {
    private static final long[] SHAPE = {2, 3, 5, 4};

    @DataProvider
    public Object[][] modes() {
        return new Object[][] {
            {"int8", false}, {"int8", true}, {"uint8", false}, {"uint8", true}, {"auto", true}, {"auto", false}};
    }

    @Test(dataProvider = "modes")
    public void quantizeDequantizeRoundTrip(String outType, boolean calibrated) {
        SplittableRandom r = new SplittableRandom(outType.hashCode() + (calibrated ? 1 : 0));
        boolean positive = !outType.equals("int8") && !(outType.equals("auto") && !calibrated);
        float[] x = Graphs.rand(r, Graphs.size(SHAPE), positive ? 0 : -1.7, 2.3);
        Node data = Graphs.var("data");
        Float lo = calibrated ? (positive ? 0f : -3f) : null;
        Float hi = calibrated ? 2.5f : null;
        Node q = QTest.quantizeV2("q", e(data, 0), outType, lo, hi);
        Node dq = QTest.dequantize("dq", q);
        Symbol s = QTest.sym(e(q, 0), e(q, 1), e(q, 2), e(dq, 0));
        DType t = outType.equals("uint8") || outType.equals("auto") && calibrated ? DType.UINT8 : DType.INT8;
        ShapeInference.Result si = ShapeInference.infer(s, Map.of("data", SHAPE));
        assertEquals(si.dtype(e(q, 0)), t);
        assertEquals(si.dtype(e(q, 1)), DType.FLOAT32);
        assertEquals(si.shape(e(q, 2)), new long[] {1});
        assertEquals(si.dtype(e(dq, 0)), DType.FLOAT32);

        float[][] out = QTest.run(s, Map.of(), SHAPE, x);
        float amax = calibrated ? Math.max(Math.abs(lo), Math.abs(hi)) : QTest.absMax(x);
        assertEquals(out[1][0], t == DType.UINT8 ? 0f : -amax, 1e-6f, "min output");
        assertEquals(out[2][0], amax, 1e-6f, "max output");
        float[] want = QTest.quantize(x, amax, t);
        // Rounding ties may go either way: at most one step, rarely.
        int off = QTest.countDiff(out[0], want, 0, 1, outType + " q");
        assertTrue(off <= x.length / 50, off + " of " + x.length + " quantized values differ by one step");
        float unit = QTest.unit(amax, t);
        for (int i = 0; i < x.length; i++) {
            assertEquals(out[3][i], out[0][i] * unit, 1e-6f * amax, "dequantize of element " + i);
            assertTrue(Math.abs(out[3][i] - x[i]) <= unit / 2 * 1.0001 + 1e-7, "round trip error of element " + i + ": " + x[i]
                    + " -> " + out[3][i] + " (step " + unit + ")");
        }
    }

    @Test
    public void saturatesOutsideTheCalibratedRange() {
        float[] x = {-5f, -1f, 0f, 0.6f, 1f, 7f};
        long[] shape = {1, 6};
        Node data = Graphs.var("data");
        Node q8 = QTest.quantizeV2("q8", e(data, 0), "int8", -1f, 1f);
        Node qu = QTest.quantizeV2("qu", e(data, 0), "uint8", 0f, 1f);
        float[][] out = QTest.run(QTest.sym(e(q8, 0), e(qu, 0)), Map.of(), shape, x);
        // oneDNN saturates int8 at -128 (MXNet at -127): one step more below the range.
        assertEquals(out[0], new float[] {-128f, -127f, 0f, 76f, 127f, 127f});
        assertEquals(out[1], new float[] {0f, 0f, 0f, 153f, 255f, 255f});
    }

    @Test
    public void allZeroInputWithRunTimeRangeStaysFinite() {
        long[] shape = {1, 8};
        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("q", e(data, 0), "int8", null, null);
        Node dq = QTest.dequantize("dq", q);
        float[][] out = QTest.run(QTest.sym(e(dq, 0), e(q, 2)), Map.of(), shape, new float[8]);
        assertEquals(out[0], new float[8]);
        assertEquals(out[1][0], 0f);
    }

    @Test
    public void runTimeRangeFollowsEachBatch() {
        long[] shape = {1, 4};
        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("q", e(data, 0), "int8", null, null);
        Node dq = QTest.dequantize("dq", q);
        try (org.quantize4j.runtime.Executor ex = org.quantize4j.runtime.Executor.create(QTest.sym(e(dq, 0), e(q, 2)), Map.of(),
                Map.of("data", shape), org.quantize4j.runtime.ExecutorOptions.defaults())) {
            for (float scale : new float[] {1f, 100f, 0.01f}) {
                float[] x = {-0.5f * scale, 0.25f * scale, 1f * scale, 0.75f * scale};
                ex.setInput("data", java.nio.FloatBuffer.wrap(x));
                ex.forward();
                assertEquals(ex.output(1).toFloatArray()[0], scale, scale * 1e-6f);
                float[] got = ex.output(0).toFloatArray();
                for (int i = 0; i < 4; i++) assertEquals(got[i], x[i], scale / 127f / 2 * 1.0001f);
            }
        }
    }

    /** _contrib_quantize (v1): range from inputs; int8 symmetric, uint8 only from 0. */
    @Test
    public void quantizeV1WithRangeInputs() {
        float[] x = {-1.5f, -0.2f, 0.3f, 0.9f, 2.4f, 1.0f};
        long[] shape = {1, 6};
        Node data = Graphs.var("data");
        Node q8 = QTest.node3("_contrib_quantize", "q8", QTest.attrs("out_type", "int8"), e(data, 0), e(Graphs.var("lo"), 0),
                e(Graphs.var("hi"), 0));
        Node qu = QTest.node3("_contrib_quantize", "qu", Map.of(), e(data, 0), e(Graphs.var("zero"), 0), e(Graphs.var("hi"), 0));
        java.util.Map<String, org.quantize4j.ndarray.NDArray> p = QTest.params("lo", QTest.scalar(-3f), "hi", QTest.scalar(2f),
                "zero", QTest.scalar(0f));
        Symbol s = QTest.sym(e(q8, 0), e(q8, 2), e(qu, 0), e(qu, 1));
        assertEquals(ShapeInference.infer(s, Map.of("data", shape)).dtype(e(qu, 0)), DType.UINT8);
        float[][] out = QTest.run(s, p, shape, x);
        assertEquals(out[0], QTest.quantize(x, 3f, DType.INT8));
        assertEquals(out[1][0], 3f);
        assertEquals(out[2], QTest.quantize(x, 2f, DType.UINT8));
        assertEquals(out[3][0], 0f);
        Node bad = QTest.node3("_contrib_quantize", "bad", Map.of(), e(data, 0), e(Graphs.var("lo"), 0), e(Graphs.var("hi"), 0));
        try {
            QTest.run(QTest.sym(e(bad, 0)), p, shape, x);
            throw new AssertionError("expected an error");
        } catch (RuntimeException ex) {
            assertTrue(ex.getMessage().contains("bad") && ex.getMessage().contains("affine"), ex.getMessage());
        }
    }
}
