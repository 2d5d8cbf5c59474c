package org.quantize4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes JPEG / PNG (and whatever else {@code javax.imageio} reads) into 8-bit {@link PixelImage}s.
 *
 * <p>8-bit gray and RGB(A) images are read from the raster directly: {@code BufferedImage.getRGB}
 * would gamma-convert gray values (128 becomes 188). Alpha is dropped (like OpenCV's
 * {@code IMREAD_COLOR}); palette and 16-bit images go through {@code getRGB}. A truncated file is an
 * error: Java's JPEG reader would otherwise return a partly gray image with a mere warning. JPEG
 * pixels may differ by a few levels from libjpeg-turbo's (MXNet's decoder): different IDCT and chroma
 * upsampling.
 *
 * <pre>{@code
 * PixelImage rgb = ImageDecoder.read(Path.of("cat.jpg"));
 * PixelImage gray = ImageDecoder.toChannels(rgb, 1);
 * }</pre>
 */
public final class ImageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);

    private ImageDecoder() {}

    /**
     * Reads and decodes an image file.
     *
     * @throws UnreadableExampleException naming the file if it is not a decodable image
     * @throws IOException if the file cannot be read at all
     */
    public static PixelImage read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return decode(bytes, file, "");
    }

    /**
     * Decodes encoded image bytes.
     *
     * @param file for messages: the file holding the bytes
     * @param item for messages: which example (e.g. a record), or "" when the file is the image
     * @throws UnreadableExampleException when the bytes are not a complete image of a supported format
     */
    public static PixelImage decode(byte[] encoded, Path file, String item) throws UnreadableExampleException {
        if (encoded.length == 0) throw new UnreadableExampleException(file, item, "empty image data", null);
        BufferedImage img;
        List<String> warnings = new ArrayList<>();
        // A memory-cached stream: ImageIO.createImageInputStream would spool to temp files.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnreadableExampleException(file, item, "not an image of a supported format (JPEG, PNG, BMP, GIF); "
                        + "first bytes " + hex(encoded, 8), null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                img = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (UnreadableExampleException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new UnreadableExampleException(file, item, "cannot decode image: " + e.getMessage(), e);
        }
        for (String w : warnings) {
            String lw = w.toLowerCase(java.util.Locale.ROOT);
            if (lw.contains("truncated") || lw.contains("premature end")) {
                throw new UnreadableExampleException(file, item, "truncated image (" + String.join("; ", warnings) + ")", null);
            }
        }
        if (!warnings.isEmpty()) LOG.warn("{}{}: decoded with warnings: {}", file, item.isEmpty() ? "" : " " + item, warnings);
        if (img == null) throw new UnreadableExampleException(file, item, "decoder returned no image", null);
        return toPixels(img);
    }

    /** Width and height of an image file from its header, without decoding the pixels. */
    public static int[] probeSize(Path file) throws IOException {
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnreadableExampleException(file, "", "not an image of a supported format (JPEG, PNG, BMP, GIF)", null);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } catch (IOException | RuntimeException e) {
                throw new UnreadableExampleException(file, "", "cannot read image header: " + e.getMessage(), e);
            } finally {
                reader.dispose();
            }
        }
    }

    /** Converts a BufferedImage to 8-bit gray or RGB pixels. */
    public static PixelImage toPixels(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        int bands = raster.getNumBands();
        boolean direct8 = cm instanceof ComponentColorModel && raster.getTransferType() == DataBuffer.TYPE_BYTE;
        int colorType = cm.getColorSpace().getType();
        if (direct8 && colorType == ColorSpace.TYPE_GRAY && (bands == 1 || bands == 2)) {
            byte[] out = new byte[w * h];
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) out[y * w + x] = (byte) row[x];
            }
            return new PixelImage(w, h, 1, out);
        }
        byte[] out = new byte[w * h * 3];
        if (direct8 && cm.getColorSpace().isCS_sRGB() && (bands == 3 || bands == 4)) {
            int[] row = new int[w];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, c, row);
                    for (int x = 0; x < w; x++) out[(y * w + x) * 3 + c] = (byte) row[x];
                }
            }
        } else {
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                out[i * 3] = (byte) (argb[i] >> 16);
                out[i * 3 + 1] = (byte) (argb[i] >> 8);
                out[i * 3 + 2] = (byte) argb[i];
            }
        }
        return new PixelImage(w, h, 3, out);
    }

    /**
     * The image with {@code channels} channels: gray is replicated to RGB; RGB becomes gray as
     * {@code round(0.299 R + 0.587 G + 0.114 B)} (ITU-R BT.601, what OpenCV uses).
     */
    public static PixelImage toChannels(PixelImage img, int channels) {
        if (img.channels() == channels) return img;
        int n = img.width() * img.height();
        byte[] src = img.hwc();
        byte[] out = new byte[n * channels];
        if (channels == 3) {
            for (int i = 0; i < n; i++) {
                out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = src[i];
            }
        } else if (channels == 1) {
            for (int i = 0; i < n; i++) {
                int r = src[i * 3] & 0xff;
                int g = src[i * 3 + 1] & 0xff;
                int b = src[i * 3 + 2] & 0xff;
                out[i] = (byte) ((r * 299 + g * 587 + b * 114 + 500) / 1000);
            }
        } else {
            throw new IllegalArgumentException("only 1 or 3 channels, got " + channels);
        }
        return new PixelImage(img.width(), img.height(), channels, out);
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) sb.append(String.format("%02x", b[i] & 0xff));
        return sb.toString();
    }
}
