package org.quantize4j.data;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

public class ImageFolderDatasetTest {
    private static final DatasetOptions RAW = DatasetOptions.defaults().withNormalization(Normalization.scaleOnly(1.0));
    private Path dir;

    @BeforeMethod
    public void makeDir() throws IOException {
        dir = Files.createTempDirectory("folder-test");
    }

    @AfterMethod(alwaysRun = true)
    public void removeDir() throws IOException {
        DataTestFiles.deleteTree(dir);
    }

    /** All batches' valid rows as float arrays, and the labels. */
    static List<float[]> rows(Dataset ds, int batch, List<Integer> labels) {
        int n = Math.toIntExact(Arrays.stream(ds.exampleShape()).reduce(1, (a, b) -> a * b));
        List<float[]> out = new ArrayList<>();
        try (DataIter it = ds.iterator(batch)) {
            while (it.hasNext()) {
                DataBatch b = it.next();
                assertEquals(b.data().shape(), ds.batchShape(batch));
                FloatBuffer f = b.data().floatView();
                for (int r = 0; r < b.batchSize(); r++) {
                    float[] row = new float[n];
                    f.get(r * n, row);
                    if (r < b.count()) {
                        out.add(row);
                        if (labels != null) labels.add(b.labels()[r]);
                    } else {
                        for (float v : row) assertEquals(v, 0f, "padding rows are zero");
                    }
                }
            }
        }
        return out;
    }

