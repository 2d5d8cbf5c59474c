package org.quantize4j.cli;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;

/**
 * Calibration data for a model without a dataset (random weights, zoo architectures): {@code examples}
 * examples of standard normal noise in batches of the model's input shape, the same numbers for the same
 * seed. Calibrating on noise gives ranges good enough to time the INT8 model, not to judge its accuracy.
 *
 * <pre>{@code
 * try (DataIter it = new RandomCalibData(new long[] {32, 3, 224, 224}, 64, 0)) {
 *     QuantizeOptions o = QuantizeOptions.defaults().calibMode(CalibMode.NAIVE).calibData(it);
 * }
 * }</pre>
 */
final class RandomCalibData implements DataIter {
    private final long[] batchShape;
    private final long examples;
    private final long seed;
    private SplittableRandom random;
    private long done;

    /**
     * @param batchShape NCHW shape of one batch, first dimension the batch size
     * @param examples   examples in one pass (the last batch is padded with zeros)
     */
    RandomCalibData(long[] batchShape, long examples, long seed) {
        if (batchShape.length == 0 || batchShape[0] <= 0) {
            throw new IllegalArgumentException("batch shape needs a positive batch size, got " + Arrays.toString(batchShape));
        }
        if (examples <= 0) throw new IllegalArgumentException("examples must be positive, got " + examples);
        this.batchShape = batchShape.clone();
        this.examples = examples;
        this.seed = seed;
        reset();
    }

    @Override
    public int batchSize() { return Math.toIntExact(batchShape[0]); }

    @Override
    public void reset() {
        random = new SplittableRandom(seed);
        done = 0;
    }

    @Override
    public long size() { return examples; }

    @Override
    public boolean hasNext() { return done < examples; }

    @Override
    public DataBatch next() {
        if (!hasNext()) throw new NoSuchElementException("no more random calibration batches");
        int count = (int) Math.min(batchSize(), examples - done);
        NDArray a = NDArray.zeros(batchShape, DType.FLOAT32);
        FloatBuffer buf = a.floatView();
        long perExample = NDArray.size(batchShape) / batchShape[0];
        long n = perExample * count;
        for (long i = 0; i < n; i++) buf.put((float) gaussian());
        done += count;
        return new DataBatch(a, null, count);
    }

    /** A standard normal value (Box-Muller; one of the pair is enough here). */
    private double gaussian() {
        double u = 1.0 - random.nextDouble();   // (0, 1]: log is finite
        double v = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    @Override
    public void close() {
        // Nothing open.
    }
}
