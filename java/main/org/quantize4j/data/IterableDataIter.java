package org.quantize4j.data;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.quantize4j.ndarray.NDArray;

/**
 * Any {@link Iterable} of batches as a {@link DataIter} (what Gluon's {@code DataLoader} is to MXNet's
 * {@code quantize_net}): {@link #reset()} starts a new {@link Iterable#iterator()}, and a short batch (fewer
 * rows than the first one, e.g. the last batch of a loader that keeps it) is padded with zero rows to the
 * first batch's size, its {@link DataBatch#count()} telling how many rows are real, so one executor serves
 * every batch. Labels are optional ({@code null}).
 *
 * <pre>{@code
 * List<DataBatch> batches = List.of(new DataBatch(x0, null, 32), new DataBatch(x1, null, 32));
 * DataIter it = IterableDataIter.of(batches);
 * DataIter arrays = IterableDataIter.ofArrays(List.of(x0, x1));   // plain tensors, every row real
 * }</pre>
 */
public final class IterableDataIter implements DataIter {
    private final Iterable<DataBatch> source;
    private Iterator<DataBatch> it;
    private long[] firstShape;
    private int index;

    private IterableDataIter(Iterable<DataBatch> source) {
        this.source = Objects.requireNonNull(source, "calibration data");
        this.it = source.iterator();
    }

    /** Batches as given, labels optional. */
    public static DataIter of(Iterable<DataBatch> batches) {
        return new IterableDataIter(batches);
    }

    /** Plain tensors (first dimension the batch), every row real, no labels. */
    public static DataIter ofArrays(Iterable<NDArray> arrays) {
        Objects.requireNonNull(arrays, "calibration data");
        return new IterableDataIter(() -> {
            Iterator<NDArray> a = arrays.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() { return a.hasNext(); }

                @Override
                public DataBatch next() {
                    NDArray x = a.next();
                    if (x == null) throw new IllegalArgumentException("calibration tensor is null");
                    if (x.ndim() == 0) throw new IllegalArgumentException("calibration tensor is a scalar; the first dimension must be the batch");
                    return new DataBatch(x, null, Math.toIntExact(x.dim(0)));
                }
            };
        });
    }

    @Override
    public boolean hasNext() {
        return it.hasNext();
    }

    @Override
    public DataBatch next() {
        if (!it.hasNext()) throw new NoSuchElementException();
        DataBatch b = it.next();
        if (b == null) throw new IllegalArgumentException("calibration batch " + index + " is null");
        index++;
        long[] shape = b.data().shape();
        if (firstShape == null) {
            firstShape = shape;
            return b;
        }
        if (shape[0] < firstShape[0] && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length),
                Arrays.copyOfRange(firstShape, 1, firstShape.length))) {
            return pad(b);
        }
        return b;   // other shapes are reported by whoever consumes the batch, naming the batch
    }

    private DataBatch pad(DataBatch b) {
        long[] shape = firstShape.clone();
        NDArray padded = NDArray.zeros(shape, b.data().dtype());
        ByteBuffer dst = padded.buffer();
        dst.put(b.data().buffer());
        return new DataBatch(padded, b.labels(), b.count());
    }

    /** Rows of the first batch, or 0 before any batch was read and the source is empty. */
    @Override
    public int batchSize() {
        if (firstShape == null) {
            Iterator<DataBatch> peek = source.iterator();
            if (!peek.hasNext()) return 0;
            return peek.next().batchSize();
        }
        return Math.toIntExact(firstShape[0]);
    }

    @Override
    public void reset() {
        it = source.iterator();
        index = 0;
    }

    /** The number of real rows when the source is a collection, else -1. */
    @Override
    public long size() {
        if (!(source instanceof Collection<?>)) return -1;
        long n = 0;
        for (DataBatch b : source) n += b.count();
        return n;
    }

    @Override
    public void close() {
    }
}
