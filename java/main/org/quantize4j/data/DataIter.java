package org.quantize4j.data;

import java.util.Iterator;

/**
 * An iterator over fixed-size batches of a dataset, like MXNet's {@code mx.io.DataIter}.
 * Every batch has {@link #batchSize()} rows; the last one may be padded (see {@link DataBatch#count()}).
 * I/O failures surface as {@link java.io.UncheckedIOException} naming the file.
 *
 * <pre>{@code
 * try (DataIter it = dataset.iterator(64, Normalization.scaleOnly(1 / 255.0))) {
 *     while (it.hasNext()) process(it.next());
 *     it.reset();   // a second epoch
 * }
 * }</pre>
 */
public interface DataIter extends Iterator<DataBatch>, AutoCloseable {
    /** Rows per batch, padding included. */
    int batchSize();

    /** Restarts at the first example. */
    void reset();

    /** Number of examples (not batches) in one pass, or -1 if unknown. */
    long size();

    /** Releases open files; no checked exception, so try-with-resources stays simple. */
    @Override
    void close();
}
