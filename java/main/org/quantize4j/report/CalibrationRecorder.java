package org.quantize4j.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.CalibMode;
import org.quantize4j.calib.CalibrationCollector;
import org.quantize4j.calib.CalibrationListener;
import org.quantize4j.calib.CalibrationTable;
import org.quantize4j.calib.EntropyCollector;
import org.quantize4j.calib.Histogram;
import org.quantize4j.calib.KlThreshold;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.CalibrationTarget;
import org.quantize4j.passes.QuantizeNames;
import org.quantize4j.passes.QuantizeOps;

/**
 * Records what a calibration saw, for {@link CalibrationReport}: set it as the options' calibration listener
 * ({@link org.quantize4j.QuantizeOptions#calibrationListener}). An entropy calibration already keeps a histogram
 * and a KL threshold per tensor, which are reused; for other modes (naive min/max, a custom collector) the recorder
 * bins every tensor itself, as entropy calibration does (8001 bins over the first batch's range, grown for later
 * batches), so every tensor gets a plot.
 *
 * <pre>{@code
 * CalibrationRecorder rec = new CalibrationRecorder(CalibMode.NAIVE);
 * QuantizedModel q = Quantization.quantizeModel(sym, args, aux, options.calibrationListener(rec));
 * List<TensorReport> tensors = rec.tensors(CalibrationTarget.of(q.symbol()), 160);
 * }</pre>
 */
public final class CalibrationRecorder implements CalibrationListener {
    private final int numBins;
    private final boolean binTensors;
    private final Map<String, Histogram> histograms = new LinkedHashMap<>();
    private CalibrationCollector collector;
    private CalibrationTable table;

    /**
     * A recorder for a calibration in {@code mode}: it bins the tensors itself (8001 bins, MXNet's entropy
     * default) unless the mode is entropy, whose collector keeps histograms already.
     */
    public CalibrationRecorder(CalibMode mode) {
        this(Histogram.DEFAULT_NUM_BINS, mode != CalibMode.ENTROPY);
    }

    /**
     * @param numBins    bins of its own first-batch histograms
     * @param binTensors whether to bin the tensors itself (false: rely on an {@link EntropyCollector}'s histograms)
     */
    public CalibrationRecorder(int numBins, boolean binTensors) {
        if (numBins < 1) throw new IllegalArgumentException("numBins must be >= 1, got " + numBins);
        this.numBins = numBins;
        this.binTensors = binTensors;
    }

    @Override
    public void tensor(String name, String opName, NDArray array) {
        if (!binTensors || array.size() == 0) return;
        Histogram h = histograms.get(name);
        histograms.put(name, h == null ? Histogram.ofFirstBatch(array.floatView(), numBins) : h.combine(array.floatView()));
    }

    @Override
    public void calibrated(CalibrationCollector c, CalibrationTable t) {
        this.collector = c;
        this.table = t;
    }

    /** The calibration table, once calibration ended (null before). */
    public CalibrationTable table() { return table; }

    /** Whether calibration has ended. */
    public boolean done() { return table != null; }

    /**
     * One report per calibrated tensor, in the table's order.
     *
     * @param targets     which nodes take which tensor's range (for {@link TensorReport#usedBy}); may be empty
     * @param displayBins bins of each plotted histogram
     * @throws IllegalStateException before calibration ended
     */
    public List<TensorReport> tensors(List<CalibrationTarget> targets, int displayBins) {
        if (table == null) throw new IllegalStateException("calibration has not run (or ran without this listener)");
        Map<String, List<String>> usedBy = new LinkedHashMap<>();
        for (CalibrationTarget t : targets) usedBy.computeIfAbsent(t.tensorName(), k -> new ArrayList<>()).addAll(t.nodes());
        Map<String, Histogram> hists = histograms;
        Map<String, KlThreshold> kl = Map.of();
        if (collector instanceof EntropyCollector ec) {
            // The histograms the KL search ran on (the same values; ours would only repeat them).
            hists = new LinkedHashMap<>(histograms);
            hists.putAll(ec.histograms());
            kl = ec.thresholds();
        }
        List<TensorReport> out = new ArrayList<>();
        for (Map.Entry<String, TensorRange> e : table.ranges().entrySet()) {
            String name = e.getKey();
            TensorRange r = e.getValue();
            Histogram h = hists.get(name);
            KlThreshold k = kl.get(name);
            float seenMin = h == null ? r.min() : h.min();
            float seenMax = h == null ? r.max() : h.max();
            long values = h == null ? 0 : h.totalCount();
            double clipped = h == null || values == 0 ? 0 : (double) clipped(h, r) / values;
            double lo = Math.min(seenMin, r.min());
            double hi = Math.max(seenMax, r.max());
            HistogramBins bins = h == null ? null : HistogramBins.of(h, lo, hi, displayBins);
            out.add(new TensorReport(name, usedBy.getOrDefault(name, List.of()), seenMin, seenMax, r.min(), r.max(),
                    r.absMax(), k == null ? null : k.divergence(), values, clipped, bins));
        }
        return out;
    }

    /**
     * Values in bins lying wholly outside the range (a bin the range cuts counts as inside: the histogram cannot
     * tell, and for naive calibration, whose range is the exact min / max, nothing is clipped).
     */
    private static long clipped(Histogram h, TensorRange r) {
        long n = 0;
        for (int i = 0; i < h.numBins(); i++) {
            long c = h.count(i);
            if (c == 0) continue;
            double lo = h.edge(i);
            double hi = h.edge(i + 1);
            double eps = 1e-6 * (hi - lo);
            if (hi <= r.min() + eps || lo >= r.max() - eps) n += c;
        }
        return n;
    }

    /**
     * Which nodes of a calibrated quantized graph take which FP32 tensor's range: its quantize / requantize nodes
     * ({@link CalibrationTarget#of}), and quantized nodes carrying their own output range ({@code quantized_X} with
     * {@code min_calib_range}: a quantized BatchNorm, a quantized fused node that absorbed its requantize) for
     * tensor {@code X_output}.
     */
    public static List<CalibrationTarget> targetsOf(Symbol calibrated) {
        List<CalibrationTarget> out = new ArrayList<>(CalibrationTarget.of(calibrated));
        for (Node n : calibrated.nodes()) {
            if (n.attr(QuantizeOps.MIN_CALIB_RANGE) == null || CalibrationTarget.tensorOf(n) != null
                    || !n.name().startsWith(QuantizeNames.QUANTIZED_PREFIX)) {
                continue;
            }
            out.add(new CalibrationTarget(n.name().substring(QuantizeNames.QUANTIZED_PREFIX.length()) + "_output",
                    List.of(n.name())));
        }
        return out;
    }

    /** {@code tensors} ordered as their producers appear in {@code graph} (unknown names last, in their order). */
    public static List<TensorReport> inGraphOrder(List<TensorReport> tensors, Symbol graph) {
        Map<String, Integer> position = new HashMap<>();
        int i = 0;
        for (String name : graph.internals().keySet()) position.put(name, i++);
        List<TensorReport> out = new ArrayList<>(tensors);
        out.sort(Comparator.comparingInt(t -> position.getOrDefault(t.name(), Integer.MAX_VALUE)));
        return out;
    }
}
