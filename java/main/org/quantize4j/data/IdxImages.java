package org.quantize4j.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@link IdxDataset} as a {@link Dataset}. In file order it streams (the existing {@link IdxDataIter});
 * shuffled, it needs random access and loads all pixels once (MNIST's 60000 images are 47 MB).
 */
final class IdxImages extends IndexedDataset {
    private final IdxDataset idx;
    private final Normalization normalization;
    private final float[][] table;
    private byte[] pixels;   // all images, loaded on first random access

    private IdxImages(Path file, DatasetOptions options, IdxDataset idx) {
        super(file, options);
        this.idx = idx;
        this.normalization = options.pixelNormalization();
        this.table = normalization.uint8Table(1);
    }

    static IdxImages open(Path images, DatasetOptions options) throws IOException {
        if (options.resize() > 0) throw new DatasetFormatException(images, "resize applies to JPEG/PNG images, not to IDX files");
        if (options.channelOrder() != ChannelOrder.RGB) {
            throw new DatasetFormatException(images, "IDX images have 1 channel: channel order does not apply");
        }
        Path labels = options.labels();
        if (labels == null) {
            for (Path p : IdxDataset.labelCandidates(images)) {
                if (java.nio.file.Files.isRegularFile(p)) {
                    labels = p;
                    break;
                }
            }
        }
        IdxDataset ds = IdxDataset.open(images, labels);
        int[] want = options.dataShape();
        if (want != null && !Arrays.equals(want, new int[] {1, ds.rows(), ds.cols()})) {
            throw new DatasetFormatException(images, "IDX images are (1, " + ds.rows() + ", " + ds.cols()
                    + ") but the data shape is " + Arrays.toString(want));
        }
        return new IdxImages(images, options, ds);
    }

    /** The wrapped IDX dataset. */
    IdxDataset idx() { return idx; }

    @Override
    public DatasetKind kind() { return DatasetKind.IDX; }

    @Override
    public int size() { return idx.count(); }

    @Override
    public long[] exampleShape() { return new long[] {1, idx.rows(), idx.cols()}; }

    @Override
    public boolean labeled() { return idx.labelsFile() != null; }

    @Override
    public String labelsSource() { return idx.labelsFile() == null ? null : idx.labelsFile().toString(); }

    @Override
    public DataIter iterator(int batchSize) {
        if (!options.shuffle()) return idx.iterator(batchSize, normalization);
        return super.iterator(batchSize);
    }

    @Override
    int read(int index, float[] dst) throws IOException {
        byte[] all = loadAll();
        int n = dst.length;
        float[] t = table[0];
        int base = index * n;
        for (int i = 0; i < n; i++) dst[i] = t[all[base + i] & 0xff];
        return idx.labelsFile() == null ? 0 : labels()[index];
    }

    private int[] labelCache;

    private synchronized int[] labels() {
        if (labelCache == null) labelCache = idx.labels();
        return labelCache;
    }

    private synchronized byte[] loadAll() throws IOException {
        if (pixels == null) {
            long bytes = (long) idx.count() * idx.rows() * idx.cols();
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new DatasetFormatException(path, "too large to shuffle in memory (" + bytes + " bytes)");
            }
            byte[] b = new byte[(int) bytes];
            try (DataInputStream in = IdxFile.open(path)) {
                IdxFile.readHeader(in, path, IdxFile.MAGIC_IMAGES);
                in.readFully(b);
            } catch (EOFException e) {
                throw new IdxFormatException(path, "truncated: header says " + idx.count() + " images of "
                        + idx.rows() + "x" + idx.cols() + " but the data ends early");
            }
            pixels = b;
        }
        return pixels;
    }
}
