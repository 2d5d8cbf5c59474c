package org.quantize4j.runtime;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;

/**
 * Test helper, independent of the quantize pass: the parameters of a quantized symbol from FP32 ones.
 * {@code <w>_quantize} = int8 of {@code w} with scale 127 / max|w| (round half away from zero),
 * {@code <w>_quantize_min/_max} = -/+ max|w|; every other parameter variable is taken as is.
 */
final class QuantizedWeights {
    private QuantizedWeights() {
    }

    static Map<String, NDArray> of(Symbol qsym, Map<String, NDArray> fp32) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Node n : qsym.nodes()) {
            if (!n.isVariable()) continue;
            String name = n.name();
            if (fp32.containsKey(name)) {
                out.put(name, fp32.get(name));
            } else if (name.endsWith("_quantize") && fp32.containsKey(base(name, "_quantize"))) {
                out.put(name, int8(fp32.get(base(name, "_quantize"))));
            } else if (name.endsWith("_quantize_min") && fp32.containsKey(base(name, "_quantize_min"))) {
                out.put(name, NDArray.ofFloats(new long[] {1}, new float[] {-absMax(fp32.get(base(name, "_quantize_min")))}));
            } else if (name.endsWith("_quantize_max") && fp32.containsKey(base(name, "_quantize_max"))) {
                out.put(name, NDArray.ofFloats(new long[] {1}, new float[] {absMax(fp32.get(base(name, "_quantize_max")))}));
            }
        }
        return out;
    }

    private static String base(String name, String suffix) {
        return name.substring(0, name.length() - suffix.length());
    }

    static float absMax(NDArray w) {
        float m = 0;
        for (float v : w.toFloatArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    static NDArray int8(NDArray w) {
        float[] v = w.toFloatArray();
        float s = 127f / absMax(w);
        NDArray q = NDArray.zeros(w.shape(), DType.INT8);
        ByteBuffer b = q.buffer();
        for (int i = 0; i < v.length; i++) b.put(i, (byte) Math.round(Math.signum(v[i]) * Math.floor(Math.abs(v[i]) * s + 0.5)));
        return q;
    }
}
