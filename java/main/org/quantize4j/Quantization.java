package org.quantize4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.quantize4j.calib.CalibrationCollector;
import org.quantize4j.calib.CalibrationListener;
import org.quantize4j.calib.CalibrationRunner;
import org.quantize4j.calib.CalibrationTable;
import org.quantize4j.calib.EntropyCollector;
import org.quantize4j.calib.Histogram;
import org.quantize4j.calib.MinMaxCollector;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.BlockShapeException;
import org.quantize4j.gluon.SymbolBlock;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import java.util.HashSet;
import java.util.Set;
import org.quantize4j.passes.ApplyCalibration;
import org.quantize4j.passes.CalibrationTarget;
import org.quantize4j.passes.ExcludedNames;
import org.quantize4j.passes.MkldnnAttrs;
import org.quantize4j.passes.OfflineParams;
import org.quantize4j.passes.PostQuantizeFusion;
import org.quantize4j.passes.QuantizePass;
import org.quantize4j.passes.fusion.FusionPass;
import org.quantize4j.passes.fusion.FusionResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Post-training INT8 quantization of MXNet models, mirroring {@code mxnet.contrib.quantization}:
 * {@link #quantizeModel} (everything in one call), or {@link #quantizeGraph} + your own calibration loop +
 * {@link #calibGraph}, and {@link #combineHistogram}; {@link #quantizeModelMkldnn} for oneDNN's fused INT8 kernels;
 * {@link #quantizeNet} for networks written with the {@link org.quantize4j.gluon} API.
 *
 * <pre>{@code
 * Model m = Model.load("test-models/fmnist_resnet20_v1");
 * IdxDataset calib = IdxDataset.openUnlabeled(Path.of("test-models/fashion-mnist/train320-images-idx3-ubyte"));
 * try (DataIter it = calib.iterator(32, Normalization.of(1 / 255.0, 0.2860f, 0.3530f))) {
 *     QuantizedModel q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(),
 *             QuantizeOptions.defaults().calibMode(CalibMode.NAIVE).calibData(it)
 *                     .numCalibExamples(320).quantizedDtype(QuantizedDtype.AUTO));
 *     q.save("out/fmnist_resnet20_v1-quantized", 0);
 * }
 * }</pre>
 */
public final class Quantization {
    private static final Logger LOG = LoggerFactory.getLogger(Quantization.class);

    private Quantization() {
    }

    /**
     * MXNet's {@code quantize_model}: quantizes {@code sym} ({@link QuantizePass}), quantizes its weights offline,
     * runs {@link QuantizeOptions#calibData()} through the FP32 model to calibrate (unless the mode is NONE) and
     * writes the ranges onto the quantize / requantize nodes.
     *
     * <pre>{@code
     * QuantizedModel q = Quantization.quantizeModel(sym, args, aux,
     *         QuantizeOptions.defaults().calibData(iter).excludedSymNames("conv0_fwd"));
     * }</pre>
     *
     * @throws IllegalArgumentException for bad options or calibration data (empty, wrong shape, NaN/Inf), with a
     *                                  message naming the input at fault
     */
    public static QuantizedModel quantizeModel(Symbol sym, Map<String, NDArray> argParams, Map<String, NDArray> auxParams,
                                               QuantizeOptions options) {
        Logger log = options.logger();
        log.info("quantizing: {}", options);
        checkCalibrationOptions(sym, options);
        QuantizeGraphResult g = quantizeGraph(sym, argParams, auxParams, options);
        if (options.calibMode() == CalibMode.NONE) {
            return calibGraph(g.symbol(), g.argParams(), g.auxParams(), null, CalibMode.NONE, options.quantizedDtype(), log);
        }
        CalibrationTable table = calibrate(sym, argParams, auxParams, g, options);
        // The table already holds the collector's ranges: computing them again (KL search) would double the work.
        return applyRanges(g.symbol(), g.argParams(), g.auxParams(), table.ranges(), options.quantizedDtype(), log);
    }

    /**
     * MXNet's {@code quantize_graph}: the quantized symbol without calibration ranges, its parameters, and a
     * collector (for the options' calibration mode, restricted to the tensors the graph needs) to feed from
     * your own loop before {@link #calibGraph}. Note MXNet's {@code quantize_graph} defaults to FULL mode;
     * here the mode is the options' ({@link QuantizeOptions#defaults()}: SMART).
     *
     * <pre>{@code
     * QuantizeGraphResult g = Quantization.quantizeGraph(sym, args, aux, QuantizeOptions.defaults().calibMode(CalibMode.NAIVE));
     * // for each batch, for each t in g.targets(): g.collector().collect(t.tensorName(), op, fp32Tensor);
     * QuantizedModel q = Quantization.calibGraph(g.symbol(), g.argParams(), g.auxParams(), g.collector(),
     *         CalibMode.NAIVE, QuantizedDtype.INT8);
     * }</pre>
     */
    public static QuantizeGraphResult quantizeGraph(Symbol sym, Map<String, NDArray> argParams,
                                                    Map<String, NDArray> auxParams, QuantizeOptions options) {
        Logger log = options.logger();
        Set<String> excluded = options.excludedSymNames();
        if (!options.excludedSymNamesMatch().isEmpty()) {
            // Patterns match the original node names here (no fusion); unused ones are warned about with near names.
            excluded = new LinkedHashSet<>(excluded);
            excluded.addAll(ExcludedNames.resolve(sym, new FusionResult(sym, Map.of()), List.of(),
                    options.excludedSymNamesMatch(), log).nodes());
        }
        QuantizePass.Result r = QuantizePass.run(sym, new QuantizePass.Options(excluded,
                options.excludedOpNames(), options.quantizeMode(), options.quantizedDtype(), argParams.keySet(),
                options.registry(), log));
        Map<String, NDArray> qargs = OfflineParams.quantize(r.symbol(), argParams, options.quantizeGranularity());
        // MXNet calibrates the outputs of quantized BatchNorms too (FNeedCalibrateOutput): with a calibrated
        // range a BatchNorm is one int8 -> int8 step whose result does not depend on the batch.
        List<CalibrationTarget> targets = new ArrayList<>(r.targets());
        targets.addAll(ApplyCalibration.batchNormTargets(r.symbol()));
        CalibrationCollector collector = newCollector(tensorNames(targets), options);
        log.info("quantized {} of {} op nodes ({}); {} tensors to calibrate", r.quantizedNodes().size(),
                r.decisions().size(), options.quantizeMode().mxnetName(), r.targets().size());
        return new QuantizeGraphResult(r.symbol(), qargs, auxParams, collector, targets);
    }

    /** {@link #calibGraph(Symbol, Map, Map, CalibrationCollector, CalibMode, QuantizedDtype, Logger)} with the default logger. */
    public static QuantizedModel calibGraph(Symbol qsym, Map<String, NDArray> argParams, Map<String, NDArray> auxParams,
                                            CalibrationCollector collector, CalibMode calibMode, QuantizedDtype dtype) {
        return calibGraph(qsym, argParams, auxParams, collector, calibMode, dtype, LOG);
    }

    /**
     * MXNet's {@code calib_graph}: takes the ranges from {@code collector.postCollect()} (none for
     * {@link CalibMode#NONE}) and writes them onto the quantized symbol ({@link ApplyCalibration}); the
     * arguments are those of the quantized symbol, quantizing FP32 weights offline (channel-wise) if
     * {@code argParams} holds the FP32 ones.
     *
     * <pre>{@code
     * QuantizedModel q = Quantization.calibGraph(g.symbol(), g.argParams(), g.auxParams(), g.collector(),
     *         CalibMode.ENTROPY, QuantizedDtype.AUTO, log);
     * }</pre>
     */
    public static QuantizedModel calibGraph(Symbol qsym, Map<String, NDArray> argParams, Map<String, NDArray> auxParams,
                                            CalibrationCollector collector, CalibMode calibMode, QuantizedDtype dtype,
                                            Logger logger) {
        Logger log = logger == null ? LOG : logger;
        Map<String, TensorRange> ranges = null;
        if (calibMode != CalibMode.NONE) {
            if (collector == null) throw new IllegalArgumentException("calibMode " + calibMode.mxnetName() + " needs a collector");
            ranges = collector.postCollect();
        }
        return applyRanges(qsym, argParams, auxParams, ranges, dtype, log);
    }

    /** Writes {@code ranges} (null: none, run-time ranges) onto {@code qsym} and quantizes FP32 weights offline. */
    private static QuantizedModel applyRanges(Symbol qsym, Map<String, NDArray> argParams, Map<String, NDArray> auxParams,
                                              Map<String, TensorRange> ranges, QuantizedDtype dtype, Logger log) {
        Symbol calibrated = ApplyCalibration.apply(qsym, ranges, dtype, log);
        ApplyCalibration.applyBatchNormRanges(calibrated, ranges, log);
        // FP32 weights get the library's default granularity (channel-wise, as quantizeModel); pass the
        // arguments quantizeGraph returned to keep the granularity chosen there.
        Map<String, NDArray> qargs = OfflineParams.quantize(calibrated, argParams,
                QuantizeOptions.defaults().quantizeGranularity());
        return new QuantizedModel(calibrated, qargs, auxParams);
    }

    /**
     * MXNet's {@code quantize_model_mkldnn}: fuses the graph for oneDNN ({@link FusionPass}, INT8 rules), quantizes
     * the fused graph (fused convolutions / FullyConnected are always quantized, in place: the same op with
     * {@code quantized=true}), calibrates on the FUSED FP32 graph, writes the ranges, then fuses the requantize
     * (and, before FP32 users, the dequantize) into the quantized fused nodes and aligns the ranges of concat
     * inputs ({@link PostQuantizeFusion}). Excluded names may be original or fused names; patterns
     * ({@link QuantizeOptions#excludedSymNamesMatch}) match both. Weight scales per channel or per tensor:
     * {@link QuantizeOptions#quantizeGranularity}. The result runs on the INT8 runtime's fused kernels; see
     * {@link MkldnnAttrs} for what each attribute means.
     *
     * <pre>{@code
     * QuantizedModel q = Quantization.quantizeModelMkldnn(m.symbol(), m.argParams(), m.auxParams(),
     *         QuantizeOptions.defaults().calibMode(CalibMode.NAIVE).calibData(iter).quantizedDtype(QuantizedDtype.AUTO)
     *                 .excludedSymNamesMatch("*stage1_conv0*"));
     * q.save("out/resnet20-int8", 0, true);   // compact: int8 weights
     * }</pre>
     */
    public static QuantizedModel quantizeModelMkldnn(Symbol sym, Map<String, NDArray> argParams,
                                                     Map<String, NDArray> auxParams, QuantizeOptions options) {
        return quantizeMkldnn(sym, argParams, auxParams, options).model();
    }

    /** {@link #quantizeModelMkldnn}, returning what each step did. */
    public static MkldnnQuantizeResult quantizeMkldnn(Symbol sym, Map<String, NDArray> argParams,
                                                      Map<String, NDArray> auxParams, QuantizeOptions options) {
        Logger log = options.logger();
        log.info("quantizing for oneDNN: {}", options);
        checkCalibrationOptions(sym, options);
        FusionResult fusion = FusionPass.run(sym, options.fusionOptions());
        ExcludedNames.Resolved excluded = ExcludedNames.resolve(sym, fusion, options.excludedSymNames(),
                options.excludedSymNamesMatch(), log);
        QuantizePass.Result r = quantizeFusedGraph(fusion.symbol(), excluded.nodes(), argParams.keySet(), options);
        Map<String, NDArray> qargs = OfflineParams.quantize(r.symbol(), argParams);
        List<CalibrationTarget> targets = new ArrayList<>(r.targets());
        targets.addAll(ApplyCalibration.batchNormTargets(r.symbol()));
        CalibrationCollector collector = newCollector(tensorNames(targets), options);
        QuantizeGraphResult g = new QuantizeGraphResult(r.symbol(), qargs, auxParams, collector, targets);
        log.info("quantized {} of {} op nodes of the fused graph ({}); {} tensors to calibrate", r.quantizedNodes().size(),
                r.decisions().size(), options.quantizeMode().mxnetName(), r.targets().size());
        CalibrationTable table = null;
        if (options.calibMode() != CalibMode.NONE) table = calibrate(fusion.symbol(), argParams, auxParams, g, options);
        QuantizedModel q = calibGraphMkldnn(r.symbol(), argParams, auxParams, table == null ? null : table.ranges(), options);
        return new MkldnnQuantizeResult(fusion, excluded, r, table, q);
    }

    /**
     * The second half of {@link #quantizeModelMkldnn} for your own calibration loop (over the FUSED FP32 graph,
     * {@code FusionPass.run(sym, options.fusionOptions())}): writes {@code ranges} (null = calibration none)
     * onto the quantized symbol (quantize / requantize nodes, and the outputs of quantized BatchNorms,
     * {@link ApplyCalibration#batchNormTargets}), then applies {@link PostQuantizeFusion}.
     *
     * <pre>{@code
     * QuantizedModel q = Quantization.calibGraphMkldnn(qsym, args, aux, collector.postCollect(), options);
     * }</pre>
     */
    public static QuantizedModel calibGraphMkldnn(Symbol qsym, Map<String, NDArray> argParams, Map<String, NDArray> auxParams,
                                                  Map<String, TensorRange> ranges, QuantizeOptions options) {
        Logger log = options.logger();
        Symbol calibrated = ApplyCalibration.apply(qsym, ranges, options.quantizedDtype(), log);
        ApplyCalibration.applyBatchNormRanges(calibrated, ranges, log);
        Symbol fused = PostQuantizeFusion.apply(calibrated, options.quantizedDtype(), options.convFloatOutput(), log);
        return new QuantizedModel(fused, OfflineParams.quantize(fused, argParams), auxParams);
    }

    /**
     * The quantize step of {@link #quantizeModelMkldnn} on an already fused graph: {@link QuantizePass} with fused
     * nodes quantized in place, then MXNet's attributes on the quantized fused nodes (FC: {@code quantized=True},
     * {@code for_quantization=True}, {@code channel_wise_quantize=True} when channel-wise, when its weights stay
     * FP32; conv: {@code channel_wise_quantize=False} when tensor-wise).
     *
     * @param excludedNodes names of nodes of {@code fused} to keep FP32 ({@link ExcludedNames#resolve})
     * @param paramNames    the parameter variables (FC weights among them are quantized offline when tensor-wise)
     */
    public static QuantizePass.Result quantizeFusedGraph(Symbol fused, Set<String> excludedNodes, Set<String> paramNames,
                                                         QuantizeOptions options) {
        Set<String> fp32WeightOps = new HashSet<>();
        fp32WeightOps.add(MkldnnAttrs.CONV);
        if (options.quantizeGranularity() == QuantizeGranularity.CHANNEL_WISE) fp32WeightOps.add(MkldnnAttrs.FC);
        QuantizePass.Result r = QuantizePass.run(fused, new QuantizePass.Options(excludedNodes,
                options.excludedOpNames(), options.quantizeMode(), options.quantizedDtype(), paramNames,
                options.registry(), options.logger(), true, fp32WeightOps));
        for (Node n : r.symbol().nodes()) {
            if (!MkldnnAttrs.isQuantizedFused(n)) continue;
            Map<String, String> attrs = new java.util.TreeMap<>(n.attrs());
            if (n.op().equals(MkldnnAttrs.FC)) {
                // MXNet's spelling on quantized FCs.
                attrs.put(MkldnnAttrs.QUANTIZED, "True");
                attrs.put(MkldnnAttrs.FOR_QUANTIZATION, "True");
                if (options.quantizeGranularity() == QuantizeGranularity.CHANNEL_WISE) attrs.put(MkldnnAttrs.CHANNEL_WISE_QUANTIZE, "True");
            } else if (options.quantizeGranularity() == QuantizeGranularity.TENSOR_WISE) {
                attrs.put(MkldnnAttrs.CHANNEL_WISE_QUANTIZE, "False");
            }
            n.attrs().clear();
            n.attrs().putAll(attrs);
        }
        return r;
    }

    /**
     * MXNet's {@code quantize_net}: quantizes a network written with the {@link org.quantize4j.gluon} API (or any
     * {@link Block}, e.g. a {@link SymbolBlock} of a loaded model) and returns the INT8 network as a
     * {@link SymbolBlock}, ready for {@code forward}, {@code export} and composition. The flow is MXNet's: the
     * network is hybridized into a symbol with its parameters ({@link Block#toModel()}), its shapes are inferred from
     * {@link QuantizeNetOptions#dataShapes} (or the first calibration batch), finishing deferred initialization,
     * then {@link #quantizeModelMkldnn} fuses, quantizes, calibrates on the fused FP32 graph and folds
     * requantize / dequantize into the fused nodes.
     *
     * <pre>{@code
     * HybridSequential net = ...;                    // written with the API, parameters loaded or initialized
     * SymbolBlock int8 = Quantization.quantizeNet(net, QuantizeNetOptions.defaults()
     *         .calibMode(CalibMode.NAIVE).calibData(batches).numCalibExamples(320)
     *         .excludeLayersMatch("*dense*"));
     * NDArray logits = int8.forward(images);         // runs the INT8 kernels
     * int8.export("out/mynet-int8", 0);              // MXNet-style checkpoint; SymbolBlock.imports reads it back
     *
     * // no calibration data: give the input shapes, ranges are then measured at run time
     * SymbolBlock q = Quantization.quantizeNet(net, QuantizeNetOptions.defaults().dataShapes(new long[] {1, 1, 28, 28}));
     * }</pre>
     *
     * @param network a block whose parameters have values (initialized, loaded, or deferred with an initializer)
     * @throws BlockShapeException      when the network's forward cannot be set up for the data shapes (names the
     *                                  block at fault)
     * @throws IllegalArgumentException for missing data shapes, calibration data that is missing or does not fit,
     *                                  parameters without values, and bad options
     */
    public static SymbolBlock quantizeNet(Block network, QuantizeNetOptions options) {
        java.util.Objects.requireNonNull(network, "network");
        java.util.Objects.requireNonNull(options, "options");
        Logger log = options.logger();
        log.info("quantizing network {}: {}", network.describe(), options);
        List<String> inputs = network.inputNames();
        if (options.calibMode() != CalibMode.NONE && options.calibData() == null) {
            throw new IllegalArgumentException("quantizeNet with calibMode " + options.calibMode().mxnetName()
                    + " needs calibData (QuantizeNetOptions.calibData); use calibMode none to skip calibration");
        }
        if (options.calibMode() != CalibMode.NONE && inputs.size() != 1) {
            throw new IllegalArgumentException("quantizeNet calibrates networks with one input; " + network.describe()
                    + " has inputs " + inputs);
        }
        long[][] shapes = netDataShapes(network, inputs, options);
        try {
            network.inferShape(shapes);
        } catch (BlockShapeException e) {
            throw new BlockShapeException(e.block(), "quantizeNet: " + e.getMessage(), e);
        }
        Model fp32;
        try {
            fp32 = network.toModel();
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("quantizeNet: network " + network.describe() + " cannot be exported: "
                    + e.getMessage() + " (initialize() it or load its parameters first)", e);
        }
        QuantizedModel q = quantizeModelMkldnn(fp32.symbol(), fp32.argParams(), fp32.auxParams(),
                options.toQuantizeOptions(inputs));
        SymbolBlock out = SymbolBlock.fromModel(q.toModel(), inputs);
        log.info("quantizeNet: {} -> {} nodes, {} parameters", network.describe(), q.symbol().nodes().size(),
                q.argParams().size() + q.auxParams().size());
        return out;
    }

    /** The input shapes: given, or the first calibration batch's (single-input networks). */
    private static long[][] netDataShapes(Block network, List<String> inputs, QuantizeNetOptions options) {
        List<long[]> given = options.dataShapes();
        if (given != null) {
            if (given.size() != inputs.size()) {
                throw new IllegalArgumentException("quantizeNet: network " + network.describe() + " has inputs " + inputs
                        + " but " + given.size() + " data shape(s) were given");
            }
            return given.toArray(new long[0][]);
        }
        if (options.calibData() == null) {
            throw new IllegalArgumentException("quantizeNet needs the input shapes of network " + network.describe()
                    + ": give QuantizeNetOptions.dataShapes (one shape per input " + inputs
                    + ", e.g. dataShapes(new long[] {1, 3, 224, 224})) or calibData");
        }
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("quantizeNet: network " + network.describe() + " has inputs " + inputs
                    + "; give one data shape per input (QuantizeNetOptions.dataShapes)");
        }
        org.quantize4j.data.DataIter it = options.calibData();
        it.reset();
        if (!it.hasNext()) throw new IllegalArgumentException("quantizeNet: calibration data is empty (no batch)");
        long[] shape = it.next().data().shape();
        it.reset();
        return new long[][] {shape};
    }

    private static CalibrationCollector newCollector(List<String> names, QuantizeOptions options) {
        return switch (options.calibMode()) {
            case NONE -> null;
            case NAIVE -> new MinMaxCollector(names);
            case ENTROPY -> new EntropyCollector(names, options.quantizedDtype());
            case CUSTOMIZE -> {
                if (options.collector() == null) {
                    throw new IllegalArgumentException("calibMode customize needs a collector (QuantizeOptions.collector)");
                }
                yield options.collector();
            }
        };
    }

    /**
     * Runs the calibration data of {@code options} through the FP32 model into {@code g.collector()}.
     *
     * @return what was collected, as a table (ranges from {@code collector.postCollect()})
     */
    public static CalibrationTable calibrate(Symbol fp32, Map<String, NDArray> argParams, Map<String, NDArray> auxParams,
                                             QuantizeGraphResult g, QuantizeOptions options) {
        checkCalibrationOptions(fp32, options);
        Map<String, NDArray> params = new LinkedHashMap<>(argParams);
        params.putAll(auxParams);
        CalibrationListener listener = options.calibrationListener();
        CalibrationCollector collector = listener == null ? g.collector() : CalibrationListener.tee(g.collector(), listener);
        CalibrationRunner.Result run = CalibrationRunner.run(fp32, params, options.dataNames().get(0),
                tensorNames(g.targets()), options.calibData(), options.numCalibExamples(), collector,
                options.executorOptions(), options.logger());
        long start = System.nanoTime();
        Map<String, TensorRange> ranges = g.collector().postCollect();
        double thresholdSeconds = (System.nanoTime() - start) / 1e9;
        options.logger().info("calibrated on {} examples ({} batches, {}): forward passes {} s, collection {} s, "
                + "thresholds {} s", run.examples(), run.batches(), options.calibMode().mxnetName(),
                String.format("%.3f", run.forwardSeconds()), String.format("%.3f", run.collectSeconds()),
                String.format("%.3f", thresholdSeconds));
        CalibrationTable table = new CalibrationTable(options.calibMode().mxnetName(),
                options.quantizedDtype().mxnetName(), run.examples(), ranges);
        if (listener != null) listener.calibrated(g.collector(), table);
        return table;
    }

    /**
     * MXNet's {@code combine_histogram(old_hist, arr, new_min, new_max, new_th)}: adds a batch to an entropy
     * histogram, growing its range by whole bins when the batch exceeds it (see {@link Histogram#combineHistogram}).
     *
     * <pre>{@code
     * Histogram h = Histogram.ofFirstBatch(first.floatView(), 8001);
     * h = Quantization.combineHistogram(h, next, -3.1f, 4.2f, 4.2f);
     * }</pre>
     */
    public static Histogram combineHistogram(Histogram oldHist, NDArray arr, float newMin, float newMax, float newTh) {
        FloatBuffer data = arr.floatView();
        return Histogram.combineHistogram(oldHist, data, newMin, newMax, newTh);
    }

    private static List<String> tensorNames(List<CalibrationTarget> targets) {
        List<String> out = new ArrayList<>();
        for (CalibrationTarget t : targets) out.add(t.tensorName());
        return out;
    }

    private static void checkCalibrationOptions(Symbol sym, QuantizeOptions o) {
        if (o.calibMode() == CalibMode.NONE) return;
        if (o.calibData() == null) {
            throw new IllegalArgumentException("calibMode " + o.calibMode().mxnetName()
                    + " needs calibration data (QuantizeOptions.calibData); use calibMode none to skip calibration");
        }
        if (o.dataNames().size() != 1) {
            throw new IllegalArgumentException("calibration feeds one data input, but dataNames is " + o.dataNames());
        }
        String data = o.dataNames().get(0);
        Node v = sym.find(data);
        if (v == null || !v.isVariable()) {
            throw new IllegalArgumentException("data name '" + data + "' is not an input of the model (inputs: "
                    + sym.listInputs() + ")");
        }
    }
}
