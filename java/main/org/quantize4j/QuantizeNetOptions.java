package org.quantize4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.quantize4j.calib.CalibrationCollector;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.IterableDataIter;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.ExecutorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings of {@link Quantization#quantizeNet}, with the names and defaults of MXNet's
 * {@code mxnet.contrib.quantization.quantize_net}: {@link QuantizedDtype#AUTO}, {@link QuantizeMode#FULL},
 * nothing excluded, {@link CalibMode#NONE} (ranges measured at run time), all calibration examples.
 * Either {@link #calibData} or {@link #dataShapes} must be given (the shapes of the network's inputs come from
 * the first calibration batch otherwise). One difference from MXNet: weights are scaled per output channel
 * ({@link QuantizeGranularity#CHANNEL_WISE}, as {@link Quantization#quantizeModelMkldnn}); MXNet's
 * {@code quantize_granularity} default is tensor-wise. Setters return {@code this}.
 *
 * <pre>{@code
 * QuantizeNetOptions o = QuantizeNetOptions.defaults()
 *         .calibMode(CalibMode.NAIVE)
 *         .calibData(batches)                     // any Iterable<DataBatch>; labels may be null
 *         .numCalibExamples(320)
 *         .excludeLayersMatch("*stage1_conv0*")   // original or fused names
 *         .excludeOperators("Concat");
 * QuantizeNetOptions shapesOnly = QuantizeNetOptions.defaults().dataShapes(new long[] {1, 3, 224, 224});
 * }</pre>
 */
public final class QuantizeNetOptions {
    private QuantizedDtype quantizedDtype = QuantizedDtype.AUTO;
    private QuantizeMode quantizeMode = QuantizeMode.FULL;
    private QuantizeGranularity quantizeGranularity = QuantizeGranularity.CHANNEL_WISE;
    private List<String> excludeLayers = List.of();
    private List<String> excludeLayersMatch = List.of();
    private List<String> excludeOperators = List.of();
    private DataIter calibData;
    private List<long[]> dataShapes;
    private CalibMode calibMode = CalibMode.NONE;
    private Integer numCalibExamples;
    private Logger logger = LoggerFactory.getLogger(Quantization.class);
    private CalibrationCollector collector;
    private ExecutorOptions executorOptions = ExecutorOptions.defaults();

    private QuantizeNetOptions() {
    }

    /** MXNet's {@code quantize_net} defaults (auto, full, calibration none). */
    public static QuantizeNetOptions defaults() {
        return new QuantizeNetOptions();
    }

    public QuantizedDtype quantizedDtype() { return quantizedDtype; }

    /** int8, uint8 or auto (MXNet {@code quantized_dtype}, default auto: uint8 after relu-like ops). */
    public QuantizeNetOptions quantizedDtype(QuantizedDtype dtype) {
        this.quantizedDtype = Objects.requireNonNull(dtype, "quantizedDtype");
        return this;
    }

    public QuantizeMode quantizeMode() { return quantizeMode; }

    /** full or smart (MXNet {@code quantize_mode}, default full). */
    public QuantizeNetOptions quantizeMode(QuantizeMode mode) {
        this.quantizeMode = Objects.requireNonNull(mode, "quantizeMode");
        return this;
    }

    public QuantizeGranularity quantizeGranularity() { return quantizeGranularity; }

    /** Weight scales per output channel (default) or per tensor (MXNet {@code quantize_granularity}). */
    public QuantizeNetOptions quantizeGranularity(QuantizeGranularity g) {
        this.quantizeGranularity = Objects.requireNonNull(g, "quantizeGranularity");
        return this;
    }

    public List<String> excludeLayers() { return excludeLayers; }

    /**
     * Layers (node names of the hybridized network, e.g. {@code resnetv10_stage1_conv0_fwd}, or fused names such
     * as {@code sg_mkldnn_conv_bn_act_1}) that stay FP32 (MXNet {@code exclude_layers}). Unknown names are
     * warned about with near names.
     */
    public QuantizeNetOptions excludeLayers(String... names) { return excludeLayers(List.of(names)); }

    public QuantizeNetOptions excludeLayers(Collection<String> names) {
        this.excludeLayers = List.copyOf(names);
        return this;
    }

    public List<String> excludeLayersMatch() { return excludeLayersMatch; }

    /**
     * Glob patterns of layers that stay FP32 (MXNet {@code exclude_layers_match}): {@code *} any characters,
     * {@code ?} one, a pattern without wildcards matches names containing it. Matched against original and fused
     * names; a pattern that matches nothing is warned about, listing the names it nearly matches.
     */
    public QuantizeNetOptions excludeLayersMatch(String... patterns) { return excludeLayersMatch(List.of(patterns)); }

    public QuantizeNetOptions excludeLayersMatch(Collection<String> patterns) {
        for (String p : patterns) {
            if (p == null || p.isEmpty()) throw new IllegalArgumentException("empty exclude pattern");
        }
        this.excludeLayersMatch = List.copyOf(patterns);
        return this;
    }

    public List<String> excludeOperators() { return excludeOperators; }

    /** Operators (e.g. {@code "Concat"}, {@code "Pooling"}) whose nodes stay FP32 (MXNet {@code exclude_operators}). */
    public QuantizeNetOptions excludeOperators(String... ops) { return excludeOperators(List.of(ops)); }

    public QuantizeNetOptions excludeOperators(Collection<String> ops) {
        this.excludeOperators = List.copyOf(ops);
        return this;
    }

    /** The calibration batches, or null. */
    public DataIter calibData() { return calibData; }

    /**
     * Calibration batches (MXNet {@code calib_data}): any iterable, read once per pass; labels may be null; a
     * short last batch is padded ({@link IterableDataIter}). Required unless the mode is {@link CalibMode#NONE};
     * with NONE it only gives the input shape.
     */
    public QuantizeNetOptions calibData(Iterable<DataBatch> batches) {
        this.calibData = batches == null ? null : IterableDataIter.of(batches);
        return this;
    }

    /** Calibration batches from a {@link DataIter} (reset before use, not closed by us). */
    public QuantizeNetOptions calibData(DataIter batches) {
        this.calibData = batches;
        return this;
    }

    /** Calibration batches as plain NCHW float32 tensors (first dimension the batch, no labels). */
    public QuantizeNetOptions calibDataArrays(Iterable<NDArray> batches) {
        this.calibData = batches == null ? null : IterableDataIter.ofArrays(batches);
        return this;
    }

    /** The shapes of the network's inputs, or null. */
    public List<long[]> dataShapes() {
        if (dataShapes == null) return null;
        List<long[]> out = new ArrayList<>();
        for (long[] s : dataShapes) out.add(s.clone());
        return out;
    }

    /**
     * Shapes of the network's inputs, one per input in {@code Block.inputNames()} order, batch first (MXNet
     * {@code data_shapes}). Required when there is no calibration data; otherwise the first batch's shape.
     */
    public QuantizeNetOptions dataShapes(long[]... shapes) {
        return dataShapes(List.of(shapes));
    }

    public QuantizeNetOptions dataShapes(List<long[]> shapes) {
        if (shapes == null) {
            this.dataShapes = null;
            return this;
        }
        if (shapes.isEmpty()) throw new IllegalArgumentException("dataShapes is empty");
        List<long[]> copy = new ArrayList<>();
        for (long[] s : shapes) {
            if (s == null || s.length == 0) throw new IllegalArgumentException("a data shape is empty: " + describe(shapes));
            for (long d : s) {
                if (d <= 0) throw new IllegalArgumentException("data shape " + Arrays.toString(s) + " has a dimension <= 0");
            }
            copy.add(s.clone());
        }
        this.dataShapes = copy;
        return this;
    }

    public CalibMode calibMode() { return calibMode; }

    /** none (default), naive, entropy or customize (MXNet {@code calib_mode}). */
    public QuantizeNetOptions calibMode(CalibMode mode) {
        this.calibMode = Objects.requireNonNull(mode, "calibMode");
        return this;
    }

    public Integer numCalibExamples() { return numCalibExamples; }

    /** Calibrate on this many examples (MXNet {@code num_calib_examples}); null = all of the calibration data. */
    public QuantizeNetOptions numCalibExamples(Integer n) {
        if (n != null && n <= 0) throw new IllegalArgumentException("numCalibExamples must be positive, got " + n);
        this.numCalibExamples = n;
        return this;
    }

    public Logger logger() { return logger; }

    /** Where warnings (unknown names, unused patterns) and progress go (MXNet {@code logger}). */
    public QuantizeNetOptions logger(Logger logger) {
        this.logger = Objects.requireNonNull(logger, "logger");
        return this;
    }

    public CalibrationCollector collector() { return collector; }

    /** The collector of {@link CalibMode#CUSTOMIZE} (MXNet {@code LayerOutputCollector}). */
    public QuantizeNetOptions collector(CalibrationCollector collector) {
        this.collector = collector;
        return this;
    }

    public ExecutorOptions executorOptions() { return executorOptions; }

    /** Threads for the FP32 calibration runs. */
    public QuantizeNetOptions executorOptions(ExecutorOptions options) {
        this.executorOptions = Objects.requireNonNull(options, "executorOptions");
        return this;
    }

    /** The {@link QuantizeOptions} of {@link Quantization#quantizeModelMkldnn} for a network with these inputs. */
    QuantizeOptions toQuantizeOptions(List<String> inputNames) {
        QuantizeOptions o = QuantizeOptions.defaults()
                .dataNames(inputNames)
                .labelNames(new String[0])
                .quantizedDtype(quantizedDtype)
                .quantizeMode(quantizeMode)
                .quantizeGranularity(quantizeGranularity)
                .excludedSymNames(excludeLayers)
                .excludedSymNamesMatch(excludeLayersMatch)
                .excludedOpNames(excludeOperators)
                .calibMode(calibMode)
                .calibData(calibData)
                .numCalibExamples(numCalibExamples)
                .logger(logger)
                .executorOptions(executorOptions);
        if (collector != null) o.collector(collector);
        return o;
    }

    private static String describe(List<long[]> shapes) {
        List<String> s = new ArrayList<>();
        for (long[] x : shapes) s.add(x == null ? "null" : Arrays.toString(x));
        return s.toString();
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("calibMode=" + calibMode.mxnetName());
        parts.add("quantizedDtype=" + quantizedDtype.mxnetName());
        parts.add("quantizeMode=" + quantizeMode.mxnetName());
        parts.add("numCalibExamples=" + (numCalibExamples == null ? "all" : numCalibExamples));
        if (dataShapes != null) parts.add("dataShapes=" + describe(dataShapes));
        if (!excludeLayers.isEmpty()) parts.add("excludeLayers=" + excludeLayers);
        if (!excludeLayersMatch.isEmpty()) parts.add("excludeLayersMatch=" + excludeLayersMatch);
        if (!excludeOperators.isEmpty()) parts.add("excludeOperators=" + excludeOperators);
        parts.add("quantizeGranularity=" + quantizeGranularity.mxnetName());
        return "QuantizeNetOptions" + parts;
    }
}
