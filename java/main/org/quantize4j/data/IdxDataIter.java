package org.quantize4j.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.NoSuchElementException;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;

/**
 * Streams an {@link IdxDataset} batch by batch: one open stream and one reusable byte buffer of a
 * batch, so memory stays at one batch whatever the file size. Each batch gets its own NDArray, so
 * callers may keep batches.
 */
final class IdxDataIter implements DataIter {
    private final IdxDataset dataset;
    private final int batchSize;
    private final Normalization normalization;
    private final int[] labels;
    private final int imageBytes;
    private final byte[] pixels;
    private DataInputStream in;
    private int position;   // images delivered so far

    IdxDataIter(IdxDataset dataset, int batchSize, Normalization normalization, int[] labels) {
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.normalization = normalization;
        this.labels = labels;
        this.imageBytes = Math.multiplyExact(dataset.rows(), dataset.cols());
        this.pixels = new byte[Math.multiplyExact(imageBytes, batchSize)];
    }

    @Override
    public int batchSize() { return batchSize; }

    @Override
    public long size() { return dataset.count(); }

    @Override
    public boolean hasNext() { return position < dataset.count(); }

    @Override
    public DataBatch next() {
        if (!hasNext()) throw new NoSuchElementException("no more batches in " + dataset.imagesFile());
        int n = Math.min(batchSize, dataset.count() - position);
        try {
            if (in == null) {
                in = IdxFile.open(dataset.imagesFile());
                IdxFile.readHeader(in, dataset.imagesFile(), IdxFile.MAGIC_IMAGES);
            }
            in.readFully(pixels, 0, n * imageBytes);
        } catch (EOFException e) {
            close();
            throw new UncheckedIOException(new IdxFormatException(dataset.imagesFile(), "truncated: header says "
                    + dataset.count() + " images of " + dataset.rows() + "x" + dataset.cols()
                    + " but the data ends within images " + position + ".." + (position + n - 1)));
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(dataset.imagesFile() + ": read failed: " + e.getMessage(), e);
        }
        NDArray data = NDArray.zeros(dataset.batchShape(batchSize), DType.FLOAT32);
        FloatBuffer dst = data.floatView();
        normalization.normalizeUint8(pixels, 0, n, 1, imageBytes, dst);
        // Rows n..batchSize-1 stay zero: padding.
        int[] batchLabels = labels == null ? null : Arrays.copyOfRange(labels, position, position + n);
        position += n;
        if (!hasNext()) close();
        return new DataBatch(data, batchLabels, n);
    }

    @Override
    public void reset() {
        close();
        position = 0;
    }

    @Override
    public void close() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // Closing a read-only stream: nothing to recover.
            }
            in = null;
        }
    }
}
