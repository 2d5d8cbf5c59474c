package org.quantize4j;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.quantize4j.calib.CalibrationCollector;
import org.quantize4j.calib.CalibrationListener;
import org.quantize4j.data.DataIter;
import org.quantize4j.ops.OpRegistry;
import org.quantize4j.passes.fusion.FusionOptions;
import org.quantize4j.runtime.ExecutorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings of {@link Quantization#quantizeModel}, with MXNet's names and defaults
 * ({@code mxnet.contrib.quantization.quantize_model}): data names {@code ["data"]}, label names
 * {@code ["softmax_label"]}, nothing excluded, calibration {@link CalibMode#ENTROPY} over the whole
 * calibration iterator, {@link QuantizedDtype#INT8}, {@link QuantizeMode#SMART}.
 * Setters return {@code this} so options read as one expression.
 *
 * <pre>{@code
 * QuantizeOptions o = QuantizeOptions.defaults()
 *         .calibMode(CalibMode.NAIVE)
 *         .calibData(dataset.iterator(32, norm))
 *         .numCalibExamples(320)
 *         .quantizedDtype(QuantizedDtype.AUTO)
 *         .excludedSymNames("conv0_fwd")
 *         .excludedOpNames("Concat");
 * }</pre>
 */
public final class QuantizeOptions {
    private List<String> dataNames = List.of("data");
    private List<String> labelNames = List.of("softmax_label");
    private Set<String> excludedSymNames = Set.of();
    private Set<String> excludedOpNames = Set.of();
    private List<String> excludedSymNamesMatch = List.of();
    private QuantizeGranularity quantizeGranularity = QuantizeGranularity.CHANNEL_WISE;
    private FusionOptions fusionOptions;
    private boolean convFloatOutput = true;
    private CalibMode calibMode = CalibMode.ENTROPY;
    private DataIter calibData;
    private Integer numCalibExamples;
    private QuantizedDtype quantizedDtype = QuantizedDtype.INT8;
    private QuantizeMode quantizeMode = QuantizeMode.SMART;
    private Logger logger = LoggerFactory.getLogger(Quantization.class);
    private CalibrationCollector collector;
    private CalibrationListener calibrationListener;
    private ExecutorOptions executorOptions = ExecutorOptions.defaults();
    private OpRegistry registry = OpRegistry.standard();

    /** MXNet's {@code quantize_model} defaults (entropy, int8, smart). */
    public static QuantizeOptions defaults() {
        return new QuantizeOptions();
    }

    public List<String> dataNames() { return dataNames; }

    /** Names of the data inputs (MXNet {@code data_names}); calibration batches feed the first. */
    public QuantizeOptions dataNames(String... names) { return dataNames(List.of(names)); }

    public QuantizeOptions dataNames(Collection<String> names) {
        if (names.isEmpty()) throw new IllegalArgumentException("dataNames must not be empty");
        this.dataNames = List.copyOf(names);
        return this;
    }

    public List<String> labelNames() { return labelNames; }

    /** Label inputs (MXNet {@code label_names}); ignored by inference. */
    public QuantizeOptions labelNames(String... names) {
        this.labelNames = List.of(names);
        return this;
    }

    public Set<String> excludedSymNames() { return excludedSymNames; }

    /** Node names that stay FP32 (MXNet {@code excluded_sym_names}). */
    public QuantizeOptions excludedSymNames(String... names) { return excludedSymNames(List.of(names)); }

    public QuantizeOptions excludedSymNames(Collection<String> names) {
        this.excludedSymNames = Collections.unmodifiableSet(new LinkedHashSet<>(names));
        return this;
    }

    /** Glob patterns of node names that stay FP32 (see {@link #excludedSymNamesMatch(String...)}). */
    public List<String> excludedSymNamesMatch() { return excludedSymNamesMatch; }

    /**
     * Keeps every node whose name matches one of {@code patterns} in FP32 (MXNet's {@code exclude_layers_match},
     * as glob patterns: {@code *} any characters, {@code ?} one character, e.g. {@code "*conv0*"}; a pattern
     * without wildcards matches names containing it, as MXNet's substring test). Both original and fused names
     * are matched ({@link Quantization#quantizeModelMkldnn}); the plain {@link Quantization#quantizeModel} matches
     * the original names.
     */
    public QuantizeOptions excludedSymNamesMatch(String... patterns) { return excludedSymNamesMatch(List.of(patterns)); }

    public QuantizeOptions excludedSymNamesMatch(Collection<String> patterns) {
        for (String p : patterns) {
            if (p == null || p.isEmpty()) throw new IllegalArgumentException("empty exclude pattern");
        }
        this.excludedSymNamesMatch = List.copyOf(patterns);
        return this;
    }

    public QuantizeGranularity quantizeGranularity() { return quantizeGranularity; }

    /** Weight scales per output channel (default) or per tensor (MXNet's {@code quantize_granularity}). */
    public QuantizeOptions quantizeGranularity(QuantizeGranularity g) {
        this.quantizeGranularity = Objects.requireNonNull(g, "quantizeGranularity");
        return this;
    }

    /**
     * The fusions {@link Quantization#quantizeModelMkldnn} applies first; default
     * {@link FusionOptions#fromEnvironment()} with MXNet's INT8 rules ({@code withForQuantization(true)}).
     */
    public FusionOptions fusionOptions() {
        return fusionOptions != null ? fusionOptions : FusionOptions.fromEnvironment().withForQuantization(true);
    }

    public QuantizeOptions fusionOptions(FusionOptions options) {
        this.fusionOptions = Objects.requireNonNull(options, "fusionOptions");
        return this;
    }

    public boolean convFloatOutput() { return convFloatOutput; }

    /**
     * Whether a quantized fused convolution whose users are FP32 absorbs the dequantize and writes float
     * ({@code enable_float_output}, default true, as MXNet 2.x). MXNet 1.9 does this for FullyConnected only;
     * false reproduces 1.9's graphs ({@code _sg_mkldnn_conv -> _contrib_dequantize}).
     */
    public QuantizeOptions convFloatOutput(boolean on) {
        this.convFloatOutput = on;
        return this;
    }

    public Set<String> excludedOpNames() { return excludedOpNames; }

    /** Op names (e.g. {@code "Pooling"}) whose nodes stay FP32 (MXNet {@code excluded_op_names}). */
    public QuantizeOptions excludedOpNames(String... names) { return excludedOpNames(List.of(names)); }

    public QuantizeOptions excludedOpNames(Collection<String> names) {
        this.excludedOpNames = Collections.unmodifiableSet(new LinkedHashSet<>(names));
        return this;
    }

    public CalibMode calibMode() { return calibMode; }

    public QuantizeOptions calibMode(CalibMode mode) {
        this.calibMode = Objects.requireNonNull(mode, "calibMode");
        return this;
    }

    public DataIter calibData() { return calibData; }

    /** Calibration batches (MXNet {@code calib_data}); required unless the mode is NONE. Not closed by us. */
    public QuantizeOptions calibData(DataIter data) {
        this.calibData = data;
        return this;
    }

    /** Examples to calibrate on, or null for the whole iterator. */
    public Integer numCalibExamples() { return numCalibExamples; }

    /**
     * Calibrate on exactly this many examples (a partial last batch is trimmed); null = the whole iterator.
     *
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    public QuantizeOptions numCalibExamples(Integer n) {
        if (n != null && n <= 0) throw new IllegalArgumentException("numCalibExamples must be positive, got " + n);
        this.numCalibExamples = n;
        return this;
    }

    public QuantizedDtype quantizedDtype() { return quantizedDtype; }

    public QuantizeOptions quantizedDtype(QuantizedDtype dtype) {
        this.quantizedDtype = Objects.requireNonNull(dtype, "quantizedDtype");
        return this;
    }

    public QuantizeMode quantizeMode() { return quantizeMode; }

    public QuantizeOptions quantizeMode(QuantizeMode mode) {
        this.quantizeMode = Objects.requireNonNull(mode, "quantizeMode");
        return this;
    }

    public Logger logger() { return logger; }

    /** Where decisions (debug) and progress (info) go; default the {@code org.quantize4j.Quantization} logger. */
    public QuantizeOptions logger(Logger logger) {
        this.logger = Objects.requireNonNull(logger, "logger");
        return this;
    }

    /** The user collector for {@link CalibMode#CUSTOMIZE}, or null. */
    public CalibrationCollector collector() { return collector; }

    /** Sets a custom collector (and is required for) {@link CalibMode#CUSTOMIZE}. */
    public QuantizeOptions collector(CalibrationCollector collector) {
        this.collector = collector;
        return this;
    }

    /** The listener watching calibration, or null. */
    public CalibrationListener calibrationListener() { return calibrationListener; }

    /**
     * Shows each calibration tensor and the final collector and table to {@code listener} (null: none), e.g.
     * for a report; calibration does not depend on it.
     */
    public QuantizeOptions calibrationListener(CalibrationListener listener) {
        this.calibrationListener = listener;
        return this;
    }

    public ExecutorOptions executorOptions() { return executorOptions; }

    /** Threads for the FP32 calibration runs. */
    public QuantizeOptions executorOptions(ExecutorOptions options) {
        this.executorOptions = Objects.requireNonNull(options, "executorOptions");
        return this;
    }

    public OpRegistry registry() { return registry; }

    /** Where the pass looks up what each op can do (default {@link OpRegistry#standard()}). */
    public QuantizeOptions registry(OpRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        return this;
    }

    /** A copy (the calibration iterator and collector are shared, not copied). */
    public QuantizeOptions copy() {
        QuantizeOptions c = new QuantizeOptions();
        c.dataNames = dataNames;
        c.labelNames = labelNames;
        c.excludedSymNames = excludedSymNames;
        c.excludedOpNames = excludedOpNames;
        c.excludedSymNamesMatch = excludedSymNamesMatch;
        c.quantizeGranularity = quantizeGranularity;
        c.fusionOptions = fusionOptions;
        c.convFloatOutput = convFloatOutput;
        c.calibMode = calibMode;
        c.calibData = calibData;
        c.numCalibExamples = numCalibExamples;
        c.quantizedDtype = quantizedDtype;
        c.quantizeMode = quantizeMode;
        c.logger = logger;
        c.collector = collector;
        c.calibrationListener = calibrationListener;
        c.executorOptions = executorOptions;
        c.registry = registry;
        return c;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("calibMode=" + calibMode.mxnetName());
        parts.add("quantizedDtype=" + quantizedDtype.mxnetName());
        parts.add("quantizeMode=" + quantizeMode.mxnetName());
        parts.add("numCalibExamples=" + (numCalibExamples == null ? "all" : numCalibExamples));
        if (!excludedSymNames.isEmpty()) parts.add("excludedSymNames=" + excludedSymNames);
        if (!excludedOpNames.isEmpty()) parts.add("excludedOpNames=" + excludedOpNames);
        if (!excludedSymNamesMatch.isEmpty()) parts.add("excludedSymNamesMatch=" + excludedSymNamesMatch);
        parts.add("quantizeGranularity=" + quantizeGranularity.mxnetName());
        return "QuantizeOptions" + parts;
    }
}
