package org.quantize4j.passes;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;

/**
 * The parameters of a quantized graph (MXNet's {@code _quantize_params}): for every argument of the quantized
 * symbol, either the offline-quantized weight ({@code <w>_quantize}: int8, symmetric, scale
 * {@code 127 / max|w|}, rounded half away from zero; {@code <w>_quantize_min} / {@code _max}: 1-element
 * float32 {@code -max|w|} / {@code +max|w|}) or the FP32 parameter itself. Arguments that are neither
 * (data inputs) are left out.
 *
 * <pre>{@code
 * Map<String, NDArray> qargs = OfflineParams.quantize(qsym, argParams);
 * NDArray w8 = qargs.get("conv0_weight_quantize");        // int8, same shape as conv0_weight
 * float max = qargs.get("conv0_weight_quantize_max").getFloat(0);
 * }</pre>
 *
 * An all-zero tensor gets the range [-1, 1] (its int8 values are 0 under any scale), because a zero range
 * would make the kernels' scale infinite.
 */
public final class OfflineParams {
    private OfflineParams() {
    }

    /** A symmetric int8 quantization: {@code values} and the range {@code [-absMax, absMax]} they cover. */
    public record Int8Tensor(NDArray values, float absMax) {
        /** Real value of quantized element {@code i}. */
        public float dequantize(long i) {
            return values.buffer().get(Math.toIntExact(i)) * (absMax / 127f);
        }
    }

    /** Arguments of {@code qsym}, in its argument order; see the class comment. */
    public static Map<String, NDArray> quantize(Symbol qsym, Map<String, NDArray> argParams) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        Map<String, Int8Tensor> done = new LinkedHashMap<>();
        for (String name : qsym.listArguments()) {
            if (argParams.containsKey(name)) {
                out.put(name, argParams.get(name));
                continue;
            }
            String base = baseOf(name);
            if (base == null || !argParams.containsKey(base)) continue;
            Int8Tensor t = done.computeIfAbsent(base, b -> quantizeInt8(argParams.get(b), b));
            if (name.equals(QuantizeNames.offlineParam(base))) {
                out.put(name, t.values());
            } else if (name.equals(QuantizeNames.offlineMin(base))) {
                out.put(name, NDArray.ofFloats(new long[] {1}, new float[] {-t.absMax()}));
            } else {
                out.put(name, NDArray.ofFloats(new long[] {1}, new float[] {t.absMax()}));
            }
        }
        return out;
    }

    /** The FP32 parameter an offline variable comes from ({@code w} for {@code w_quantize_min}), or null. */
    static String baseOf(String name) {
        String q = QuantizeNames.QUANTIZE_SUFFIX;
        if (name.endsWith(q + "_min") || name.endsWith(q + "_max")) return name.substring(0, name.length() - q.length() - 4);
        if (name.endsWith(q)) return name.substring(0, name.length() - q.length());
        return null;
    }

    /**
     * Symmetric int8 quantization of {@code w} (any float dtype): {@code q = sign(w) * min(floor(|w| * s + 0.5), 127)},
     * {@code s = 127 / max|w|}, in float32 arithmetic as MXNet's quantize kernel.
     *
     * @param name for error messages
     * @throws IllegalArgumentException if {@code w} holds NaN or Inf
     */
    public static Int8Tensor quantizeInt8(NDArray w, String name) {
        float[] v = w.dtype() == DType.FLOAT32 ? null : w.toFloatArray();
        long n = w.size();
        float absMax = 0f;
        for (long i = 0; i < n; i++) {
            float x = v == null ? w.getFloat(i) : v[(int) i];
            if (x - x != 0f) throw new IllegalArgumentException("parameter '" + name + "' has a NaN/Inf value at element " + i);
            absMax = Math.max(absMax, Math.abs(x));
        }
        NDArray q = NDArray.zeros(w.shape(), DType.INT8);
        if (absMax == 0f) return new Int8Tensor(q, 1f);
        float scale = 127f / absMax;
        ByteBuffer out = q.buffer();
        for (long i = 0; i < n; i++) {
            float x = v == null ? w.getFloat(i) : v[(int) i];
            float m = Math.min(Math.abs(x) * scale + 0.5f, 127f);
            int r = (int) m;   // truncation of |x| * s + 0.5 = round half away from zero
            out.put(Math.toIntExact(i), (byte) (x < 0 ? -r : r));
        }
        return new Int8Tensor(q, absMax);
    }
}
