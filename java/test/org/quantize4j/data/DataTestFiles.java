package org.quantize4j.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.Npy;

/**
 * Writes small datasets for tests: image folders (PNG/JPEG), RecordIO .rec/.idx made by our writer,
 * .npy arrays. The images' pixels are known to the test, so decoded values can be checked against
 * what was written.
 *
 * <pre>{@code
 * List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir, 2, 3, 6, 4, "png", 1);
 * DataTestFiles.writeRecordIO(dir.resolve("d.rec"), dir.resolve("d.idx"), ex, "png");
 * }</pre>
 */
public final class DataTestFiles {
    private DataTestFiles() {}

    /** One written image: where, its class, and its pixels. */
    public record Example(Path file, int label, BufferedImage image) {
        /** R, G or B (c = 0, 1, 2) at (x, y), 0..255. */
        public int rgb(int x, int y, int c) {
            return (image.getRGB(x, y) >> (16 - 8 * c)) & 0xff;
        }
    }

    /** An RGB image of random pixels (noisy: good for lossless PNG checks). */
    public static BufferedImage randomImage(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, r.nextInt(1 << 24));
        }
        return img;
    }

    /** A smooth RGB gradient (JPEG reproduces it within a few levels). */
    public static BufferedImage smoothImage(int w, int h, long seed) {
        Random r = new Random(seed);
        int base = r.nextInt(100);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int red = base + 100 * x / w;
                int green = base + 100 * y / h;
                int blue = 200 - base / 2 - 50 * (x + y) / (w + h);
                img.setRGB(x, y, red << 16 | green << 8 | blue);
            }
        }
        return img;
    }

    /** Encodes an image as "png" or "jpg" (JPEG at quality 0.95). */
    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            if (format.equals("png")) {
                ImageIO.write(img, "png", bytes);
            } else {
                ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
                ImageWriteParam p = w.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(0.95f);
                try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                    w.setOutput(out);
                    w.write(null, new IIOImage(img, null, null), p);
                } finally {
                    w.dispose();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code classes} subfolders {@code class0, class1, ...} of {@code perClass} images
     * {@code img0.EXT ...} of size {@code w x h}; random pixels for PNG, smooth ones for JPEG.
     */
    public static List<Example> writeImageFolder(Path dir, int classes, int perClass, int w, int h, String format,
                                                 long seed) throws IOException {
        List<Example> out = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            Path sub = Files.createDirectories(dir.resolve("class" + c));
            for (int i = 0; i < perClass; i++) {
                long s = seed * 1000 + c * 100 + i;
                BufferedImage img = format.equals("png") ? randomImage(w, h, s) : smoothImage(w, h, s);
                Path f = sub.resolve("img" + i + "." + format);
                Files.write(f, encode(img, format));
                out.add(new Example(f, c, img));
            }
        }
        return out;
    }

    /** Writes the examples as im2rec would: record i = IRHeader(label, id i) + encoded image; idx beside. */
    public static void writeRecordIO(Path rec, Path idx, List<Example> examples, String format) throws IOException {
        try (RecordIOWriter w = RecordIOWriter.create(rec, idx)) {
            for (int i = 0; i < examples.size(); i++) {
                Example e = examples.get(i);
                w.write(i, ImageRecord.of(e.label(), i, encode(e.image(), format)).pack());
            }
            w.commit();
        }
    }

    /** Writes a float32 array of {@code shape} with the given values. */
    public static void writeNpy(Path file, long[] shape, float[] values) {
        Npy.write(file, NDArray.ofFloats(shape, values));
    }

    /** Writes int64 labels (what numpy gives for a Python int list). */
    public static void writeLabelsNpy(Path file, int[] labels) {
        NDArray a = NDArray.zeros(new long[] {labels.length}, DType.INT64);
        for (int i = 0; i < labels.length; i++) a.buffer().putLong(i * 8, labels[i]);
        Npy.write(file, a);
    }

    /** Deletes a folder tree (test clean-up). */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
