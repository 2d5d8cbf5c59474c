package org.quantize4j.ops;

import static org.quantize4j.ops.QTest.e;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
 * _contrib_quantized_conv / _contrib_quantized_fully_connected (then _contrib_requantize, with and without a
 * calibrated range) against the FP32 reference run on the dequantized inputs: the int32 result must equal
 * {@code conv(q_x * unit_x, q_w * unit_w) + q_b * unit_b} up to float rounding, and the requantized output
 * the reference quantization of it (at most one step off on rounding ties).
 */
public class QuantizedConvolutionTest {
    /** in type, calibrated input range, groups, stride, pad, bias, calibrated requantize. */
    @DataProvider
    public Object[][] convCases() {
        return new Object[][] {
            {"uint8", true, 1, 1, 1, false, true},
            {"uint8", false, 1, 2, 0, true, false},
            {"int8", true, 2, 1, 1, true, false},
            {"int8", false, 1, 2, 1, true, true},
            {"int8", true, 6, 1, 1, false, true},     // depthwise
            {"uint8", true, 6, 2, 1, true, false},    // depthwise, stride
        };
    }

    @Test(dataProvider = "convCases")
    public void quantizedConvMatchesReference(String inType, boolean calibIn, int groups, int stride, int pad, boolean bias,
                                              boolean calibOut) {
        SplittableRandom r = new SplittableRandom(groups * 31 + stride * 7 + pad + (bias ? 100 : 0) + inType.length());
        DType t = inType.equals("uint8") ? DType.UINT8 : DType.INT8;
        long[] xs = {2, 6, 9, 8};
        int o = 6;
        int k = 3;
        int cg = 6 / groups;
        float[] x = Graphs.rand(r, Graphs.size(xs), t == DType.UINT8 ? 0 : -1.5, 2);
        float[] w = Graphs.rand(r, (long) o * cg * k * k, -0.6, 0.5);
        float[] b = Graphs.rand(r, o, -0.4, 0.3);
        float wAmax = QTest.absMax(w);
        float bAmax = QTest.absMax(b);
        float[] wq = QTest.quantize(w, wAmax, DType.INT8);
        float[] bq = QTest.quantize(b, bAmax, DType.INT8);

        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("data_quantize", e(data, 0), inType, calibIn ? (t == DType.UINT8 ? 0f : -2f) : null,
                calibIn ? 2f : null);
        List<NodeEntry> in = new ArrayList<>(List.of(e(q, 0), e(Graphs.var("w_quantize"), 0)));
        if (bias) in.add(e(Graphs.var("b_quantize"), 0));
        in.addAll(List.of(e(q, 1), e(q, 2), e(Graphs.var("w_quantize_min"), 0), e(Graphs.var("w_quantize_max"), 0)));
        if (bias) in.addAll(List.of(e(Graphs.var("b_quantize_min"), 0), e(Graphs.var("b_quantize_max"), 0)));
        Node conv = QTest.node3("_contrib_quantized_conv", "quantized_conv", QTest.attrs("kernel", "(3, 3)", "num_filter", "" + o,
                "num_group", "" + groups, "stride", "(" + stride + ", " + stride + ")", "pad", "(" + pad + ", " + pad + ")",
                "no_bias", bias ? "False" : "True"), in.toArray(new NodeEntry[0]));
        float calibMax = 3.1f;
        Node rq = QTest.node3("_contrib_requantize", "requantize_conv", calibOut
                ? QTest.attrs("out_type", "int8", "min_calib_range", "-2.7", "max_calib_range", Float.toString(calibMax))
                : QTest.attrs("out_type", "int8"), e(conv, 0), e(conv, 1), e(conv, 2));
        Node dq = QTest.dequantize("conv_dequantize", conv);
        Node dq2 = QTest.dequantize("requantize_dequantize", rq);
        Symbol s = QTest.sym(e(q, 0), e(dq, 0), e(conv, 1), e(conv, 2), e(rq, 0), e(rq, 2), e(dq2, 0));

        long[] wShape = {o, cg, k, k};
        Map<String, NDArray> p = QTest.params("w_quantize", QTest.int8(wq, wShape), "w_quantize_min", QTest.scalar(-wAmax),
                "w_quantize_max", QTest.scalar(wAmax));
        if (bias) {
            p.put("b_quantize", QTest.int8(bq, new long[] {o}));
            p.put("b_quantize_min", QTest.scalar(-bAmax));
            p.put("b_quantize_max", QTest.scalar(bAmax));
        }
        ShapeInference.Result si = ShapeInference.infer(s, Map.of("data", xs));
        assertEquals(si.dtype(e(q, 0)), t);
        assertEquals(si.dtype(e(conv, 0)), DType.INT32);
        assertEquals(si.dtype(e(conv, 1)), DType.FLOAT32);
        assertEquals(si.shape(e(conv, 2)), new long[] {1});
        assertEquals(si.dtype(e(rq, 0)), DType.INT8);

        float[][] out = QTest.run(s, p, xs, x);
        float xAmax = calibIn ? 2f : QTest.absMax(x);
        float[] xReal = QTest.dequantize(out[0], xAmax, t);
        float[] wReal = QTest.dequantize(wq, wAmax, DType.INT8);
        float[] bReal = bias ? QTest.dequantize(bq, bAmax, DType.INT8) : null;
        long[] ys = {2, o, (9 + 2 * pad - 3) / stride + 1, (8 + 2 * pad - 3) / stride + 1};
        float[] want = Reference.conv2d(xReal, xs, wReal, o, k, k, bReal, new int[] {stride, stride}, new int[] {pad, pad},
                new int[] {1, 1}, groups, ys);
        float yAmax = QTest.absMax(want);
        Reference.assertClose(out[1], want, 1e-5 * yAmax, "int32 result (dequantized)");
        double unitOut = QTest.unit(xAmax, t) * QTest.unit(wAmax, DType.INT8) * 2147483647.0;
        assertEquals(out[2][0], (float) -unitOut, (float) (unitOut * 1e-6), "min output");
        assertEquals(out[3][0], (float) unitOut, (float) (unitOut * 1e-6), "max output");
        // Requantize: with the calibrated range, or the result's own range.
        float rAmax = calibOut ? calibMax : QTest.absMax(want);
        assertEquals(out[5][0], rAmax, rAmax * 1e-5f, "requantize max");
        float[] rq8 = QTest.quantize(want, rAmax, DType.INT8);
        int off = QTest.countDiff(out[4], rq8, 0, 1, "requantized");
        assertTrue(off <= want.length / 50, off + " requantized values off by one");
        for (int i = 0; i < want.length; i++) {
            float clipped = Math.max(-rAmax * 128 / 127, Math.min(rAmax, want[i]));
            assertTrue(Math.abs(out[6][i] - clipped) <= QTest.unit(rAmax, DType.INT8) * 0.5001 + 1e-5 * yAmax,
                    "requantize round trip at " + i + ": " + out[6][i] + " vs " + want[i]);
        }
    }

