package org.quantize4j.calib;

import java.util.Arrays;
import java.util.NoSuchElementException;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.ndarray.NDArray;

/** An in-memory {@link DataIter} over float32 examples (last batch zero-padded), for tests. */
public final class ArrayDataIter implements DataIter {
    private final float[] data;
    private final long[] exampleShape;
    private final int examples;
    private final int batchSize;
    private int position;

    /** {@code data} holds {@code examples} examples of shape {@code exampleShape}, row-major. */
    public ArrayDataIter(float[] data, long[] exampleShape, int batchSize) {
        this.data = data;
        this.exampleShape = exampleShape.clone();
        long per = NDArray.size(exampleShape);
        if (data.length % per != 0) throw new IllegalArgumentException("data does not divide into examples");
        this.examples = (int) (data.length / per);
        this.batchSize = batchSize;
    }

    @Override public int batchSize() { return batchSize; }

    @Override public void reset() { position = 0; }

    @Override public long size() { return examples; }

    @Override public void close() { }

    @Override public boolean hasNext() { return position < examples; }

    @Override
    public DataBatch next() {
        if (!hasNext()) throw new NoSuchElementException();
        int per = (int) NDArray.size(exampleShape);
        int n = Math.min(batchSize, examples - position);
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = batchSize;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        float[] batch = new float[batchSize * per];
        System.arraycopy(data, position * per, batch, 0, n * per);
        position += n;
        return new DataBatch(NDArray.ofFloats(shape, batch), null, n);
    }

    @Override
    public String toString() {
        return "ArrayDataIter(" + examples + " x " + Arrays.toString(exampleShape) + ", batch " + batchSize + ")";
    }
}
