package org.quantize4j.example;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.quantize4j.Model;
import org.quantize4j.QuantizedModel;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;

/**
 * A classifier a service calls from many request threads: the INT8 model is loaded once, and a fixed pool of
 * executors serves the requests.
 *
 * <p>Why a pool: an {@link Executor} holds its input, output and activation buffers, so one executor must not
 * run two requests at once. Building one per request would cost far more than the request itself (primitive
 * creation, weight reorders). So {@code executors} executors are built up front (sharing the loaded model's
 * parameters), each running on one OpenMP thread; a request borrows an idle one and gives it back. The pool size
 * is the number of requests computed at the same time (at most the number of cores makes sense); more request
 * threads than executors simply wait their turn. Native memory is bounded and released by {@link #close()},
 * which a per-thread ({@code ThreadLocal}) executor would not give with a container's thread pool.
 *
 * <pre>{@code
 * try (Int8Classifier c = Int8Classifier.load("models/resnet20-int8", new long[] {1, 1, 28, 28}, 4)) {
 *     ExecutorService requests = Executors.newFixedThreadPool(16);
 *     Future<Int8Classifier.Prediction> p = requests.submit(() -> c.predict(image));   // image: 784 floats, normalized
 *     int label = p.get().label();
 * }
 * }</pre>
 */
public final class Int8Classifier implements AutoCloseable {
    /** One answer: the top-1 class and the scores (the model's output row) it was picked from. */
    public record Prediction(int label, float[] scores) {
    }

    private final List<Executor> executors = new ArrayList<>();
    private final BlockingQueue<Executor> idle;
    private final String inputName;
    private final long[] inputShape;
    private final int inputSize;
    private volatile boolean closed;

    /**
     * Loads a quantized checkpoint ({@code PREFIX-symbol.json} + {@code PREFIX-0000.params}, as
     * {@code QuantizedModel.save} writes it, compact or not) and builds {@code executors} executors.
     *
     * @param inputShape the shape of one request, batch dimension 1 included, e.g. {@code {1, 1, 28, 28}}
     */
    public static Int8Classifier load(String prefix, long[] inputShape, int executors) {
        return new Int8Classifier(QuantizedModel.load(prefix, 0).toModel(), inputShape, executors);
    }

    /** A classifier over an already loaded (or just quantized) model. */
    public Int8Classifier(Model model, long[] inputShape, int executors) {
        if (executors < 1) throw new IllegalArgumentException("executors must be >= 1, got " + executors);
        Map<String, NDArray> params = model.allParams();
        List<String> inputs = new ArrayList<>(model.symbol().listInputs());
        inputs.removeAll(params.keySet());
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("a classifier needs a model with one data input, this one has " + inputs);
        }
        this.inputName = inputs.get(0);
        this.inputShape = inputShape.clone();
        this.inputSize = Math.toIntExact(NDArray.size(inputShape));
        this.idle = new ArrayBlockingQueue<>(executors);
        try {
            for (int i = 0; i < executors; i++) {
                // One OpenMP thread each: parallelism comes from serving several requests at once.
                Executor ex = Executor.create(model.symbol(), params, Map.of(inputName, this.inputShape), new ExecutorOptions(1));
                this.executors.add(ex);
                idle.add(ex);
            }
        } catch (RuntimeException e) {
            for (Executor ex : this.executors) ex.close();
            throw e;
        }
    }

    /**
     * Classifies one example (NCHW float32 values, already normalized as the model expects). Safe to call from
     * any number of threads; waits while every executor is busy.
     *
     * @throws IllegalArgumentException when {@code example} does not have the input's size
     * @throws IllegalStateException    after {@link #close()} (or when the waiting thread is interrupted)
     */
    public Prediction predict(float[] example) {
        if (example.length != inputSize) {
            throw new IllegalArgumentException("input '" + inputName + "' of shape " + Arrays.toString(inputShape)
                    + " takes " + inputSize + " values, got " + example.length);
        }
        Executor ex = borrow();
        try {
            ex.setInput(inputName, FloatBuffer.wrap(example));
            ex.forward();
            float[] scores = new float[Math.toIntExact(ex.output(0).size())];
            ex.output(0).floatView().get(scores);   // copy: the output buffer is reused by the next request
            int best = 0;
            for (int k = 1; k < scores.length; k++) if (scores[k] > scores[best]) best = k;
            return new Prediction(best, scores);
        } finally {
            idle.add(ex);
        }
    }

    private Executor borrow() {
        try {
            while (true) {
                if (closed) throw new IllegalStateException("classifier is closed");
                Executor ex = idle.poll(50, TimeUnit.MILLISECONDS);
                if (ex != null) return ex;   // close() only closes executors it took from the queue: this one is open
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an executor", e);
        }
    }

    /** Number of executors (requests computed at the same time). */
    public int executors() {
        return executors.size();
    }

    /** Waits for requests in progress, then releases every executor's native memory. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        boolean interrupted = false;
        for (int i = 0; i < executors.size(); i++) {
            while (true) {
                try {
                    idle.take().close();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