    @DataProvider
    public Object[][] fcCases() {
        return new Object[][] {{"uint8", true, true, true}, {"int8", false, true, false}, {"int8", true, false, true}};
    }

    @Test(dataProvider = "fcCases")
    public void quantizedFullyConnectedMatchesReference(String inType, boolean calibIn, boolean bias, boolean fourD) {
        SplittableRandom r = new SplittableRandom(inType.length() * 13 + (bias ? 1 : 0) + (fourD ? 2 : 0));
        DType t = inType.equals("uint8") ? DType.UINT8 : DType.INT8;
        long[] xs = fourD ? new long[] {3, 4, 3, 2} : new long[] {3, 24};
        int kdim = 24;
        int o = 7;
        float[] x = Graphs.rand(r, Graphs.size(xs), t == DType.UINT8 ? 0 : -1, 1.5);
        float[] w = Graphs.rand(r, (long) o * kdim, -0.5, 0.5);
        float[] b = Graphs.rand(r, o, -1, 1);
        float wAmax = QTest.absMax(w);
        float bAmax = QTest.absMax(b);
        float[] wq = QTest.quantize(w, wAmax, DType.INT8);
        float[] bq = QTest.quantize(b, bAmax, DType.INT8);
        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("data_quantize", e(data, 0), inType, calibIn ? -1.5f : null, calibIn ? 1.5f : null);
        List<NodeEntry> in = new ArrayList<>(List.of(e(q, 0), e(Graphs.var("w_quantize"), 0)));
        if (bias) in.add(e(Graphs.var("b_quantize"), 0));
        in.addAll(List.of(e(q, 1), e(q, 2), e(Graphs.var("w_quantize_min"), 0), e(Graphs.var("w_quantize_max"), 0)));
        if (bias) in.addAll(List.of(e(Graphs.var("b_quantize_min"), 0), e(Graphs.var("b_quantize_max"), 0)));
        Node fc = QTest.node3("_contrib_quantized_fully_connected", "quantized_fc", QTest.attrs("num_hidden", "" + o,
                "no_bias", bias ? "False" : "True"), in.toArray(new NodeEntry[0]));
        Node dq = QTest.dequantize("fc_dequantize", fc);
        Map<String, NDArray> p = QTest.params("w_quantize", QTest.int8(wq, new long[] {o, kdim}), "w_quantize_min",
                QTest.scalar(-wAmax), "w_quantize_max", QTest.scalar(wAmax));
        if (bias) {
            p.put("b_quantize", QTest.int8(bq, new long[] {o}));
            p.put("b_quantize_min", QTest.scalar(-bAmax));
            p.put("b_quantize_max", QTest.scalar(bAmax));
        }
        float[][] out = QTest.run(QTest.sym(e(q, 0), e(dq, 0)), p, xs, x);
        float xAmax = calibIn ? 1.5f : QTest.absMax(x);
        float[] want = Reference.fc(QTest.dequantize(out[0], xAmax, t), 3, kdim, QTest.dequantize(wq, wAmax, DType.INT8), o,
                bias ? QTest.dequantize(bq, bAmax, DType.INT8) : null);
        Reference.assertClose(out[1], want, 1e-5 * QTest.absMax(want), "quantized FC");
    }

