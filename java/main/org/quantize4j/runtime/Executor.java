package org.quantize4j.runtime;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an MXNet symbol on oneDNN for one fixed set of input shapes. Built once: shapes are inferred,
 * every op's attributes checked, oneDNN primitives created (activations NHWC, weights reordered once
 * into the layouts the primitives prefer), buffers planned with reuse and allocated. {@link #forward()}
 * then runs any number of batches without allocating.
 *
 * <pre>{@code
 * Model m = Model.load("test-models/fmnist_resnet20_v1");
 * try (Executor ex = Executor.create(m.symbol(), m.allParams(), Map.of("data", new long[] {64, 1, 28, 28}),
 *                                    ExecutorOptions.defaults())) {
 *     ex.setInput("data", batch);          // NCHW float32, 64*1*28*28 values
 *     ex.forward();
 *     NDArray logits = ex.output(0);       // (64, 10), valid until the next forward()
 * }
 * }</pre>
 *
 * <p>INT8: graphs in MXNet 1.9's quantized vocabulary ({@code _contrib_quantize_v2}, {@code _contrib_quantized_conv},
 * {@code _contrib_requantize}, {@code _contrib_dequantize}, ...; see {@link org.quantize4j.ops.Int8}) run the same
 * way, with int8/uint8 parameters as stored ({@code <w>_quantize}). A graph output that is an int8/uint8 tensor is
 * returned as float32 codes; an int32 one as the real values it stands for.
 *
 * <p>{@link #profile(int)} runs forward passes timing every step (node, oneDNN kernel implementation), for
 * finding where time goes; forward() itself does no timing.
 *
 * Not thread-safe: one executor serves one thread at a time (build one per thread for parallel use).
 * Errors in the graph (unknown op or attribute, missing parameter, shapes that do not fit) are raised
 * by {@link #create}, naming the node and tensor.
 */
public final class Executor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Executor.class);

    private final ExecutorOptions options;
    private final List<String> inputNames;
    private final List<long[]> inputShapes;
    private final List<FloatBuffer> inputStaging;
    private final List<NDArray> outputs;
    private final Step[] steps;
    private final List<Pointer> owned;
    /** Keeps the planned buffers reachable for the executor's lifetime. */
    private final List<ByteBuffer> buffers;
    private final stream stream;
    private final dnnl_stream rawStream;
    private final long plannedBytes;
    private final long constantBytes;
    private boolean closed;

    Executor(ExecutorOptions options, List<String> inputNames, List<long[]> inputShapes, List<ByteBuffer> inputBuffers,
             List<NDArray> outputs, List<Step> steps, List<Pointer> owned, List<ByteBuffer> buffers, stream stream,
             dnnl_stream rawStream, long plannedBytes, long constantBytes) {
        this.options = options;
        this.inputNames = List.copyOf(inputNames);
        this.inputShapes = inputShapes;
        this.inputStaging = new ArrayList<>();
        for (ByteBuffer b : inputBuffers) this.inputStaging.add(b.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer());
        this.outputs = outputs;
        this.steps = steps.toArray(new Step[0]);
        this.owned = owned;
        this.buffers = buffers;
        this.stream = stream;
        this.rawStream = rawStream;
        this.plannedBytes = plannedBytes;
        this.constantBytes = constantBytes;
    }

    /**
     * Builds an executor.
     *
     * @param symbol      the graph
     * @param params      parameters by plain name (arg and aux merged, e.g. {@link org.quantize4j.Model#allParams()})
     * @param inputShapes NCHW shapes of the data inputs, e.g. {@code "data" -> {64, 1, 28, 28}}
     * @throws org.quantize4j.ops.UnsupportedOperatorException  for an op this runtime does not implement
     * @throws org.quantize4j.ops.InvalidAttributeException     for an unknown or unsupported attribute
     * @throws org.quantize4j.graph.ShapeInferenceException     when shapes do not fit (input, parameter)
     * @throws IllegalArgumentException for a missing parameter (naming the variable and its consumer)
     */
    public static Executor create(Symbol symbol, Map<String, NDArray> params, Map<String, long[]> inputShapes,
                                  ExecutorOptions options) {
        return new ExecutorBuilder(symbol, params, inputShapes, options).build();
    }

    public List<String> inputNames() { return inputNames; }

    /** The shape of input {@code name} as given at build time. */
    public long[] inputShape(String name) {
        return inputShapes.get(indexOfInput(name)).clone();
    }

    public int numOutputs() { return outputs.size(); }

    public long[] outputShape(int i) { return outputs.get(i).shape(); }

    /** Bytes of the planned activation buffers (after reuse). */
    public long activationBytes() { return plannedBytes; }

    /** Bytes of the parameters in their final layouts. */
    public long parameterBytes() { return constantBytes; }

    /** Number of primitive executions per forward(). */
    public int numSteps() { return steps.length; }

    private int indexOfInput(String name) {
        int i = inputNames.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("no input named '" + name + "' (inputs: " + inputNames + ")");
        return i;
    }

    /**
     * Copies one batch of NCHW float32 data into input {@code name}. The buffer's remaining() must equal
     * the input's element count; its position is not changed.
     */
    public void setInput(String name, FloatBuffer nchw) {
        checkOpen();
        FloatBuffer dst = inputStaging.get(indexOfInput(name));
        if (nchw.remaining() != dst.capacity()) {
            throw new IllegalArgumentException("input '" + name + "' of shape " + Arrays.toString(inputShape(name)) + " takes "
                    + dst.capacity() + " floats, got " + nchw.remaining());
        }
        dst.put(0, nchw, nchw.position(), nchw.remaining());
    }

    /** Runs the graph on the current inputs. */
    public void forward() {
        checkOpen();
        if (options.threads() > 0) OmpThreads.setNumThreads(options.threads());
        for (Step s : steps) s.run(stream);
        dnnl_stream_wait(rawStream);
    }

    /**
     * Runs {@code iterations} forward passes on the current inputs, timing each step (a oneDNN primitive, or a
     * host step in Java) separately: the stream is waited on after every step, so the times are those of the
     * steps alone, and their sum is a little less than the wall time of the passes. Costs a few small arrays
     * per call; {@link #forward()} is unaffected. The outputs afterwards are those of a normal forward().
     *
     * <pre>{@code
     * ex.setInput("data", batch);
     * ExecutorProfile p = ex.profile(20);
     * for (StepProfile s : p.sortedByTime()) System.out.println(s.nodeName() + " " + s.impl() + " " + s.millisPerCall());
     * }</pre>
     *
     * @param iterations forward passes to time, at least 1
     */
    public ExecutorProfile profile(int iterations) {
        checkOpen();
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        if (options.threads() > 0) OmpThreads.setNumThreads(options.threads());
        long[] nanos = new long[steps.length];
        long start = System.nanoTime();
        for (int it = 0; it < iterations; it++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps.length; i++) {
                steps[i].run(stream);
                dnnl_stream_wait(rawStream);
                long t1 = System.nanoTime();
                nanos[i] += t1 - t0;
                t0 = t1;
            }
        }
        long total = System.nanoTime() - start;
        Set<Long> boundary = boundaryAddresses();
        List<StepProfile> out = new ArrayList<>(steps.length);
        for (int i = 0; i < steps.length; i++) {
            Step s = steps[i];
            String kind = s.kind();
            boolean atBoundary = false;
            if (StepProfile.REORDER.equals(kind)) {
                // A reorder's argument map holds exactly FROM and TO (plus maybe the scratchpad).
                atBoundary = boundary.contains(s.args.get(DNNL_ARG_FROM).get_data_handle().address())
                        || boundary.contains(s.args.get(DNNL_ARG_TO).get_data_handle().address());
            }
            out.add(new StepProfile(i, s.nodeName, kind, s.impl, nanos[i], iterations, atBoundary));
        }
        return new ExecutorProfile(out, iterations, total);
    }

    /** Addresses of the input staging buffers and the output buffers. */
    private Set<Long> boundaryAddresses() {
        Set<Long> a = new HashSet<>();
        for (FloatBuffer b : inputStaging) a.add(new Pointer(b).address());
        for (NDArray o : outputs) a.add(new Pointer(o.buffer()).address());
        return a;
    }

    /**
     * Output {@code i} in plain row-major order (NCHW for 4-D): a view of the executor's buffer, valid
     * until the next forward() or close().
     */
    public NDArray output(int i) {
        checkOpen();
        return outputs.get(i);
    }

    /** Convenience for single-input graphs: sets the input, runs, and returns a copy of output 0. */
    public float[] forward(float[] input) {
        if (inputNames.size() != 1) throw new IllegalStateException("forward(float[]) needs a graph with exactly one input, have " + inputNames);
        setInput(inputNames.get(0), FloatBuffer.wrap(input));
        forward();
        float[] out = new float[(int) outputs.get(0).size()];
        outputs.get(0).floatView().get(out);
        return out;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("executor is closed");
    }

    /** Releases every oneDNN object; the executor (and its output views) must not be used afterwards. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        releaseAll(owned);
        buffers.clear();
    }

    static void releaseAll(List<Pointer> owned) {
        List<Pointer> rev = new ArrayList<>(owned);
        Collections.reverse(rev);
        for (Pointer p : rev) {
            try {
                p.releaseReference();
            } catch (RuntimeException e) {
                LOG.warn("failed to release {}: {}", p.getClass().getSimpleName(), e.toString());
            }
        }
        owned.clear();
    }

    static engine newEngine() {
        return new engine(engine.kind.cpu, 0);
    }
}
