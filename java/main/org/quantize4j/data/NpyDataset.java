package org.quantize4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.quantize4j.ModelFormatException;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.Npy;

/**
 * Examples stored as one NumPy array {@code (N, C, H, W)} (any rank >= 2: the first axis is the
 * example), loaded whole. Float arrays ({@code <f4 <f8 <f2}) are taken as already preprocessed tensors
 * and fed unchanged unless a normalization is given; {@code uint8} arrays are pixels and get the pixel
 * default {@code x / 255}. Labels come from {@link DatasetOptions#labels()} or a file beside the
 * data, {@code NAME-labels.npy} or {@code NAME_labels.npy}: integer (or whole-number float) array of
 * shape {@code (N,)} or {@code (N, 1)}.
 *
 * <pre>{@code
 * NpyDataset ds = NpyDataset.open(Path.of("calib.npy"), DatasetOptions.defaults());   // + calib-labels.npy
 * }</pre>
 */
public final class NpyDataset extends IndexedDataset {
    private final NDArray array;
    private final boolean pixels;
    private final Normalization normalization;   // null: feed floats unchanged
    private final float[][] table;
    private final int[] labels;
    private final Path labelsFile;
    private final long[] shape;

    private NpyDataset(Path file, DatasetOptions options, NDArray array, int[] labels, Path labelsFile) {
        super(file, options);
        this.array = array;
        long[] s = array.shape();
        this.shape = Arrays.copyOfRange(s, 1, s.length);
        this.pixels = array.dtype() == DType.UINT8;
        int channels = shape.length == 3 ? Math.toIntExact(shape[0]) : 1;
        this.normalization = pixels ? options.pixelNormalization() : options.normalization();
        if (normalization != null) normalization.checkChannels(channels);
        this.table = pixels ? normalization.uint8Table(channels) : null;
        this.labels = labels;
        this.labelsFile = labelsFile;
    }

    /**
     * @throws DatasetFormatException naming the file for an unsupported dtype or rank, a shape that
     *     differs from the requested data shape, image options that do not apply, or labels that do not fit
     */
    public static NpyDataset open(Path file, DatasetOptions options) throws IOException {
        if (options.resize() > 0) throw new DatasetFormatException(file, "resize applies to images, not to a .npy array");
        if (options.channelOrder() != ChannelOrder.RGB) {
            throw new DatasetFormatException(file, "channel order applies to decoded images; a .npy array is fed as stored");
        }
        NDArray a = readNpy(file);
        long[] s = a.shape();
        if (s.length < 2) {
            throw new DatasetFormatException(file, "array of shape " + Arrays.toString(s)
                    + " has no example axis; expected (N, C, H, W)");
        }
        DType t = a.dtype();
        if (t != DType.FLOAT32 && t != DType.FLOAT64 && t != DType.FLOAT16 && t != DType.UINT8) {
            throw new DatasetFormatException(file, "dtype " + t.mxnetName() + " is not supported for data; use float32 (or uint8 pixels)");
        }
        if (t == DType.FLOAT64 || t == DType.FLOAT16) a = a.toFloat32();
        int[] want = options.dataShape();
        long[] example = Arrays.copyOfRange(s, 1, s.length);
        if (want != null && !Arrays.equals(example, Arrays.stream(want).asLongStream().toArray())) {
            throw new DatasetFormatException(file, "examples have shape " + Arrays.toString(example) + " (array "
                    + Arrays.toString(s) + ") but the data shape is " + Arrays.toString(want));
        }
        if (NDArray.size(example) == 0) throw new DatasetFormatException(file, "examples of shape " + Arrays.toString(example) + " are empty");
        if (s[0] > Integer.MAX_VALUE) throw new DatasetFormatException(file, "too many examples: " + s[0]);

        Path labelsFile = options.labels() != null ? options.labels() : findLabels(file);
        int[] labels = labelsFile == null ? null : readLabels(labelsFile, (int) s[0], file);
        return new NpyDataset(file, options, a, labels, labelsFile);
    }

    /** Candidate label files beside {@code data}: {@code NAME-labels.npy}, {@code NAME_labels.npy}. */
    public static List<Path> labelCandidates(Path data) {
        String n = data.getFileName().toString();
        String stem = n.endsWith(".npy") ? n.substring(0, n.length() - 4) : n;
        List<Path> out = new ArrayList<>();
        out.add(data.resolveSibling(stem + "-labels.npy"));
        out.add(data.resolveSibling(stem + "_labels.npy"));
        return out;
    }

    private static Path findLabels(Path data) {
        for (Path p : labelCandidates(data)) {
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static NDArray readNpy(Path file) throws IOException {
        try {
            return Npy.read(file);
        } catch (ModelFormatException e) {
            throw new DatasetFormatException(file, e.getMessage().startsWith(file.toString())
                    ? e.getMessage().substring(file.toString().length()).replaceFirst("^:\\s*", "") : e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static int[] readLabels(Path file, int n, Path data) throws IOException {
        NDArray a = readNpy(file);
        long[] s = a.shape();
        boolean ok = (s.length == 1 && s[0] == n) || (s.length == 2 && s[0] == n && s[1] == 1);
        if (!ok) {
            throw new DatasetFormatException(file, "labels of shape " + Arrays.toString(s) + " do not fit the " + n
                    + " examples of " + data + "; expected (" + n + ",)");
        }
        float[] v = a.toFloatArray();
        int[] out = new int[n];
        ByteBuffer b = a.buffer();
        for (int i = 0; i < n; i++) {
            double x = a.dtype() == DType.INT64 ? b.getLong(i * 8) : v[i];
            if (!(x >= 0) || x != Math.rint(x) || x > Integer.MAX_VALUE) {
                throw new DatasetFormatException(file, "label " + i + " is " + x + ", not a class index (a whole number >= 0)");
            }
            out[i] = (int) x;
        }
        return out;
    }

    @Override
    public DatasetKind kind() { return DatasetKind.NPY; }

    @Override
    public int size() { return (int) array.dim(0); }

    @Override
    public long[] exampleShape() { return shape.clone(); }

    @Override
    public boolean labeled() { return labels != null; }

    @Override
    public String labelsSource() { return labelsFile == null ? null : labelsFile.toString(); }

    @Override
    int read(int index, float[] dst) {
        int n = dst.length;
        ByteBuffer b = array.buffer();
        if (pixels) {
            byte[] chw = new byte[n];
            b.get(Math.multiplyExact(index, n), chw);
            ImageFolderDataset.normalize(chw, table, dst);
        } else {
            b.asFloatBuffer().get(Math.multiplyExact(index, n), dst);
            if (normalization != null) {
                int channels = shape.length == 3 ? (int) shape[0] : 1;
                int plane = n / channels;
                for (int i = 0; i < n; i++) dst[i] = normalization.apply(i / plane, dst[i]);
            }
        }
        return labels == null ? 0 : labels[index];
    }
}
