package org.quantize4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batches an {@link IndexedDataset}: file order, or a permutation drawn from {@code Random(seed)} (a
 * new one each pass, the same sequence for the same seed). A batch is returned only when complete:
 * an unreadable example fails the whole {@code next()} (or, with skipping, is replaced by the next
 * one), so callers never see a half-filled batch. Decoding may use several threads; each example goes
 * to its own slot, so results do not depend on the thread count.
 */
final class ExampleDataIter implements DataIter {
    private static final Logger LOG = LoggerFactory.getLogger(ExampleDataIter.class);

    private final IndexedDataset dataset;
    private final int batchSize;
    private final int exampleSize;
    private final long[] batchShape;
    private final Random random;
    private final int[] order;
    private final ThreadLocal<float[]> scratch;
    private ExecutorService pool;
    private int position;   // next index into order
    private boolean failed;

    ExampleDataIter(IndexedDataset dataset, int batchSize) {
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.exampleSize = dataset.exampleSize();
        this.batchShape = dataset.batchShape(batchSize);
        NDArray.size(batchShape);   // overflow check
        this.random = dataset.options.shuffle() ? new Random(dataset.options.seed()) : null;
        this.order = new int[dataset.size()];
        this.scratch = ThreadLocal.withInitial(() -> new float[exampleSize]);
        startPass();
    }

    private void startPass() {
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (random != null) {
            for (int i = order.length - 1; i > 0; i--) {   // Fisher-Yates
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        position = 0;
        failed = false;
    }

    @Override
    public int batchSize() { return batchSize; }

    @Override
    public long size() { return dataset.size(); }

    @Override
    public boolean hasNext() { return !failed && position < order.length; }

    @Override
    public DataBatch next() {
        if (failed) throw new IllegalStateException("iterator over " + dataset.path() + " failed earlier; call reset()");
        if (!hasNext()) throw new NoSuchElementException("no more batches in " + dataset.path());
        NDArray data = NDArray.zeros(batchShape, DType.FLOAT32);
        FloatBuffer dst = data.floatView();
        int[] labels = new int[batchSize];
        int filled = 0;
        try {
            while (filled < batchSize && position < order.length) {
                int want = Math.min(batchSize - filled, order.length - position);
                int[] indices = Arrays.copyOfRange(order, position, position + want);
                position += want;
                filled = decode(indices, filled, dst, labels);
            }
        } catch (IOException e) {
            failed = true;
            throw new UncheckedIOException(e.getMessage(), e);
        }
        // filled == 0 only when everything left was skipped: an all-padding batch with count 0.
        if (filled < batchSize) {
            // Rows filled..batch-1 may hold data of skipped examples: zero them (padding is zero).
            float[] zeros = new float[exampleSize];
            for (int r = filled; r < batchSize; r++) dst.put(r * exampleSize, zeros);
        }
        return new DataBatch(data, dataset.labeled() ? Arrays.copyOf(labels, filled) : null, filled);
    }

    /** Decodes {@code indices} into rows {@code from...}; returns the rows filled after compaction of skips. */
    private int decode(int[] indices, int from, FloatBuffer dst, int[] labels) throws IOException {
        int n = indices.length;
        IOException[] errors = new IOException[n];
        int threads = Math.min(dataset.options.threads(), n);
        if (threads <= 1) {
            for (int j = 0; j < n; j++) errors[j] = decodeOne(indices[j], from + j, dst, labels);
        } else {
            if (pool == null) {
                pool = Executors.newFixedThreadPool(dataset.options.threads(), r -> {
                    Thread t = new Thread(r, "quantize4j-decode");
                    t.setDaemon(true);
                    return t;
                });
            }
            List<Future<IOException>> futures = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                int jj = j;
                futures.add(pool.submit(() -> decodeOne(indices[jj], from + jj, dst, labels)));
            }
            for (int j = 0; j < n; j++) {
                try {
                    errors[j] = futures.get(j).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while decoding " + dataset.path(), e);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) throw re;
                    throw new IOException(c);
                }
            }
        }
        // First failure in example order decides, independent of thread timing.
        int out = from;
        float[] row = null;
        for (int j = 0; j < n; j++) {
            IOException e = errors[j];
            if (e == null) {
                if (out != from + j) {
                    if (row == null) row = new float[exampleSize];
                    dst.get((from + j) * exampleSize, row);
                    dst.put(out * exampleSize, row);
                    labels[out] = labels[from + j];
                }
                out++;
            } else if (e instanceof UnreadableExampleException u && dataset.options.skipUnreadable()) {
                LOG.warn("skipping unreadable example: {}", u.getMessage());
                dataset.recordSkip(u.getMessage());
            } else {
                throw e;
            }
        }
        return out;
    }

    private IOException decodeOne(int index, int row, FloatBuffer dst, int[] labels) {
        float[] buf = scratch.get();
        try {
            labels[row] = dataset.read(index, buf);
        } catch (IOException e) {
            return e;
        }
        dst.duplicate().put(row * exampleSize, buf);
        return null;
    }

    @Override
    public void reset() {
        startPass();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();   // no task is running between next() calls; do not interrupt channel reads
            pool = null;
        }
    }
}
