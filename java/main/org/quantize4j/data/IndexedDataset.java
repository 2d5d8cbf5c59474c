package org.quantize4j.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.quantize4j.ndarray.NDArray;

/**
 * Base of the datasets whose examples can be read by index (image folders, RecordIO, .npy, IDX in
 * memory): batching, shuffling and skipping live in {@link ExampleDataIter}, the subclass only decodes
 * one example.
 */
abstract class IndexedDataset implements Dataset {
    protected final Path path;
    protected final DatasetOptions options;
    private final Set<String> skips = Collections.synchronizedSet(new LinkedHashSet<>());

    IndexedDataset(Path path, DatasetOptions options) {
        this.path = path;
        this.options = options;
    }

    @Override
    public Path path() { return path; }

    /** Floats per example. */
    final int exampleSize() {
        return Math.toIntExact(NDArray.size(exampleShape()));
    }

    /**
     * Decodes example {@code index} into {@code dst[0 .. exampleSize)} (normalized) and returns its
     * label (0 when unlabeled). Called from several threads at once.
     *
     * @throws UnreadableExampleException when this example alone is bad (skippable)
     * @throws IOException when the dataset itself cannot be read
     */
    abstract int read(int index, float[] dst) throws IOException;

    @Override
    public DataIter iterator(int batchSize) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        return new ExampleDataIter(this, batchSize);
    }

    void recordSkip(String item) {
        skips.add(item);
    }

    @Override
    public List<String> skippedItems() {
        synchronized (skips) {
            return List.copyOf(new ArrayList<>(skips));
        }
    }

    @Override
    public String toString() {
        return kind().description() + " " + path + " (" + size() + " examples of " + java.util.Arrays.toString(exampleShape())
                + (labeled() ? ", labels from " + labelsSource() : ", unlabeled") + ")";
    }
}
