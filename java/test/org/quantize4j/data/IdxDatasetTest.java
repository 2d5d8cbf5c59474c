package org.quantize4j.data;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

public class IdxDatasetTest {
    private Path dir;

    @BeforeMethod
    public void makeDir() throws IOException {
        dir = Files.createTempDirectory("idx-test");
    }

    @AfterMethod(alwaysRun = true)
    public void removeDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @Test
    public void readsBundledFashionMnistTestSet() throws IOException {
        Path images = IdxTestFiles.fashionMnist("t10k-images-idx3-ubyte.gz");
        byte[] rawImages = IdxTestFiles.gunzip(images);
        byte[] rawLabels = IdxTestFiles.gunzip(IdxTestFiles.fashionMnist("t10k-labels-idx1-ubyte.gz"));

        IdxDataset ds = IdxDataset.open(images);
        assertEquals(ds.count(), 10000);
        assertEquals(ds.rows(), 28);
        assertEquals(ds.cols(), 28);
        assertEquals(ds.labelsFile(), IdxTestFiles.fashionMnist("t10k-labels-idx1-ubyte.gz"));
        int[] labels = ds.labels();
        assertEquals(labels.length, 10000);
        for (int i = 0; i < labels.length; i++) assertEquals(labels[i], rawLabels[8 + i] & 0xff, "label " + i);

        // Identity normalization: values are the raw pixels, compared with the bytes after the 16-byte header.
        int seen = 0;
        float max = 0;
        try (DataIter it = ds.iterator(1000, Normalization.scaleOnly(1.0))) {
            assertEquals(it.size(), 10000);
            while (it.hasNext()) {
                DataBatch b = it.next();
                assertEquals(b.count(), 1000);
                assertEquals(b.data().shape(), new long[] {1000, 1, 28, 28});
                FloatBuffer f = b.data().floatView();
                for (int i = 0; i < f.limit(); i++) {
                    float v = f.get(i);
                    assertEquals(v, (float) (rawImages[16 + seen * 784 + i] & 0xff), "pixel " + i + " of batch at " + seen);
                    max = Math.max(max, v);
                }
                for (int r = 0; r < b.count(); r++) assertEquals(b.labels()[r], rawLabels[8 + seen + r] & 0xff);
                seen += b.count();
            }
        }
        assertEquals(seen, 10000);
        assertEquals(max, 255f);
    }