    @Test
    public void pngPixelsAndLabelsAreWhatWasWritten() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir, 3, 2, 5, 4, "png", 1);
        Files.writeString(dir.resolve("class1").resolve("README.txt"), "not an image");
        try (Dataset ds = Datasets.open(dir, RAW)) {
            assertEquals(ds.kind(), DatasetKind.IMAGE_FOLDER);
            assertEquals(ds.size(), 6);
            assertEquals(ds.exampleShape(), new long[] {3, 4, 5});
            assertEquals(((ImageFolderDataset) ds).classNames(), List.of("class0", "class1", "class2"));
            List<Integer> labels = new ArrayList<>();
            List<float[]> rows = rows(ds, 4, labels);
            assertEquals(rows.size(), 6);
            for (int i = 0; i < 6; i++) {
                DataTestFiles.Example e = ex.get(i);
                assertEquals((int) labels.get(i), e.label());
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 4; y++) {
                        for (int x = 0; x < 5; x++) {
                            assertEquals(rows.get(i)[(c * 4 + y) * 5 + x], (float) e.rgb(x, y, c),
                                    e.file() + " c" + c + " y" + y + " x" + x);
                        }
                    }
                }
            }
        }
    }

    @Test
    public void bgrGrayAndNormalizationMatchHandComputedValues() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir, 1, 1, 3, 2, "png", 2);
        DataTestFiles.Example e = ex.get(0);
        float[] mean = {0.5f, 0.25f, 0.125f};
        float[] std = {0.2f, 0.4f, 0.8f};
        DatasetOptions o = DatasetOptions.defaults().withChannelOrder(ChannelOrder.BGR)
                .withNormalization(new Normalization(1 / 255.0, mean, std));
        try (Dataset ds = Datasets.open(dir, o)) {
            float[] row = rows(ds, 1, null).get(0);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 2; y++) {
                    for (int x = 0; x < 3; x++) {
                        int src = e.rgb(x, y, 2 - c);   // fed channel c is B, G, R
                        float expected = (src / 255f - mean[c]) / std[c];
                        assertEquals(row[(c * 2 + y) * 3 + x], expected, 1e-6f, "c" + c + " y" + y + " x" + x);
                    }
                }
            }
        }
        try (Dataset ds = Datasets.open(dir, RAW.withDataShape(1, 2, 3))) {
            float[] row = rows(ds, 1, null).get(0);
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    double gray = 0.299 * e.rgb(x, y, 0) + 0.587 * e.rgb(x, y, 1) + 0.114 * e.rgb(x, y, 2);
                    assertEquals(row[y * 3 + x], (float) Math.round(gray), 0f, "gray y" + y + " x" + x);
                }
            }
        }
    }

    @Test
    public void resizeAndCenterCropMatchHandComputedReference() throws IOException {
        // 8x4 image; resize shorter side to 2 -> 4x2 (each output pixel = mean of a 2x2 block), crop 2x2 at x=1.
        BufferedImage img = new BufferedImage(8, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 8; x++) img.setRGB(x, y, (x * 30) << 16 | (y * 60) << 8 | (x * 10 + y * 20));
        }
        Files.createDirectories(dir.resolve("a"));
        Files.write(dir.resolve("a/one.png"), DataTestFiles.encode(img, "png"));
        try (Dataset ds = Datasets.open(dir, RAW.withDataShape(3, 2, 2).withResize(2))) {
            float[] row = rows(ds, 2, null).get(0);
            for (int c = 0; c < 3; c++) {
                for (int oy = 0; oy < 2; oy++) {
                    for (int ox = 0; ox < 2; ox++) {
                        int bx = (ox + 1) * 2;   // crop offset (4 - 2) / 2 = 1 block
                        int by = oy * 2;
                        double sum = 0;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) sum += (img.getRGB(bx + dx, by + dy) >> (16 - 8 * c)) & 0xff;
                        }
                        assertEquals(row[(c * 2 + oy) * 2 + ox], (float) Math.round(sum / 4), 0f, "c" + c + " " + ox + "," + oy);
                    }
                }
            }
        }
        // Upscaling 2 pixels [0, 100] to 4: OpenCV's pixel-center mapping gives 0, 25, 75, 100.
        PixelImage two = new PixelImage(2, 1, 1, new byte[] {0, 100});
        PixelImage four = ImageTransform.resizeBilinear(two, 4, 1);
        assertEquals(four.hwc(), new byte[] {0, 25, 75, 100});
        assertEquals(ImageTransform.shorterSideSize(500, 375, 256), new int[] {341, 256});
        assertEquals(ImageTransform.shorterSideSize(375, 500, 256), new int[] {256, 341});
    }

    @Test
    public void jpegDecodesCloseToWhatWasWritten() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir, 2, 2, 32, 24, "jpg", 3);
        try (Dataset ds = Datasets.open(dir, RAW)) {
            List<float[]> rows = rows(ds, 3, null);
            for (int i = 0; i < rows.size(); i++) {
                double sumAbs = 0;
                int max = 0;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 24; y++) {
                        for (int x = 0; x < 32; x++) {
                            int d = (int) Math.abs(rows.get(i)[(c * 24 + y) * 32 + x] - ex.get(i).rgb(x, y, c));
                            sumAbs += d;
                            max = Math.max(max, d);
                        }
                    }
                }
                assertTrue(max <= 16 && sumAbs / (3 * 24 * 32) < 3, ex.get(i).file() + ": max " + max + " mean " + sumAbs / (3 * 24 * 32));
            }
        }
    }

    @Test
    public void unreadableImagesFailNamingTheFileOrAreSkippedAndCounted() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir, 2, 3, 4, 4, "png", 4);
        Path garbage = dir.resolve("class0/zz-garbage.png");
        Files.writeString(garbage, "this is not a png");
        Path empty = dir.resolve("class1/empty.jpg");
        Files.write(empty, new byte[0]);

        UnreadableExampleException e = expectThrows(UnreadableExampleException.class, () -> Datasets.open(dir, RAW));
        assertTrue(e.getMessage().contains(garbage.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("skip-unreadable"), e.getMessage());

        try (Dataset ds = Datasets.open(dir, RAW.withSkipUnreadable(true))) {
            assertEquals(ds.size(), 6);
            assertEquals(ds.skipped(), 2);
            assertTrue(ds.skippedItems().get(0).contains("zz-garbage.png"), ds.skippedItems().toString());
            List<Integer> labels = new ArrayList<>();
            List<float[]> rows = rows(ds, 4, labels);
            assertEquals(labels, List.of(0, 0, 0, 1, 1, 1));
            assertEquals(rows.get(3)[0], (float) ex.get(3).rgb(0, 0, 0));
        }
    }

    @Test
    public void truncatedImageFailsTheBatchOrIsSkippedWithoutShiftingLabels() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir, 2, 2, 64, 64, "jpg", 5);
        // class0/img1.jpg: header intact, data cut: passes the header probe, fails when decoded.
        Path cut = ex.get(1).file();
        byte[] full = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(full, full.length - 40));

        try (Dataset ds = Datasets.open(dir, RAW)) {
            assertEquals(ds.size(), 4);
            try (DataIter it = ds.iterator(4)) {
                UncheckedIOException u = expectThrows(UncheckedIOException.class, it::next);
                assertTrue(u.getMessage().contains(cut.toString()) && u.getMessage().contains("truncated"), u.getMessage());
                expectThrows(IllegalStateException.class, it::next);   // no half batch after a failure
            }
        }
        try (Dataset ds = Datasets.open(dir, RAW.withSkipUnreadable(true).withThreads(3))) {
            List<Integer> labels = new ArrayList<>();
            List<float[]> rows = rows(ds, 2, labels);
            assertEquals(labels, List.of(0, 1, 1));
            assertEquals(ds.skipped(), 1);
            // Row 1 is class1/img0 (moved up over the skipped image), within JPEG error.
            assertEquals(rows.get(1)[0], ex.get(2).rgb(0, 0, 0), 16f);
        }
    }

    @Test
    public void mismatchedSizesAreClearErrors() throws IOException {
        DataTestFiles.writeImageFolder(dir, 1, 2, 6, 6, "png", 6);
        Path odd = dir.resolve("class0/odd.png");
        Files.write(odd, DataTestFiles.encode(DataTestFiles.randomImage(5, 7, 1), "png"));
        DatasetFormatException e = expectThrows(DatasetFormatException.class, () -> Datasets.open(dir, RAW));
        assertTrue(e.getMessage().contains("odd.png") && e.getMessage().contains("5x7") && e.getMessage().contains("data shape"),
                e.getMessage());
        // With a data shape: larger images are cropped, a smaller one is an error suggesting --resize.
        e = expectThrows(DatasetFormatException.class, () -> Datasets.open(dir, RAW.withDataShape(3, 6, 6)));
        assertTrue(e.getMessage().contains("odd.png") && e.getMessage().contains("smaller") && e.getMessage().contains("resize"),
                e.getMessage());
        try (Dataset ds = Datasets.open(dir, RAW.withDataShape(3, 5, 5))) {
            assertEquals(rows(ds, 2, null).size(), 3);
        }
        try (Dataset ds = Datasets.open(dir, RAW.withDataShape(3, 4, 4).withResize(4))) {
            assertEquals(rows(ds, 2, null).size(), 3);
        }
    }

    @Test
    public void shuffleIsOffByDefaultAndReproducibleWithASeed() throws IOException {
        DataTestFiles.writeImageFolder(dir, 5, 4, 2, 2, "png", 7);
        List<Integer> fileOrder = new ArrayList<>();
        try (Dataset ds = Datasets.open(dir, RAW)) {
            rows(ds, 6, fileOrder);
        }
        List<Integer> sorted = new ArrayList<>(fileOrder);
        sorted.sort(null);
        assertEquals(fileOrder, sorted, "file order: labels ascending");

        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        List<Integer> c = new ArrayList<>();
        List<float[]> rowsA;
        List<float[]> rowsSingle;
        try (Dataset ds = Datasets.open(dir, RAW.withShuffle(true, 11).withThreads(3))) {
            rowsA = rows(ds, 6, a);
        }
        try (Dataset ds = Datasets.open(dir, RAW.withShuffle(true, 11))) {
            rowsSingle = rows(ds, 6, b);
        }
        try (Dataset ds = Datasets.open(dir, RAW.withShuffle(true, 12))) {
            rows(ds, 6, c);
        }
        assertEquals(a, b, "same seed, same order (thread count does not matter)");
        for (int i = 0; i < rowsA.size(); i++) assertEquals(rowsA.get(i), rowsSingle.get(i));
        assertNotEquals(a, fileOrder);
        assertNotEquals(a, c);
        List<Integer> aSorted = new ArrayList<>(a);
        aSorted.sort(null);
        assertEquals(aSorted, sorted, "a permutation of all examples");

        // reset() starts a new pass with a new permutation, the same sequence for the same seed.
        try (Dataset ds = Datasets.open(dir, RAW.withShuffle(true, 11)); DataIter it = ds.iterator(20)) {
            int[] first = it.next().labels();
            it.reset();
            int[] second = it.next().labels();
            assertEquals(Arrays.stream(first).boxed().toList(), a);
            assertNotEquals(second, first);
        }
    }

    @Test
    public void flatFolderIsUnlabeledAndEmptyFolderIsAnError() throws IOException {
        DatasetFormatException e = expectThrows(DatasetFormatException.class, () -> Datasets.open(dir, RAW));
        assertTrue(e.getMessage().contains("no images"), e.getMessage());
        Files.write(dir.resolve("a.png"), DataTestFiles.encode(DataTestFiles.randomImage(3, 3, 1), "png"));
        try (Dataset ds = Datasets.open(dir, RAW)) {
            assertEquals(ds.size(), 1);
            assertEquals(ds.labeled(), false);
            try (DataIter it = ds.iterator(2)) {
                assertNull(it.next().labels());
            }
        }
    }
}
