package org.quantize4j.calib;

import java.util.Map;
import org.quantize4j.ndarray.NDArray;

/**
 * Receives FP32 tensors while the calibration data runs through the model and turns them into ranges
 * (MXNet's {@code CalibrationCollector}: {@code collect(name, op_name, arr)} then {@code post_collect()}).
 * Implement it for a custom calibration ({@link org.quantize4j.CalibMode#CUSTOMIZE}); the built-in ones are
 * {@link MinMaxCollector} (naive) and {@link EntropyCollector} (KL threshold).
 *
 * <pre>{@code
 * CalibrationCollector percentile = new CalibrationCollector() {
 *     final Map<String, TensorRange> ranges = new LinkedHashMap<>();
 *     public void collect(String name, String opName, NDArray a) {
 *         float[] v = a.toFloatArray();
 *         Arrays.sort(v);
 *         TensorRange r = new TensorRange(v[(int) (v.length * 0.001)], v[(int) (v.length * 0.999)]);
 *         ranges.merge(name, r, TensorRange::union);
 *     }
 *     public Map<String, TensorRange> postCollect() { return ranges; }
 * };
 * QuantizeOptions o = QuantizeOptions.defaults().calibMode(CalibMode.CUSTOMIZE).collector(percentile);
 * }</pre>
 */
public interface CalibrationCollector {
    /**
     * One tensor of one calibration batch. {@code array} is float32, its first dimension the valid rows of
     * the batch (padding already trimmed); it is a view of the executor's buffer, valid only during the call.
     *
     * @param name   the tensor's internal name ({@code data}, {@code conv0_fwd_output})
     * @param opName op of the node producing it ({@code "null"} for a variable)
     */
    void collect(String name, String opName, NDArray array);

    /** The ranges by tensor name, after the last batch. */
    Map<String, TensorRange> postCollect();

    /** Whether {@link #collect} wants tensor {@code name}; the runner skips the others. Default: all. */
    default boolean wants(String name) { return true; }
}