    @Test
    public void defaultScaleMapsPixelsIntoUnitRange() throws IOException {
        IdxDataset ds = IdxDataset.open(IdxTestFiles.fashionMnist("train320-images-idx3-ubyte.gz"));
        assertEquals(ds.count(), 320);
        try (DataIter it = ds.iterator(320, Normalization.scaleOnly(Normalization.DEFAULT_SCALE))) {
            FloatBuffer f = it.next().data().floatView();
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            while (f.hasRemaining()) {
                float v = f.get();
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertEquals(min, 0f);
            assertEquals(max, 1f);
            assertFalse(it.hasNext());
        }
    }

    @Test
    public void gzipAndPlainFilesGiveTheSameBatchesAndPadTheLastOne() throws IOException {
        int n = 5, rows = 3, cols = 2;
        byte[] pixels = IdxTestFiles.pixels(n * rows * cols);
        byte[] labelValues = {7, 0, 9, 3, 255 - 256};
        byte[] img = IdxTestFiles.images(n, rows, cols, pixels);
        for (boolean gz : new boolean[] {false, true}) {
            String suffix = gz ? ".gz" : "";
            Path images = IdxTestFiles.write(dir.resolve("s" + gz + "-images-idx3-ubyte" + suffix), img, gz);
            IdxTestFiles.write(dir.resolve("s" + gz + "-labels-idx1-ubyte" + suffix), IdxTestFiles.labels(n, labelValues), gz);
            IdxDataset ds = IdxDataset.open(images);
            assertEquals(ds.count(), n);
            assertEquals(ds.labels(), new int[] {7, 0, 9, 3, 255});
            try (DataIter it = ds.iterator(2, Normalization.scaleOnly(1.0))) {
                int[] counts = new int[3];
                for (int bi = 0; bi < 3; bi++) {
                    assertTrue(it.hasNext());
                    DataBatch b = it.next();
                    counts[bi] = b.count();
                    assertEquals(b.batchSize(), 2);
                    FloatBuffer f = b.data().floatView();
                    assertEquals(f.limit(), 2 * rows * cols);
                    for (int i = 0; i < f.limit(); i++) {
                        int image = bi * 2 + i / (rows * cols);
                        float expected = image < n ? pixels[bi * 2 * rows * cols + i] & 0xff : 0f;
                        assertEquals(f.get(i), expected, "batch " + bi + " element " + i);
                    }
                    assertEquals(b.labels().length, b.count());
                }
                assertEquals(counts, new int[] {2, 2, 1});
                assertFalse(it.hasNext());
                it.reset();
                DataBatch again = it.next();
                assertEquals(again.data().getFloat(0), (float) (pixels[0] & 0xff));
                assertEquals(again.labels(), new int[] {7, 0});
            }
        }
    }

    @Test
    public void truncatedPlainFileFailsAtOpenNamingTheFile() throws IOException {
        byte[] img = IdxTestFiles.images(4, 2, 2, IdxTestFiles.pixels(16));
        Path images = IdxTestFiles.write(dir.resolve("t-images-idx3-ubyte"), Arrays.copyOf(img, img.length - 3), false);
        IdxFormatException e = expectThrows(IdxFormatException.class, () -> IdxDataset.openUnlabeled(images));
        assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    public void truncatedGzipFileFailsWhileReadingNamingTheFile() throws IOException {
        byte[] img = IdxTestFiles.images(4, 2, 2, IdxTestFiles.pixels(16));
        Path images = IdxTestFiles.write(dir.resolve("t-images-idx3-ubyte.gz"), Arrays.copyOf(img, img.length - 3), true);
        IdxDataset ds = IdxDataset.openUnlabeled(images);
        try (DataIter it = ds.iterator(3, Normalization.scaleOnly(1.0))) {
            DataBatch first = it.next();
            assertEquals(first.count(), 3);
            assertNull(first.labels());
            UncheckedIOException e = expectThrows(UncheckedIOException.class, it::next);
            assertTrue(e.getCause() instanceof IdxFormatException, String.valueOf(e.getCause()));
            assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    public void truncatedHeaderFails() throws IOException {
        Path images = IdxTestFiles.write(dir.resolve("h-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0}, false);
        IdxFormatException e = expectThrows(IdxFormatException.class, () -> IdxDataset.openUnlabeled(images));
        assertTrue(e.getMessage().contains(images.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    public void wrongMagicFailsNamingTheFile() throws IOException {
        byte[] img = IdxTestFiles.images(1, 2, 2, IdxTestFiles.pixels(4));
        img[3] = 4;   // 0x804: four dimensions
        Path images = IdxTestFiles.write(dir.resolve("m-images-idx3-ubyte.gz"), img, true);
        IdxFormatException e = expectThrows(IdxFormatException.class, () -> IdxDataset.openUnlabeled(images));
        assertEquals(e.file(), images);
        assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000804") && e.getMessage().contains("0x00000803"), e.getMessage());
    }

    @Test
    public void labelsFileGivenAsImagesIsRecognised() throws IOException {
        Path labels = IdxTestFiles.write(dir.resolve("x-labels-idx1-ubyte"), IdxTestFiles.labels(2, new byte[] {1, 2}), false);
        IdxFormatException e = expectThrows(IdxFormatException.class, () -> IdxDataset.openUnlabeled(labels));
        assertTrue(e.getMessage().contains("labels file"), e.getMessage());
    }

    @Test
    public void countMismatchFailsNamingBothFiles() throws IOException {
        Path images = IdxTestFiles.write(dir.resolve("c-images-idx3-ubyte"),
                IdxTestFiles.images(3, 2, 2, IdxTestFiles.pixels(12)), false);
        Path labels = IdxTestFiles.write(dir.resolve("c-labels-idx1-ubyte"), IdxTestFiles.labels(2, new byte[] {1, 2}), false);
        IdxFormatException e = expectThrows(IdxFormatException.class, () -> IdxDataset.open(images));
        assertEquals(e.file(), labels);
        assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("2 labels") && e.getMessage().contains("3 images"), e.getMessage());
    }

    @Test
    public void truncatedLabelsFail() throws IOException {
        Path images = IdxTestFiles.write(dir.resolve("l-images-idx3-ubyte"),
                IdxTestFiles.images(3, 1, 1, IdxTestFiles.pixels(3)), false);
        byte[] lab = IdxTestFiles.labels(3, new byte[] {1, 2, 3});
        Path labels = IdxTestFiles.write(dir.resolve("l-labels-idx1-ubyte.gz"), Arrays.copyOf(lab, lab.length - 1), true);
        IdxFormatException e = expectThrows(IdxFormatException.class, () -> IdxDataset.open(images, labels));
        assertTrue(e.getMessage().contains(labels.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    public void findsLabelsWithOtherCompressionOrDottedNames() throws IOException {
        byte[] img = IdxTestFiles.images(2, 1, 1, new byte[] {1, 2});
        Path gzImages = IdxTestFiles.write(dir.resolve("a-images-idx3-ubyte.gz"), img, true);
        Path plainLabels = IdxTestFiles.write(dir.resolve("a-labels-idx1-ubyte"), IdxTestFiles.labels(2, new byte[] {4, 5}), false);
        assertEquals(IdxDataset.findLabels(gzImages), plainLabels);
        assertEquals(IdxDataset.open(gzImages).labels(), new int[] {4, 5});

        Path dotted = IdxTestFiles.write(dir.resolve("train-images.idx3-ubyte"), img, false);
        Path dottedLabels = IdxTestFiles.write(dir.resolve("train-labels.idx1-ubyte"), IdxTestFiles.labels(2, new byte[] {6, 7}), false);
        assertEquals(IdxDataset.findLabels(dotted), dottedLabels);

        // The same-compression candidate comes first.
        Path gzLabels = IdxTestFiles.write(dir.resolve("a-labels-idx1-ubyte.gz"), IdxTestFiles.labels(2, new byte[] {4, 5}), true);
        assertEquals(IdxDataset.findLabels(gzImages), gzLabels);
    }

    @Test
    public void missingLabelsNameTheTriedPathsAndTheOption() throws IOException {
        Path images = IdxTestFiles.write(dir.resolve("b-images-idx3-ubyte.gz"),
                IdxTestFiles.images(1, 1, 1, new byte[] {1}), true);
        NoSuchFileException e = expectThrows(NoSuchFileException.class, () -> IdxDataset.open(images));
        String m = e.getMessage();
        assertTrue(m.contains(dir.resolve("b-labels-idx1-ubyte.gz").toString()), m);
        assertTrue(m.contains(dir.resolve("b-labels-idx1-ubyte").toString()), m);
        assertTrue(m.contains("--labels"), m);

        Path odd = IdxTestFiles.write(dir.resolve("pictures.bin"), IdxTestFiles.images(1, 1, 1, new byte[] {1}), false);
        NoSuchFileException e2 = expectThrows(NoSuchFileException.class, () -> IdxDataset.open(odd));
        assertTrue(e2.getMessage().contains("--labels"), e2.getMessage());
    }

    @Test
    public void missingImagesFileIsReported() {
        Path images = dir.resolve("none-images-idx3-ubyte");
        NoSuchFileException e = expectThrows(NoSuchFileException.class, () -> IdxDataset.openUnlabeled(images));
        assertTrue(e.getMessage().contains(images.toString()), e.getMessage());
    }

    @Test
    public void rejectsBadBatchSizeAndChannelMismatch() throws IOException {
        Path images = IdxTestFiles.write(dir.resolve("v-images-idx3-ubyte"), IdxTestFiles.images(1, 1, 1, new byte[] {1}), false);
        IdxDataset ds = IdxDataset.openUnlabeled(images);
        expectThrows(IllegalArgumentException.class, () -> ds.iterator(0, Normalization.scaleOnly(1)));
        Normalization threeChannels = new Normalization(1, new float[] {0, 0, 0}, new float[] {1});
        expectThrows(IllegalArgumentException.class, () -> ds.iterator(1, threeChannels));
    }
}
