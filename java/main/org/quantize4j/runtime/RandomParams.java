package org.quantize4j.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ops.BoundOp;
import org.quantize4j.ops.InputRole;

/**
 * Parameters for a symbol that has none (the zoo architectures): every parameter variable gets a
 * float32 array of the shape shape inference gives it, filled deterministically from {@code seed} and
 * the variable's name. Conv/FC weights are Xavier-uniform (MXNet's Xavier default: magnitude 3, average
 * of fan-in and fan-out), biases and BN shifts/means small, BN scales near 1 and BN variances in
 * [0.5, 1.5] (always positive), PReLU slopes near 0.25.
 *
 * <pre>{@code
 * Symbol sym = SymbolJson.read(Path.of("test-models/zoo/resnet18_v1-symbol.json"));
 * Map<String, long[]> in = Map.of("data", new long[] {1, 3, 224, 224});
 * Map<String, NDArray> params = RandomParams.forSymbol(sym, in, 42);
 * Executor ex = Executor.create(sym, params, in, ExecutorOptions.defaults());
 * }</pre>
 */
public final class RandomParams {
    private RandomParams() {
    }

    /**
     * @param inputShapes shapes of the data inputs (not parameters); variables used only as loss labels
     *                    are skipped
     */
    public static Map<String, NDArray> forSymbol(Symbol symbol, Map<String, long[]> inputShapes, long seed) {
        ShapeInference.Result r = ShapeInference.infer(symbol, inputShapes);
        Map<String, long[]> shapes = r.variableShapes();
        Map<String, InputRole> roles = new LinkedHashMap<>();
        for (Node n : symbol.nodes()) {
            if (n.isVariable()) continue;
            BoundOp<?> op = r.op(n);
            for (int i = 0; i < n.inputs().size(); i++) {
                Node v = n.input(i).node();
                if (v.isVariable()) roles.putIfAbsent(v.name(), op.inputRole(i));
            }
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Node n : symbol.nodes()) {
            if (!n.isVariable() || inputShapes.containsKey(n.name())) continue;
            InputRole role = roles.getOrDefault(n.name(), InputRole.DATA);
            if (role == InputRole.LABEL) continue;
            long[] shape = shapes.get(n.name());
            if (shape == null) {
                throw new IllegalArgumentException("cannot infer the shape of parameter '" + n.name() + "' from the input shapes");
            }
            out.put(n.name(), fill(n.name(), shape, role, seed));
        }
        return out;
    }

    private static NDArray fill(String name, long[] shape, InputRole role, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        NDArray a = NDArray.zeros(shape, DType.FLOAT32);
        int n = Math.toIntExact(a.size());
        float[] v = new float[n];
        switch (role) {
            case WEIGHT -> {
                long receptive = 1;
                for (int i = 2; i < shape.length; i++) receptive *= shape[i];
                double fanIn = shape.length > 1 ? shape[1] * receptive : shape[0];
                double fanOut = shape[0] * receptive;
                double scale = Math.sqrt(3.0 / ((fanIn + fanOut) / 2.0));
                for (int i = 0; i < n; i++) v[i] = (float) rnd.nextDouble(-scale, scale);
            }
            case GAMMA -> uniform(rnd, v, 0.8, 1.2);
            case MOVING_VAR -> uniform(rnd, v, 0.5, 1.5);
            case SLOPE -> uniform(rnd, v, 0.2, 0.3);
            case BIAS, BETA, MOVING_MEAN -> uniform(rnd, v, -0.1, 0.1);
            default -> uniform(rnd, v, -1, 1);
        }
        a.floatView().put(v);
        return a;
    }

    private static void uniform(SplittableRandom rnd, float[] v, double lo, double hi) {
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextDouble(lo, hi);
    }
}
