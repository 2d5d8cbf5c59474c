package org.quantize4j.passes;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.HashSet;
import java.util.Map;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.QuantizeGranularity;
import org.quantize4j.graph.Node;
import org.quantize4j.ops.BoundOp;
import org.quantize4j.ops.InputRole;
import org.quantize4j.ops.OpRegistry;

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
    public record Int8Tensor(NDArray values, float absMax, float[] channelAbsMax) {
        public Int8Tensor(NDArray values, float absMax) {
            this(values, absMax, null);
        }

        /** Real value of quantized element {@code i}. */
        public float dequantize(long i) {
            float amax = absMax;
            if (channelAbsMax != null) amax = channelAbsMax[(int) (i / (values.size() / channelAbsMax.length))];
            return values.buffer().get(Math.toIntExact(i)) * (amax / 127f);
        }
    }

    /** Arguments of {@code qsym}, in its argument order, every tensor with one range (MXNet's vocabulary). */
    public static Map<String, NDArray> quantize(Symbol qsym, Map<String, NDArray> argParams) {
        return quantize(qsym, argParams, QuantizeGranularity.TENSOR_WISE);
    }

    /**
     * Arguments of {@code qsym}, in its argument order; see the class comment. With {@code CHANNEL_WISE}, the
     * weights of quantized ops ({@link InputRole#WEIGHT} inputs) get one range per output channel (row of
     * dimension 0): {@code <w>_quantize_min/_max} then hold one value per channel. A conv's raw weights often
     * differ a lot in magnitude between channels (BatchNorm rescales them afterwards), so one range for all
     * would leave small channels with few levels.
     */
    public static Map<String, NDArray> quantize(Symbol qsym, Map<String, NDArray> argParams, QuantizeGranularity granularity) {
        Set<String> perChannel = granularity == QuantizeGranularity.CHANNEL_WISE ? weightInputs(qsym) : Set.of();
        Map<String, NDArray> out = new LinkedHashMap<>();
        Map<String, Int8Tensor> done = new LinkedHashMap<>();
        for (String name : qsym.listArguments()) {
            if (argParams.containsKey(name)) {
                out.put(name, argParams.get(name));
                continue;
            }
            String base = baseOf(name);
            if (base == null || !argParams.containsKey(base)) continue;
            boolean channels = perChannel.contains(QuantizeNames.offlineParam(base));
            Int8Tensor t = done.computeIfAbsent(base, b -> channels ? quantizeInt8PerChannel(argParams.get(b), b)
                    : quantizeInt8(argParams.get(b), b));
            if (name.equals(QuantizeNames.offlineParam(base))) {
                out.put(name, t.values());
            } else {
                float sign = name.equals(QuantizeNames.offlineMin(base)) ? -1f : 1f;
                float[] r = t.channelAbsMax() != null ? t.channelAbsMax().clone() : new float[] {t.absMax()};
                for (int i = 0; i < r.length; i++) r[i] *= sign;
                out.put(name, NDArray.ofFloats(new long[] {r.length}, r));
            }
        }
        return out;
    }

    /** Names of the offline variables that are the WEIGHT input of a quantized op of {@code qsym}. */
    private static Set<String> weightInputs(Symbol qsym) {
        Set<String> out = new HashSet<>();
        for (Node n : qsym.nodes()) {
            if (n.isVariable() || !n.subgraphs().isEmpty()) continue;
            BoundOp<?> b;
            try {
                b = OpRegistry.standard().bind(n);
            } catch (IllegalArgumentException e) {
                continue;   // not ours to judge here; the executor reports unknown ops
            }
            for (int i = 0; i < n.inputs().size(); i++) {
                Node in = n.input(i).node();
                if (in.isVariable() && b.inputRole(i) == InputRole.WEIGHT && in.name().endsWith(QuantizeNames.QUANTIZE_SUFFIX)) {
                    out.add(in.name());
                }
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

    /**
     * {@link #quantizeInt8} of each output channel (row of dimension 0) of {@code w} with its own range; an
     * all-zero channel gets the range [-1, 1].
     */
    public static Int8Tensor quantizeInt8PerChannel(NDArray w, String name) {
        if (w.ndim() < 1 || w.dim(0) < 1) return quantizeInt8(w, name);
        int rows = Math.toIntExact(w.dim(0));
        long[] rowShape = w.shape();
        rowShape[0] = 1;
        long rowSize = w.size() / rows;
        NDArray f = w.dtype() == DType.FLOAT32 ? w : w.toFloat32();
        NDArray q = NDArray.zeros(w.shape(), DType.INT8);
        ByteBuffer out = q.buffer();
        float[] amax = new float[rows];
        float overall = 0f;
        for (int r = 0; r < rows; r++) {
            float[] row = new float[(int) rowSize];
            for (int j = 0; j < rowSize; j++) row[j] = f.getFloat(r * rowSize + j);
            Int8Tensor t = quantizeInt8(NDArray.ofFloats(rowShape, row), name + "[" + r + "]");
            amax[r] = t.absMax();
            overall = Math.max(overall, t.absMax());
            ByteBuffer src = t.values().buffer();
            for (int j = 0; j < rowSize; j++) out.put((int) (r * rowSize + j), src.get(j));
        }
        return new Int8Tensor(q, overall, amax);
    }
}
