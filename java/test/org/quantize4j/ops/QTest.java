package org.quantize4j.ops;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;

/**
 * Test helpers for the quantized ops: a plain-Java reference of the triple semantics (real = q * amax /
 * levels, levels 127 / 255, round to nearest, saturate to the type) and small quantized graphs.
 */
final class QTest {
    private QTest() {
    }

    static float levels(DType t) {
        return t == DType.UINT8 ? 255f : 127f;
    }

    static float unit(float amax, DType t) {
        return amax / levels(t);
    }

    /** Reference quantization of one value (oneDNN saturates int8 at -128). */
    static float quantize(float x, float amax, DType t) {
        double q = Math.rint(x / (double) unit(amax, t));
        double lo = t == DType.UINT8 ? 0 : -128;
        double hi = t == DType.UINT8 ? 255 : 127;
        return (float) Math.max(lo, Math.min(hi, q));
    }

    static float[] quantize(float[] x, float amax, DType t) {
        float[] q = new float[x.length];
        for (int i = 0; i < x.length; i++) q[i] = quantize(x[i], amax, t);
        return q;
    }

    static float[] dequantize(float[] q, float amax, DType t) {
        float[] r = new float[q.length];
        for (int i = 0; i < q.length; i++) r[i] = q[i] * unit(amax, t);
        return r;
    }

    static float absMax(float[] x) {
        float m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    static float min(float[] x) {
        float m = Float.POSITIVE_INFINITY;
        for (float v : x) m = Math.min(m, v);
        return m;
    }

    static float max(float[] x) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : x) m = Math.max(m, v);
        return m;
    }

    /** An int8 weight tensor from floats: values and amax, as MXNet's offline quantization. */
    static NDArray int8(float[] q, long[] shape) {
        NDArray a = NDArray.zeros(shape, DType.INT8);
        java.nio.ByteBuffer b = a.buffer();
        for (int i = 0; i < q.length; i++) b.put(i, (byte) q[i]);
        return a;
    }

    static NDArray scalar(float v) {
        return NDArray.ofFloats(new long[] {1}, new float[] {v});
    }

    static NodeEntry e(Node n, int i) {
        return new NodeEntry(n, i);
    }

    /** An op node with 3 outputs (every quantized op) from entries. */
    static Node node3(String op, String name, Map<String, String> attrs, NodeEntry... in) {
        return new Node(op, name, attrs, List.of(in), 3);
    }

    /** _contrib_quantize_v2 of entry {@code src}; calibrated when min != null. */
    static Node quantizeV2(String name, NodeEntry src, String outType, Float min, Float max) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("out_type", outType);
        if (min != null) {
            a.put("min_calib_range", Float.toString(min));
            a.put("max_calib_range", Float.toString(max));
        }
        return node3("_contrib_quantize_v2", name, a, src);
    }

    static Node dequantize(String name, Node triple) {
        return new Node("_contrib_dequantize", name, Map.of(), List.of(e(triple, 0), e(triple, 1), e(triple, 2)), 1);
    }

    static Map<String, String> attrs(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static Symbol sym(NodeEntry... heads) {
        return Symbol.fromOutputs(List.of(heads), Map.of());
    }

    /** Runs once with the given inputs; returns every graph output (float32 copies). */
    static float[][] run(Symbol s, Map<String, NDArray> params, Map<String, long[]> shapes, Map<String, float[]> inputs) {
        try (Executor ex = Executor.create(s, params, shapes, ExecutorOptions.defaults())) {
            for (Map.Entry<String, float[]> en : inputs.entrySet()) ex.setInput(en.getKey(), FloatBuffer.wrap(en.getValue()));
            ex.forward();
            float[][] out = new float[ex.numOutputs()][];
            for (int i = 0; i < out.length; i++) out[i] = ex.output(i).toFloatArray();
            return out;
        }
    }

    static float[][] run(Symbol s, Map<String, NDArray> params, long[] shape, float[] x) {
        return run(s, params, Map.of("data", shape), Map.of("data", x));
    }

    static Map<String, NDArray> params(Object... nameArrayPairs) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < nameArrayPairs.length; i += 2) m.put((String) nameArrayPairs[i], (NDArray) nameArrayPairs[i + 1]);
        return m;
    }

    /** Counts elements differing by more than {@code tol}; fails if any differs by more than {@code maxDiff}. */
    static int countDiff(float[] got, float[] want, double tol, double maxDiff, String what) {
        if (got.length != want.length) throw new AssertionError(what + ": length " + got.length + " != " + want.length);
        int n = 0;
        for (int i = 0; i < got.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            if (!(d <= maxDiff)) throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + want[i]);
            if (d > tol) n++;
        }
        return n;
    }

    static List<NodeEntry> entries(Node n, int count) {
        List<NodeEntry> l = new ArrayList<>();
        for (int i = 0; i < count; i++) l.add(e(n, i));
        return l;
    }
}
