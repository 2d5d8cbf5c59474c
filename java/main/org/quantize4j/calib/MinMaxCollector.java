package org.quantize4j.calib;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.quantize4j.ndarray.NDArray;

/**
 * Naive calibration: the global minimum and maximum of each tensor over all calibration batches
 * (MXNet's {@code calib_mode='naive'}). Rejects NaN / Inf values with an error naming the tensor.
 *
 * <pre>{@code
 * MinMaxCollector c = new MinMaxCollector(List.of("data", "conv0_fwd_output"));
 * c.collect("data", "null", batchArray);
 * TensorRange r = c.postCollect().get("data");
 * }</pre>
 */
public final class MinMaxCollector implements CalibrationCollector {
    private final Set<String> include;
    private final Map<String, float[]> ranges = new LinkedHashMap<>();
    private int calls;

    /** Collects only {@code include} (null = every tensor offered). */
    public MinMaxCollector(Collection<String> include) {
        this.include = include == null ? null : new LinkedHashSet<>(include);
    }

    @Override
    public boolean wants(String name) { return include == null || include.contains(name); }

    @Override
    public void collect(String name, String opName, NDArray array) {
        if (!wants(name)) return;
        calls++;
        TensorStats s = TensorStats.of(array).requireFinite(name, "(collect call " + calls + ")");
        if (s.count() == 0) return;
        float[] r = ranges.computeIfAbsent(name, k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
        r[0] = Math.min(r[0], s.min());
        r[1] = Math.max(r[1], s.max());
    }

    @Override
    public Map<String, TensorRange> postCollect() {
        Map<String, TensorRange> out = new LinkedHashMap<>();
        ranges.forEach((k, r) -> out.put(k, new TensorRange(r[0], r[1])));
        return out;
    }
}
