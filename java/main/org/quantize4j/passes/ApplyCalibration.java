package org.quantize4j.passes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes calibrated ranges onto a quantized symbol (MXNet's {@code _calibrate_quantized_sym}): every
 * {@code _contrib_quantize_v2} and {@code _contrib_requantize} whose FP32 tensor (see
 * {@link CalibrationTarget#tensorOf}) has a range gets {@code min_calib_range} / {@code max_calib_range},
 * written with {@link Float#toString} so they parse back to exactly the same floats (MXNet rounds to 6
 * decimals), and its {@code out_type} resolved from the dtype ({@link QuantizedDtype#AUTO}: uint8 when the
 * minimum is >= 0).
 *
 * <p>Documented edge cases: a tensor with no range keeps no calib attributes (its range is then computed per
 * batch at run time) and a warning names it; a range of exactly [0, 0] (a tensor that was zero on every
 * calibration example) becomes [-1, 1] ([0, 1] for uint8) with a warning, since a zero range has no finite
 * scale; with {@link QuantizedDtype#UINT8} a negative minimum is kept but warned about (values below 0 clip).
 *
 * <pre>{@code
 * Symbol calibrated = ApplyCalibration.apply(qsym, Map.of("data", new TensorRange(-0.81f, 2.02f)),
 *         QuantizedDtype.AUTO, log);
 * }</pre>
 */
public final class ApplyCalibration {
    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(ApplyCalibration.class);

    private ApplyCalibration() {
    }

    /** MXNet's op name of a quantized BatchNorm, whose OUTPUT range MXNet calibrates (FNeedCalibrateOutput). */
    public static final String QUANTIZED_BATCH_NORM = "_contrib_quantized_batch_norm";

    /**
     * The output tensors of the quantized BatchNorms of {@code qsym} ({@code quantized_<bn>} takes the range of
     * FP32 tensor {@code <bn>_output}), which MXNet calibrates too. Not part of {@link CalibrationTarget#of}, whose
     * callers expect only quantize / requantize nodes; {@code quantize_model_mkldnn} adds them.
     */
    public static List<CalibrationTarget> batchNormTargets(Symbol qsym) {
        List<CalibrationTarget> out = new ArrayList<>();
        for (Node n : qsym.nodes()) {
            if (!n.op().equals(QUANTIZED_BATCH_NORM) || !n.name().startsWith(QuantizeNames.QUANTIZED_PREFIX)) continue;
            out.add(new CalibrationTarget(n.name().substring(QuantizeNames.QUANTIZED_PREFIX.length()) + "_output",
                    List.of(n.name())));
        }
        return out;
    }

    /**
     * Writes the ranges of {@link #batchNormTargets} onto the quantized BatchNorms of {@code qsym} (in place);
     * those without a range keep none (computed at run time).
     */
    public static void applyBatchNormRanges(Symbol qsym, Map<String, TensorRange> ranges, Logger log) {
        if (log == null) log = DEFAULT_LOG;
        for (CalibrationTarget t : batchNormTargets(qsym)) {
            TensorRange r = ranges == null ? null : ranges.get(t.tensorName());
            Node n = qsym.find(t.nodes().get(0));
            if (r == null) {
                n.attrs().remove(QuantizeOps.MIN_CALIB_RANGE);
                n.attrs().remove(QuantizeOps.MAX_CALIB_RANGE);
                continue;
            }
            if (r.min() == 0f && r.max() == 0f) r = new TensorRange(-1f, 1f);
            n.setAttr(QuantizeOps.MIN_CALIB_RANGE, Float.toString(r.min()));
            n.setAttr(QuantizeOps.MAX_CALIB_RANGE, Float.toString(r.max()));
            log.debug("calibration: {} <- {} {}", n.name(), t.tensorName(), r);
        }
    }

    /** A calibrated copy of {@code qsym} ({@code qsym} itself is not modified). */
    public static Symbol apply(Symbol qsym, Map<String, TensorRange> ranges, QuantizedDtype dtype, Logger log) {
        if (log == null) log = DEFAULT_LOG;
        Symbol out = SymbolJson.parse(SymbolJson.toJson(qsym));   // deep copy
        for (Node n : out.nodes()) {
            String tensor = CalibrationTarget.tensorOf(n);
            if (tensor == null) continue;
            TensorRange r = ranges == null ? null : ranges.get(tensor);
            if (r == null) {
                if (ranges != null) {
                    log.warn("no calibration range for tensor '{}' (node {}): its range is computed at run time", tensor,
                            n.name());
                }
                n.attrs().remove(QuantizeOps.MIN_CALIB_RANGE);
                n.attrs().remove(QuantizeOps.MAX_CALIB_RANGE);
                n.setAttr(QuantizeOps.OUT_TYPE, dtype.resolve(Double.NaN));
                continue;
            }
            String type = dtype.resolve(r.min());
            if (r.min() == 0f && r.max() == 0f) {
                log.warn("tensor '{}' (node {}) was 0 on every calibration example; using range [{}, 1] instead of a "
                        + "zero range", tensor, n.name(), type.equals("uint8") ? 0 : -1);
                r = new TensorRange(type.equals("uint8") ? 0f : -1f, 1f);
            }
            if (dtype == QuantizedDtype.UINT8 && r.min() < 0) {
                log.warn("tensor '{}' (node {}) has calibrated minimum {} < 0 but quantized dtype is uint8: negative "
                        + "values will clip to 0 (use auto or int8)", tensor, n.name(), r.min());
            }
            n.setAttr(QuantizeOps.MIN_CALIB_RANGE, Float.toString(r.min()));
            n.setAttr(QuantizeOps.MAX_CALIB_RANGE, Float.toString(r.max()));
            n.setAttr(QuantizeOps.OUT_TYPE, type);
            log.debug("calibration: {} <- {} {} ({})", n.name(), tensor, r, type);
        }
        return out;
    }
}
