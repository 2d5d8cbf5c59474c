package org.quantize4j.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * How {@link Datasets#open} turns files into batches, after MXNet's {@code ImageRecordIter} options:
 * data shape, shorter-side resize, center crop, channel order, normalization, shuffling.
 * Immutable; the {@code with...} methods return modified copies.
 *
 * <p>Image pipeline (image folders and RecordIO), as ImageRecordIter with {@code rand_crop=0}:
 * decode (color, or gray for 1 channel) &rarr; if {@code resize > 0}, bilinear resize so the shorter side is
 * {@code resize} (the other side {@code resize * long / short}, truncated) &rarr; center crop to
 * {@code (H, W)} (an image smaller than that is an error) &rarr; channel order &rarr;
 * {@code x = (pixel * scale - mean[c]) / std[c]}. Note MXNet's own formula is
 * {@code (pixel - mean_r) * scale / std_r}; with {@code scale = 1} the two agree, so give MXNet's
 * {@code mean_r/g/b} and {@code std_r/g/b} as {@code mean}/{@code std} with scale 1
 * (see {@link #mxnetNormalization}). Mean and std are indexed by the fed channel, so with BGR give
 * them in B, G, R order.
 *
 * <pre>{@code
 * DatasetOptions o = DatasetOptions.defaults()
 *         .withDataShape(3, 224, 224).withResize(256)
 *         .withNormalization(DatasetOptions.mxnetNormalization(
 *                 new float[] {123.68f, 116.78f, 103.94f}, new float[] {58.4f, 57.12f, 57.38f}, 1))
 *         .withShuffle(true, 42);
 * }</pre>
 */
public final class DatasetOptions {
    private final int[] dataShape;
    private final int resize;
    private final ChannelOrder channelOrder;
    private final Normalization normalization;
    private final boolean shuffle;
    private final long seed;
    private final Path labels;
    private final boolean skipUnreadable;
    private final int threads;

    private DatasetOptions(int[] dataShape, int resize, ChannelOrder channelOrder, Normalization normalization,
                           boolean shuffle, long seed, Path labels, boolean skipUnreadable, int threads) {
        this.dataShape = dataShape;
        this.resize = resize;
        this.channelOrder = channelOrder;
        this.normalization = normalization;
        this.shuffle = shuffle;
        this.seed = seed;
        this.labels = labels;
        this.skipUnreadable = skipUnreadable;
        this.threads = threads;
    }

    /**
     * No data shape (taken from the data), no resize, RGB, the kind's default normalization, file
     * order (no shuffle), labels found beside the data, unreadable examples are errors, 1 decode thread.
     */
    public static DatasetOptions defaults() {
        return new DatasetOptions(null, -1, ChannelOrder.RGB, null, false, 0, null, false, 1);
    }

    /**
     * MXNet ImageRecordIter's normalization {@code (pixel - mean) * scale / std} expressed as ours:
     * {@code (pixel * 1 - mean) / (std / scale)}.
     */
    public static Normalization mxnetNormalization(float[] mean, float[] std, double scale) {
        if (scale == 0 || !Double.isFinite(scale)) throw new IllegalArgumentException("scale must be finite and non-zero");
        float[] s = new float[std.length];
        for (int i = 0; i < s.length; i++) s[i] = (float) (std[i] / scale);
        return new Normalization(1.0, mean, s);
    }

    /** Example shape {@code (C, H, W)} to produce, or null to take it from the data. */
    public int[] dataShape() { return dataShape == null ? null : dataShape.clone(); }

    /** Shorter-side resize target, or -1 for none. */
    public int resize() { return resize; }

    public ChannelOrder channelOrder() { return channelOrder; }

    /**
     * The normalization, or null for the kind's default: {@code scale 1/255} for pixel data (IDX,
     * images, RecordIO, uint8 .npy), identity for float .npy arrays (already preprocessed tensors).
     */
    public Normalization normalization() { return normalization; }

    /** Whether the example order is shuffled (a new permutation each pass, reproducible from the seed). */
    public boolean shuffle() { return shuffle; }

    public long seed() { return seed; }

    /** Explicit labels file (IDX labels or a labels .npy), or null to look beside the data. */
    public Path labels() { return labels; }

    /** Skip (and count) examples that cannot be decoded instead of failing. */
    public boolean skipUnreadable() { return skipUnreadable; }

    /** Threads decoding images in parallel within a batch (results do not depend on it). */
    public int threads() { return threads; }

    /**
     * @throws IllegalArgumentException unless 3 positive values with 1 or 3 channels (null clears it)
     */
    public DatasetOptions withDataShape(int... chw) {
        if (chw != null) {
            if (chw.length != 3) throw new IllegalArgumentException("data shape needs 3 values (C,H,W), got " + Arrays.toString(chw));
            for (int d : chw) {
                if (d <= 0) throw new IllegalArgumentException("data shape values must be positive, got " + Arrays.toString(chw));
            }
        }
        return new DatasetOptions(chw == null ? null : chw.clone(), resize, channelOrder, normalization, shuffle, seed,
                labels, skipUnreadable, threads);
    }

    /** @param shorterSide the shorter-side length after resizing, or -1 for no resize */
    public DatasetOptions withResize(int shorterSide) {
        if (shorterSide == 0 || shorterSide < -1) throw new IllegalArgumentException("resize must be positive (or -1 for none), got " + shorterSide);
        return new DatasetOptions(dataShape, shorterSide, channelOrder, normalization, shuffle, seed, labels,
                skipUnreadable, threads);
    }

    public DatasetOptions withChannelOrder(ChannelOrder order) {
        if (order == null) throw new IllegalArgumentException("channel order must not be null");
        return new DatasetOptions(dataShape, resize, order, normalization, shuffle, seed, labels, skipUnreadable, threads);
    }

    /** @param n the normalization, or null for the kind's default */
    public DatasetOptions withNormalization(Normalization n) {
        return new DatasetOptions(dataShape, resize, channelOrder, n, shuffle, seed, labels, skipUnreadable, threads);
    }

    public DatasetOptions withShuffle(boolean on, long seed) {
        return new DatasetOptions(dataShape, resize, channelOrder, normalization, on, seed, labels, skipUnreadable, threads);
    }

    public DatasetOptions withLabels(Path labelsFile) {
        return new DatasetOptions(dataShape, resize, channelOrder, normalization, shuffle, seed, labelsFile,
                skipUnreadable, threads);
    }

    public DatasetOptions withSkipUnreadable(boolean skip) {
        return new DatasetOptions(dataShape, resize, channelOrder, normalization, shuffle, seed, labels, skip, threads);
    }

    public DatasetOptions withThreads(int n) {
        if (n <= 0) throw new IllegalArgumentException("threads must be positive, got " + n);
        return new DatasetOptions(dataShape, resize, channelOrder, normalization, shuffle, seed, labels, skipUnreadable, n);
    }

    /** The normalization to use for pixel data: the given one or {@code scale 1/255}. */
    Normalization pixelNormalization() {
        return normalization != null ? normalization : Normalization.scaleOnly(Normalization.DEFAULT_SCALE);
    }

    @Override
    public String toString() {
        return "DatasetOptions(dataShape=" + Arrays.toString(dataShape) + ", resize=" + resize + ", " + channelOrder
                + ", " + normalization + ", shuffle=" + shuffle + (shuffle ? " seed " + seed : "") + ", labels=" + labels
                + ", skipUnreadable=" + skipUnreadable + ", threads=" + threads + ")";
    }
}
