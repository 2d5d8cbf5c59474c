package org.quantize4j.calib;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.ndarray.NDArray;

/**
 * Entropy calibration (MXNet's {@code calib_mode='entropy'}, {@code _LayerHistogramCollector} +
 * {@code _get_optimal_threshold}): one {@link Histogram} per tensor (8001 bins over the first batch's
 * {@code [-th, th]}, grown by {@link Histogram#combineHistogram} for later batches, binned natively on the
 * executor's buffers), then the KL-divergence threshold ({@link KlThreshold}) of each. The range is
 * {@code (-th, th)}, or {@code (0, th)} for a non-negative tensor when the dtype is uint8 or auto.
 * A tensor that was 0 on every example gets the range (0, 0), which {@code ApplyCalibration} widens.
 *
 * <pre>{@code
 * EntropyCollector c = new EntropyCollector(List.of("data", "conv0_fwd_output"), QuantizedDtype.AUTO);
 * // ... CalibrationRunner.run(..., c, ...)
 * TensorRange r = c.postCollect().get("conv0_fwd_output");
 * Histogram h = c.histograms().get("conv0_fwd_output");
 * }</pre>
 */
public final class EntropyCollector implements CalibrationCollector {
    private final Set<String> include;
    private final QuantizedDtype dtype;
    private final int numBins;
    private final int numQuantizedBins;
    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private final Map<String, KlThreshold> thresholds = new LinkedHashMap<>();

    /** MXNet's settings: 8001 bins, 255 quantized bins. {@code include} null = every tensor offered. */
    public EntropyCollector(Collection<String> include, QuantizedDtype dtype) {
        this(include, dtype, Histogram.DEFAULT_NUM_BINS, KlThreshold.DEFAULT_NUM_QUANTIZED_BINS);
    }

    /**
     * @param numBins          bins of each first-batch histogram (odd; MXNet 8001)
     * @param numQuantizedBins quantization levels of the KL search (MXNet 255)
     */
    public EntropyCollector(Collection<String> include, QuantizedDtype dtype, int numBins, int numQuantizedBins) {
        if (numBins < 3 || numBins % 2 == 0) throw new IllegalArgumentException("numBins must be odd and >= 3, got " + numBins);
        this.include = include == null ? null : new LinkedHashSet<>(include);
        this.dtype = dtype;
        this.numBins = numBins;
        this.numQuantizedBins = numQuantizedBins;
    }

    @Override
    public boolean wants(String name) { return include == null || include.contains(name); }

    @Override
    public void collect(String name, String opName, NDArray array) {
        if (!wants(name) || array.size() == 0) return;
        Histogram old = histograms.get(name);
        try {
            histograms.put(name, old == null ? Histogram.ofFirstBatch(array.floatView(), numBins)
                    : old.combine(array.floatView()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The histograms collected so far, by tensor. */
    public Map<String, Histogram> histograms() {
        return Collections.unmodifiableMap(histograms);
    }

    /**
     * The KL thresholds the last {@link #postCollect()} chose, by tensor (with their divergences); a tensor that
     * was 0 everywhere has none. Empty before {@code postCollect()}.
     */
    public Map<String, KlThreshold> thresholds() {
        return Collections.unmodifiableMap(thresholds);
    }

    @Override
    public Map<String, TensorRange> postCollect() {
        Map<String, TensorRange> out = new LinkedHashMap<>();
        thresholds.clear();
        histograms.forEach((name, h) -> {
            if (h.th() == 0) {
                out.put(name, new TensorRange(0f, 0f));
                return;
            }
            KlThreshold t = KlThreshold.optimal(h, dtype.mxnetName(), numQuantizedBins, 0);
            thresholds.put(name, t);
            out.put(name, new TensorRange(t.calibMin(), t.calibMax()));
        });
        return out;
    }
}
