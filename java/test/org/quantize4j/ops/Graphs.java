package org.quantize4j.ops;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;

/** Small graphs built in code for op tests, and running them. */
final class Graphs {
    private Graphs() {
    }

    static Node var(String name) {
        return Node.variable(name);
    }

    static Node op(String op, String name, Map<String, String> attrs, Node... inputs) {
        List<NodeEntry> in = new ArrayList<>();
        for (Node n : inputs) in.add(new NodeEntry(n, 0));
        return Node.op(op, name, attrs, in);
    }

    static Symbol sym(Node... heads) {
        List<NodeEntry> h = new ArrayList<>();
        for (Node n : heads) h.add(new NodeEntry(n, 0));
        return Symbol.fromOutputs(h, Map.of());
    }

    static float[] rand(SplittableRandom r, long n, double lo, double hi) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(lo, hi);
        return v;
    }

    static float[] rand(SplittableRandom r, long n) {
        return rand(r, n, -1, 1);
    }

    static NDArray arr(long[] shape, float[] v) {
        return NDArray.ofFloats(shape, v);
    }

    static long size(long... shape) {
        return NDArray.size(shape);
    }

    /** Builds an executor, feeds the inputs, runs once and returns output 0 (checking its shape if given). */
    static float[] run(Symbol s, Map<String, NDArray> params, Map<String, long[]> shapes, Map<String, float[]> inputs) {
        try (Executor ex = Executor.create(s, params, shapes, ExecutorOptions.defaults())) {
            for (Map.Entry<String, float[]> e : inputs.entrySet()) ex.setInput(e.getKey(), FloatBuffer.wrap(e.getValue()));
            ex.forward();
            return ex.output(0).toFloatArray();
        }
    }

    /** One data input called "data". */
    static float[] run(Symbol s, Map<String, NDArray> params, long[] shape, float[] x) {
        return run(s, params, Map.of("data", shape), Map.of("data", x));
    }

    static Map<String, NDArray> params(Object... nameArrayPairs) {
        Map<String, NDArray> m = new LinkedHashMap<>();
        for (int i = 0; i < nameArrayPairs.length; i += 2) m.put((String) nameArrayPairs[i], (NDArray) nameArrayPairs[i + 1]);
        return m;
    }
}
