package org.quantize4j.data;

/**
 * A decoded 8-bit image, interleaved row by row ({@code hwc[(y * width + x) * channels + c]}), with 1
 * channel (gray) or 3 (R, G, B).
 *
 * <pre>{@code
 * PixelImage img = ImageDecoder.decode(bytes, "cat.jpg");
 * int red = img.sample(0, 0, 0);
 * }</pre>
 */
public record PixelImage(int width, int height, int channels, byte[] hwc) {
    public PixelImage {
        if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("bad image " + width + "x" + height + "x" + channels);
        }
        if (hwc.length != (long) width * height * channels) {
            throw new IllegalArgumentException(hwc.length + " bytes for a " + width + "x" + height + "x" + channels + " image");
        }
    }

    /** Sample of channel {@code c} at column {@code x}, row {@code y}, as 0..255. */
    public int sample(int x, int y, int c) {
        return hwc[(y * width + x) * channels + c] & 0xff;
    }
}
