package org.quantize4j.data;

import java.util.Objects;
import org.quantize4j.ndarray.NDArray;

/**
 * One batch from a {@link DataIter}: the input tensor, its labels, and how many rows are real.
 *
 * <p>The data always has the full batch shape, so one executor bound to that shape serves every batch;
 * in a short last batch the rows from {@code count} on are zero padding and must not be scored.
 *
 * <pre>{@code
 * DataBatch b = it.next();
 * executor.setInput("data", b.data().floatView());
 * for (int i = 0; i < b.count(); i++) score(row(i), b.labels()[i]);
 * }</pre>
 *
 * @param data   NCHW float32 input, first dimension = batch size
 * @param labels class labels of the valid rows ({@code labels.length == count}), or null for unlabeled data
 * @param count  number of valid rows, {@code 0 < count <= batch size}; 0 only for a last batch whose
 *               remaining examples were all skipped as unreadable
 */
public record DataBatch(NDArray data, int[] labels, int count) {
    public DataBatch {
        Objects.requireNonNull(data, "data");
        if (data.ndim() == 0 || count < 0 || count > data.dim(0)) {
            throw new IllegalArgumentException("batch of shape " + java.util.Arrays.toString(data.shape())
                    + " cannot hold " + count + " valid rows");
        }
        if (labels != null && labels.length != count) {
            throw new IllegalArgumentException(labels.length + " labels for " + count + " valid rows");
        }
    }

    /** The batch size (first dimension of the data), including padding rows. */
    public int batchSize() {
        return Math.toIntExact(data.dim(0));
    }
}
