package org.quantize4j.calib;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs calibration data through the FP32 model and hands the tensors a quantized graph needs to a
 * {@link CalibrationCollector} (MXNet's {@code _collect_layer_statistics}). Only the requested tensors are
 * computed: they are the outputs of an executor built over the part of the graph that produces them. Each
 * tensor reaches the collector as a view of the executor's output buffer holding only the valid rows of the
 * batch (padding and anything past {@code numExamples} trimmed), never copied to a Java array.
 *
 * <p>Checked, with errors naming the input: empty calibration data; a batch shape the model cannot take;
 * NaN / Inf in a calibration batch or in a computed tensor. When {@code numExamples} exceeds the data, all
 * of the data is used and a warning says how much.
 *
 * <pre>{@code
 * CalibrationRunner.Result r = CalibrationRunner.run(fp32Symbol, model.allParams(), "data",
 *         List.of("data", "conv0_fwd_output"), iter, 320, new MinMaxCollector(null),
 *         ExecutorOptions.defaults(), log);
 * System.out.println(r.examples() + " examples in " + r.batches() + " batches");
 * }</pre>
 */
public final class CalibrationRunner {
    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(CalibrationRunner.class);
    private static final long PROGRESS_INTERVAL_NANOS = 2_000_000_000L;

    private CalibrationRunner() {
    }

    /**
     * What was run.
     *
     * @param examples examples the collector saw
     * @param batches        batches run
     * @param forwardSeconds time in the FP32 forward passes
     * @param collectSeconds time the collector took over the outputs (histograms, min/max)
     */
    public record Result(long examples, int batches, double forwardSeconds, double collectSeconds) {
    }

    /**
     * Runs {@code data} (reset first) through {@code fp32} and collects {@code tensors}.
     *
     * @param params      arguments and auxiliary states by plain name
     * @param dataName    the input variable the batches feed
     * @param tensors     internal names of the FP32 tensors to collect ({@code data}, {@code conv0_fwd_output})
     * @param numExamples examples to use, null for all
     * @throws IllegalArgumentException for bad input (see the class comment)
     */
    public static Result run(Symbol fp32, Map<String, NDArray> params, String dataName, List<String> tensors,
                             DataIter data, Integer numExamples, CalibrationCollector collector,
                             ExecutorOptions executorOptions, Logger log) {
        if (log == null) log = DEFAULT_LOG;
        if (data == null) throw new IllegalArgumentException("calibration needs data (calibData is null)");
        if (numExamples != null && numExamples <= 0) {
            throw new IllegalArgumentException("numCalibExamples must be positive, got " + numExamples);
        }
        Map<String, NodeEntry> internals = fp32.internals();
        Node dataVar = fp32.find(dataName);
        if (dataVar == null || !dataVar.isVariable()) {
            throw new IllegalArgumentException("model has no input variable '" + dataName + "' (inputs: "
                    + fp32.listInputs() + ")");
        }
        // Sort the wanted tensors into: the data input, constant parameters, computed outputs.
        List<String> fromData = new ArrayList<>();
        Map<String, NDArray> fromParams = new LinkedHashMap<>();
        List<String> computed = new ArrayList<>();
        List<NodeEntry> heads = new ArrayList<>();
        for (String t : tensors) {
            if (!collector.wants(t)) continue;
            NodeEntry e = internals.get(t);
            if (e == null) throw new IllegalArgumentException("tensor '" + t + "' to calibrate is not an output of the model");
            if (e.node().isVariable()) {
                if (e.node().name().equals(dataName)) {
                    fromData.add(t);
                } else if (params.containsKey(t)) {
                    fromParams.put(t, params.get(t).dtype() == DType.FLOAT32 ? params.get(t) : params.get(t).toFloat32());
                } else {
                    throw new IllegalArgumentException("tensor '" + t + "' to calibrate is an input that is neither the data"
                            + " input '" + dataName + "' nor a parameter");
                }
            } else {
                computed.add(t);
                heads.add(e);
            }
        }

        data.reset();
        if (!data.hasNext()) throw new IllegalArgumentException("calibration data is empty (no batch)");
        long limit = numExamples == null ? Long.MAX_VALUE : numExamples;
        long total = data.size() >= 0 ? Math.min(limit, data.size()) : (numExamples == null ? -1 : limit);
        long done = 0;
        int batches = 0;
        Executor exec = null;
        long[] batchShape = null;
        long lastLog = System.nanoTime();
        long forwardNanos = 0;
        long collectNanos = 0;
        try {
            while (data.hasNext() && done < limit) {
                DataBatch b = data.next();
                int n = (int) Math.min(b.count(), limit - done);
                if (n == 0) continue;
                String where = "in calibration batch " + batches + " (examples " + done + ".." + (done + n - 1) + ")";
                if (batchShape == null) {
                    batchShape = b.data().shape();
                    if (!heads.isEmpty()) exec = createExecutor(fp32, params, dataName, heads, batchShape,
                            executorOptions == null ? ExecutorOptions.defaults() : executorOptions);
                } else if (!Arrays.equals(batchShape, b.data().shape())) {
                    throw new IllegalArgumentException("calibration batch " + batches + " has shape "
                            + Arrays.toString(b.data().shape()) + " but the first had " + Arrays.toString(batchShape));
                }
                NDArray input = b.data().dtype() == DType.FLOAT32 ? b.data() : b.data().toFloat32();
                NDArray validInput = rows(input, n, b.batchSize());
                TensorStats.of(validInput).requireFinite(dataName, where);
                for (String t : fromData) collect(collector, t, "null", validInput, where);
                for (Map.Entry<String, NDArray> p : fromParams.entrySet()) collect(collector, p.getKey(), "null", p.getValue(), where);
                if (exec != null) {
                    long t0 = System.nanoTime();
                    exec.setInput(dataName, input.floatView());
                    exec.forward();
                    long t1 = System.nanoTime();
                    forwardNanos += t1 - t0;
                    for (int i = 0; i < computed.size(); i++) {
                        NDArray out = rows(exec.output(i), n, b.batchSize());
                        collect(collector, computed.get(i), heads.get(i).node().op(), out, where);
                    }
                    collectNanos += System.nanoTime() - t1;
                }
                done += n;
                batches++;
                long now = System.nanoTime();
                if (now - lastLog >= PROGRESS_INTERVAL_NANOS || !data.hasNext() || done >= limit) {
                    lastLog = now;
                    if (total > 0) {
                        log.info("calibration: {}/{} examples ({}%), {} batches", done, total, done * 100 / total, batches);
                    } else {
                        log.info("calibration: {} examples, {} batches", done, batches);
                    }
                }
            }
        } finally {
            if (exec != null) exec.close();
        }
        if (numExamples != null && done < numExamples) {
            log.warn("numCalibExamples is {} but the calibration data holds only {} examples: calibrated on {}",
                    numExamples, done, done);
        }
        return new Result(done, batches, forwardNanos / 1e9, collectNanos / 1e9);
    }

    private static Executor createExecutor(Symbol fp32, Map<String, NDArray> params, String dataName,
                                           List<NodeEntry> heads, long[] shape, ExecutorOptions options) {
        Symbol sub = Symbol.fromOutputs(heads, fp32.graphAttrs());
        try {
            return Executor.create(sub, params, Map.of(dataName, shape), options);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("calibration data of shape " + Arrays.toString(shape)
                    + " does not fit the model's input '" + dataName + "': " + e.getMessage(), e);
        }
    }

    private static void collect(CalibrationCollector c, String name, String op, NDArray a, String where) {
        try {
            c.collect(name, op, a);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " " + where, e);
        }
    }

    /** The first {@code n} rows of {@code a} (a view), if its first dimension is the batch; else {@code a}. */
    static NDArray rows(NDArray a, int n, int batchSize) {
        if (a.ndim() == 0 || a.dim(0) != batchSize || n == batchSize) return a;
        long[] shape = a.shape();
        long rowBytes = a.byteSize() / shape[0];
        shape[0] = n;
        ByteBuffer b = a.buffer();
        b.limit(Math.toIntExact(rowBytes * n));
        return new NDArray(shape, a.dtype(), b.slice());
    }
}
