package org.quantize4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.calib.CalibrationCollector;
import org.quantize4j.calib.CalibrationRunner;
import org.quantize4j.calib.CalibrationTable;
import org.quantize4j.calib.EntropyCollector;
import org.quantize4j.calib.Histogram;
import org.quantize4j.calib.MinMaxCollector;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.ApplyCalibration;
import org.quantize4j.passes.CalibrationTarget;
import org.quantize4j.passes.OfflineParams;
import org.quantize4j.passes.QuantizePass;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Post-training INT8 quantization of MXNet models, mirroring {@code mxnet.contrib.quantization}:
 * {@link #quantizeModel} (everything in one call), or {@link #quantizeGraph} + your own calibration loop +
 * {@link #calibGraph}, and {@link #combineHistogram}.
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
        calibrate(sym, argParams, auxParams, g, options);
        return calibGraph(g.symbol(), g.argParams(), g.auxParams(), g.collector(), options.calibMode(),
                options.quantizedDtype(), log);
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
        QuantizePass.Result r = QuantizePass.run(sym, new QuantizePass.Options(options.excludedSymNames(),
                options.excludedOpNames(), options.quantizeMode(), options.quantizedDtype(), argParams.keySet(),
                options.registry(), log));
        Map<String, NDArray> qargs = OfflineParams.quantize(r.symbol(), argParams);
        List<String> names = tensorNames(r.targets());
        CalibrationCollector collector = switch (options.calibMode()) {
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
        log.info("quantized {} of {} op nodes ({}); {} tensors to calibrate", r.quantizedNodes().size(),
                r.decisions().size(), options.quantizeMode().mxnetName(), r.targets().size());
        return new QuantizeGraphResult(r.symbol(), qargs, auxParams, collector, r.targets());
    }

    /** {@link #calibGraph(Symbol, Map, Map, CalibrationCollector, CalibMode, QuantizedDtype, Logger)} with the default logger. */
    public static QuantizedModel calibGraph(Symbol qsym, Map<String, NDArray> argParams, Map<String, NDArray> auxParams,
                                            CalibrationCollector collector, CalibMode calibMode, QuantizedDtype dtype) {
        return calibGraph(qsym, argParams, auxParams, collector, calibMode, dtype, LOG);
    }

    /**
     * MXNet's {@code calib_graph}: takes the ranges from {@code collector.postCollect()} (none for
     * {@link CalibMode#NONE}) and writes them onto the quantized symbol ({@link ApplyCalibration}); the
     * arguments are those of the quantized symbol, quantizing FP32 weights offline if {@code argParams} holds the
     * FP32 ones.
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
        Symbol calibrated = ApplyCalibration.apply(qsym, ranges, dtype, log);
        Map<String, NDArray> qargs = OfflineParams.quantize(calibrated, argParams);
        return new QuantizedModel(calibrated, qargs, auxParams);
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
        CalibrationRunner.Result run = CalibrationRunner.run(fp32, params, options.dataNames().get(0),
                tensorNames(g.targets()), options.calibData(), options.numCalibExamples(), g.collector(),
                options.executorOptions(), options.logger());
        options.logger().info("calibrated on {} examples ({} batches, {})", run.examples(), run.batches(),
                options.calibMode().mxnetName());
        return new CalibrationTable(options.calibMode().mxnetName(), options.quantizedDtype().mxnetName(),
                run.examples(), g.collector().postCollect());
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
