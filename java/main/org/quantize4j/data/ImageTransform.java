package org.quantize4j.data;

import java.nio.file.Path;

/**
 * The image part of MXNet's {@code ImageRecordIter} (default augmenter, {@code rand_crop=0},
 * {@code inter_method=1}): channel count, shorter-side resize, center crop, channel order, giving
 * planar uint8 CHW pixels ready for {@link Normalization}.
 *
 * <p>Resize is bilinear with OpenCV's pixel-center mapping {@code src = (dst + 0.5) * in / out - 0.5},
 * clamped at the borders, computed in float and rounded; OpenCV's fixed-point arithmetic can differ by
 * one level. The new size follows MXNet: the shorter side becomes {@code resize}, the longer
 * {@code resize * long / short} (integer division). The crop offset is {@code (size - crop) / 2}.
 *
 * <pre>{@code
 * ImageTransform t = new ImageTransform(3, 224, 224, 256, ChannelOrder.RGB);
 * byte[] chw = t.apply(ImageDecoder.read(file), file, "");   // 3 * 224 * 224 bytes
 * }</pre>
 */
public final class ImageTransform {
    private final int channels;
    private final int height;
    private final int width;
    private final int resize;
    private final ChannelOrder order;

    /**
     * @param channels 1 (gray) or 3
     * @param height   output height (crop)
     * @param width    output width (crop)
     * @param resize   shorter-side length to resize to first, or -1 for none
     * @param order    channel order of a 3-channel output
     */
    public ImageTransform(int channels, int height, int width, int resize, ChannelOrder order) {
        if (channels != 1 && channels != 3) throw new IllegalArgumentException("images give 1 or 3 channels, not " + channels);
        if (height <= 0 || width <= 0) throw new IllegalArgumentException("bad output size " + width + "x" + height);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.resize = resize;
        this.order = order;
    }

    public int channels() { return channels; }

    public int height() { return height; }

    public int width() { return width; }

    /**
     * Planar CHW uint8 pixels of {@code img} after the transform.
     *
     * @throws DatasetFormatException naming the file if the (resized) image is smaller than the output
     */
    public byte[] apply(PixelImage img, Path file, String item) throws DatasetFormatException {
        PixelImage p = ImageDecoder.toChannels(img, channels);
        if (resize > 0) p = resizeShorterSide(p, resize);
        if (p.width() < width || p.height() < height) {
            String after = resize > 0 ? " after resizing the shorter side to " + resize : "";
            throw new DatasetFormatException(file, (item.isEmpty() ? "" : item + ": ") + "image is " + img.width() + "x"
                    + img.height() + " (width x height)" + (resize > 0 ? ", " + p.width() + "x" + p.height() + after : "")
                    + ", smaller than the data shape " + width + "x" + height
                    + (resize > 0 ? "; use a larger resize" : "; resize it (e.g. --resize " + Math.max(width, height) + ")"));
        }
        if (p.width() != width || p.height() != height) p = centerCrop(p, width, height);
        return toChw(p, order);
    }

    /** {@code {newWidth, newHeight}} of MXNet's shorter-side resize. */
    public static int[] shorterSideSize(int w, int h, int shorter) {
        if (h > w) return new int[] {shorter, (int) ((long) shorter * h / w)};
        return new int[] {(int) ((long) shorter * w / h), shorter};
    }

    /** Resizes so the shorter side is {@code shorter} (see {@link #shorterSideSize}). */
    public static PixelImage resizeShorterSide(PixelImage img, int shorter) {
        int[] s = shorterSideSize(img.width(), img.height(), shorter);
        if (s[0] == img.width() && s[1] == img.height()) return img;
        return resizeBilinear(img, s[0], s[1]);
    }

    /** Bilinear resize with pixel-center alignment (OpenCV {@code INTER_LINEAR} mapping). */
    public static PixelImage resizeBilinear(PixelImage img, int newW, int newH) {
        int c = img.channels();
        int[] x0 = new int[newW];
        float[] fx = new float[newW];
        axis(img.width(), newW, x0, fx);
        int[] y0 = new int[newH];
        float[] fy = new float[newH];
        axis(img.height(), newH, y0, fy);
        byte[] src = img.hwc();
        byte[] out = new byte[newW * newH * c];
        int stride = img.width() * c;
        for (int y = 0; y < newH; y++) {
            int r0 = y0[y] * stride;
            int r1 = Math.min(y0[y] + 1, img.height() - 1) * stride;
            float wy = fy[y];
            for (int x = 0; x < newW; x++) {
                int a = x0[x] * c;
                int b = Math.min(x0[x] + 1, img.width() - 1) * c;
                float wx = fx[x];
                for (int k = 0; k < c; k++) {
                    float top = (src[r0 + a + k] & 0xff) * (1 - wx) + (src[r0 + b + k] & 0xff) * wx;
                    float bottom = (src[r1 + a + k] & 0xff) * (1 - wx) + (src[r1 + b + k] & 0xff) * wx;
                    int v = Math.round(top * (1 - wy) + bottom * wy);
                    out[(y * newW + x) * c + k] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new PixelImage(newW, newH, c, out);
    }

    // For each output coordinate: the left source index and the weight of its right neighbour.
    private static void axis(int in, int out, int[] index, float[] weight) {
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double f = (d + 0.5) * scale - 0.5;
            int i = (int) Math.floor(f);
            double w = f - i;
            if (i < 0) {
                i = 0;
                w = 0;
            }
            if (i >= in - 1) {
                i = in - 1;
                w = 0;
            }
            index[d] = i;
            weight[d] = (float) w;
        }
    }

    /** The {@code w x h} center of {@code img}, offset {@code ((W - w) / 2, (H - h) / 2)}. */
    public static PixelImage centerCrop(PixelImage img, int w, int h) {
        if (w > img.width() || h > img.height()) {
            throw new IllegalArgumentException("crop " + w + "x" + h + " larger than image " + img.width() + "x" + img.height());
        }
        int c = img.channels();
        int x0 = (img.width() - w) / 2;
        int y0 = (img.height() - h) / 2;
        byte[] out = new byte[w * h * c];
        for (int y = 0; y < h; y++) {
            System.arraycopy(img.hwc(), ((y0 + y) * img.width() + x0) * c, out, y * w * c, w * c);
        }
        return new PixelImage(w, h, c, out);
    }

    /** Interleaved RGB (or gray) to planar CHW in the given channel order. */
    public static byte[] toChw(PixelImage img, ChannelOrder order) {
        int c = img.channels();
        int n = img.width() * img.height();
        byte[] src = img.hwc();
        byte[] out = new byte[n * c];
        for (int k = 0; k < c; k++) {
            int from = c == 3 && order == ChannelOrder.BGR ? 2 - k : k;
            int base = k * n;
            for (int i = 0; i < n; i++) out[base + i] = src[i * c + from];
        }
        return out;
    }
}
