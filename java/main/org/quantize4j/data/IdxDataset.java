package org.quantize4j.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An MNIST / Fashion-MNIST dataset in IDX files: uint8 images {@code (n, rows, cols)} and optional
 * uint8 labels, gzip-compressed or not. Images are streamed batch by batch (never the whole file in
 * memory); labels (one byte each) are read at open.
 *
 * <pre>{@code
 * IdxDataset ds = IdxDataset.open(Path.of("t10k-images-idx3-ubyte.gz"));   // finds t10k-labels-idx1-ubyte.gz
 * Normalization norm = new Normalization(1 / 255.0, new float[] {0.2860f}, new float[] {0.3530f});
 * try (DataIter it = ds.iterator(64, norm)) {
 *     DataBatch b = it.next();    // data (64, 1, 28, 28), labels of the valid rows
 * }
 * }</pre>
 */
public final class IdxDataset {
    private final Path images;
    private final Path labelsFile;
    private final IdxFile.Header header;
    private final int[] labels;

    private IdxDataset(Path images, Path labelsFile, IdxFile.Header header, int[] labels) {
        this.images = images;
        this.labelsFile = labelsFile;
        this.header = header;
        this.labels = labels;
    }

    /**
     * Opens an images file and the labels file beside it (see {@link #labelCandidates}).
     *
     * @throws java.nio.file.NoSuchFileException if no labels file is found; the message lists the paths tried
     * @throws IdxFormatException if a file is malformed or the counts differ
     */
    public static IdxDataset open(Path images) throws IOException {
        return open(images, findLabels(images));
    }

    /** Opens an images file with the given labels file (null: no labels). */
    public static IdxDataset open(Path images, Path labelsFile) throws IOException {
        IdxFile.Header h;
        try (DataInputStream in = IdxFile.open(images)) {
            h = IdxFile.readHeader(in, images, IdxFile.MAGIC_IMAGES);
        }
        int[] labels = null;
        if (labelsFile != null) {
            labels = IdxFile.readLabels(labelsFile);
            if (labels.length != h.count()) {
                throw new IdxFormatException(labelsFile, "has " + labels.length + " labels but images file " + images
                        + " has " + h.count() + " images");
            }
        }
        return new IdxDataset(images, labelsFile, h, labels);
    }

    /** Opens an images file without labels. */
    public static IdxDataset openUnlabeled(Path images) throws IOException {
        return open(images, null);
    }

    /**
     * Where the labels file of {@code images} may be: {@code X-images-idx3-ubyte[.gz]} (or
     * {@code X-images.idx3-ubyte}) becomes {@code X-labels-idx1-ubyte} with and without {@code .gz},
     * the variant with the images file's compression suffix first. Empty if the name does not follow
     * the MNIST naming.
     */
    public static List<Path> labelCandidates(Path images) {
        String name = images.getFileName().toString();
        boolean gz = name.endsWith(".gz");
        String base = gz ? name.substring(0, name.length() - 3) : name;
        Set<String> names = new LinkedHashSet<>();
        for (String[] pair : new String[][] {{"images-idx3", "labels-idx1"}, {"images.idx3", "labels.idx1"}}) {
            int at = base.lastIndexOf(pair[0]);
            if (at < 0) continue;
            String labelBase = base.substring(0, at) + pair[1] + base.substring(at + pair[0].length());
            names.add(gz ? labelBase + ".gz" : labelBase);
            names.add(gz ? labelBase : labelBase + ".gz");
        }
        List<Path> out = new ArrayList<>();
        for (String n : names) out.add(images.resolveSibling(n));
        return out;
    }

    /**
     * The first existing {@link #labelCandidates label candidate} of {@code images}.
     *
     * @throws java.nio.file.NoSuchFileException naming every path tried and suggesting {@code --labels}
     */
    public static Path findLabels(Path images) throws IOException {
        List<Path> candidates = labelCandidates(images);
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) return p;
        }
        String tried = candidates.isEmpty()
                ? "the name does not contain 'images-idx3', so no labels file name could be derived"
                : "tried " + String.join(", ", candidates.stream().map(Path::toString).toList());
        throw new java.nio.file.NoSuchFileException(images.toString(), null,
                "no labels file found beside the images file (" + tried + "); give it with --labels");
    }

    public Path imagesFile() { return images; }

    /** The labels file, or null if the dataset is unlabeled. */
    public Path labelsFile() { return labelsFile; }

    /** Number of images. */
    public int count() { return header.count(); }

    public int rows() { return header.dims()[1]; }

    public int cols() { return header.dims()[2]; }

    /** Channels per image: always 1 for IDX images. */
    public int channels() { return 1; }

    /** A copy of all labels, or null if unlabeled. */
    public int[] labels() { return labels == null ? null : labels.clone(); }

    /** Shape of one batch: {@code (batchSize, 1, rows, cols)}. */
    public long[] batchShape(int batchSize) {
        return new long[] {batchSize, channels(), rows(), cols()};
    }

    /**
     * A new iterator over all images in file order, normalized into float32 NCHW batches of
     * {@code batchSize} (the last batch zero-padded).
     *
     * @throws IllegalArgumentException if batchSize is not positive or the normalization does not fit 1 channel
     */
    public DataIter iterator(int batchSize, Normalization normalization) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        normalization.checkChannels(channels());
        return new IdxDataIter(this, batchSize, normalization, labels);
    }

    IdxFile.Header header() { return header; }

    @Override
    public String toString() {
        return "IdxDataset(" + images + ", " + count() + " images " + rows() + "x" + cols()
                + (labelsFile == null ? ", unlabeled" : ", labels " + labelsFile) + ")";
    }
}
