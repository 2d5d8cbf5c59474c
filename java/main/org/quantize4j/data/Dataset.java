package org.quantize4j.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A dataset opened by {@link Datasets#open}: a known number of examples of one shape, with or without
 * class labels, iterated in NCHW float32 batches.
 *
 * <pre>{@code
 * Dataset ds = Datasets.open(Path.of("calib.rec"), DatasetOptions.defaults().withDataShape(3, 224, 224).withResize(256));
 * try (ds; DataIter it = ds.iterator(32)) {
 *     while (it.hasNext()) feed(it.next());
 * }
 * if (ds.skipped() > 0) log.warn("skipped {} unreadable images", ds.skipped());
 * }</pre>
 */
public interface Dataset extends AutoCloseable {
    /** The file or folder the dataset was opened from. */
    Path path();

    DatasetKind kind();

    /** Number of examples in one pass (before any skipped during iteration). */
    int size();

    /** Shape of one example, normally {@code (C, H, W)}. */
    long[] exampleShape();

    /** Whether batches carry labels. */
    boolean labeled();

    /** Where the labels come from (a file, "subfolder names", "record headers"), or null if unlabeled. */
    String labelsSource();

    /** A new iterator over all examples in batches of {@code batchSize} (the last one zero-padded). */
    DataIter iterator(int batchSize);

    /** Examples skipped as unreadable so far (at open and during iteration). */
    default int skipped() { return skippedItems().size(); }

    /** Descriptions of the skipped examples with the reason, in the order they were met. */
    List<String> skippedItems();

    /** Releases open files (RecordIO keeps its .rec open); iterators must not be used afterwards. */
    @Override
    default void close() {}

    /** {@code (batchSize, exampleShape...)}. */
    default long[] batchShape(int batchSize) {
        long[] e = exampleShape();
        long[] s = new long[e.length + 1];
        s[0] = batchSize;
        System.arraycopy(e, 0, s, 1, e.length);
        return s;
    }
}