    @Test
    public void floatWeightWhereInt8IsNeededIsAClearError() {
        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("data_quantize", e(data, 0), "int8", -1f, 1f);
        Node fc = QTest.node3("_contrib_quantized_fully_connected", "quantized_fc", QTest.attrs("num_hidden", "2", "no_bias", "True"),
                e(q, 0), e(Graphs.var("w_quantize"), 0), e(q, 1), e(q, 2), e(Graphs.var("w_min"), 0), e(Graphs.var("w_max"), 0));
        Map<String, NDArray> p = QTest.params("w_quantize", NDArray.ofFloats(new long[] {2, 3}, new float[6]), "w_min",
                QTest.scalar(-1), "w_max", QTest.scalar(1));
        try {
            QTest.run(QTest.sym(e(fc, 0)), p, new long[] {1, 3}, new float[3]);
            throw new AssertionError("expected an error");
        } catch (IllegalArgumentException ex) {
            assertTrue(ex.getMessage().contains("quantized_fc") && ex.getMessage().contains("w_quantize")
                    && ex.getMessage().contains("int8"), ex.getMessage());
        }
    }

    /**
     * A calibrated requantize that alone reads a conv's result is computed inside the conv (int8 destination with
     * a scale): same values as the reference quantization of the reference conv; and a requantize read only by a
     * dequantize passes the exact values on (MXNet's float-output fusion).
     */
    @Test
    public void requantizeFusedIntoConvAndFloatPassThrough() {
        SplittableRandom r = new SplittableRandom(99);
        long[] xs = {1, 4, 6, 6};
        float[] x = Graphs.rand(r, Graphs.size(xs), -1, 1);
        float[] w = Graphs.rand(r, 4 * 4 * 9, -0.5, 0.5);
        float wAmax = QTest.absMax(w);
        float[] wq = QTest.quantize(w, wAmax, DType.INT8);
        Node data = Graphs.var("data");
        Node q = QTest.quantizeV2("data_quantize", e(data, 0), "int8", -1f, 1f);
        Node[] convs = new Node[2];
        for (int k = 0; k < 2; k++) {
            convs[k] = QTest.node3("_contrib_quantized_conv", "conv" + k, QTest.attrs("kernel", "(3, 3)", "num_filter", "4",
                    "pad", "(1, 1)", "no_bias", "True"), e(q, 0), e(Graphs.var("w_quantize"), 0), e(q, 1), e(q, 2),
                    e(Graphs.var("w_min"), 0), e(Graphs.var("w_max"), 0));
        }
        Map<String, String> calib = QTest.attrs("out_type", "auto", "min_calib_range", "-0.5", "max_calib_range", "1.5");
        Node rq0 = QTest.node3("_contrib_requantize", "rq0", calib, e(convs[0], 0), e(convs[0], 1), e(convs[0], 2));
        Node flat = QTest.node3("_contrib_quantized_flatten", "flat", Map.of(), e(rq0, 0), e(rq0, 1), e(rq0, 2));
        Node rq1 = QTest.node3("_contrib_requantize", "rq1", calib, e(convs[1], 0), e(convs[1], 1), e(convs[1], 2));
        Node dq1 = QTest.dequantize("dq1", rq1);
        Map<String, NDArray> p = QTest.params("w_quantize", QTest.int8(wq, new long[] {4, 4, 3, 3}), "w_min", QTest.scalar(-wAmax),
                "w_max", QTest.scalar(wAmax));
        float[][] out = QTest.run(QTest.sym(e(q, 0), e(flat, 0), e(flat, 2), e(dq1, 0)), p, xs, x);
        float[] want = Reference.conv2d(QTest.dequantize(out[0], 1f, DType.INT8), xs, QTest.dequantize(wq, wAmax, DType.INT8), 4, 3, 3,
                null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1, new long[] {1, 4, 6, 6});
        assertEquals(out[2][0], 1.5f, "requantize range");
        int off = QTest.countDiff(out[1], QTest.quantize(want, 1.5f, DType.INT8), 0, 1, "conv with fused requantize");
        assertTrue(off <= 3, off + " values off by one");
        Reference.assertClose(out[3], want, 1e-5 * QTest.absMax(want), "requantize + dequantize pass the exact values");
    }
}
