package org.quantize4j.data;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

public class RecordIODatasetTest {
    private static final DatasetOptions RAW = DatasetOptions.defaults().withNormalization(Normalization.scaleOnly(1.0));
    private Path dir;

    @BeforeMethod
    public void makeDir() throws IOException {
        dir = Files.createTempDirectory("rec-test");
    }

    @AfterMethod(alwaysRun = true)
    public void removeDir() throws IOException {
        DataTestFiles.deleteTree(dir);
    }

    @Test
    public void recordsDecodeToTheWrittenPixelsAndLabels() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir.resolve("imgs"), 3, 3, 6, 5, "png", 1);
        Path rec = dir.resolve("calib.rec");
        DataTestFiles.writeRecordIO(rec, dir.resolve("calib.idx"), ex, "png");
        for (Path open : new Path[] {rec, dir.resolve("calib.idx")}) {
            try (Dataset ds = Datasets.open(open, RAW)) {
                assertEquals(ds.kind(), DatasetKind.RECORDIO);
                assertEquals(((RecordIODataset) ds).indexFile(), dir.resolve("calib.idx"));
                assertEquals(ds.size(), 9);
                assertEquals(ds.exampleShape(), new long[] {3, 5, 6});
                List<Integer> labels = new ArrayList<>();
                List<float[]> rows = ImageFolderDatasetTest.rows(ds, 4, labels);
                assertEquals(rows.size(), 9);
                for (int i = 0; i < 9; i++) {
                    assertEquals((int) labels.get(i), ex.get(i).label());
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < 5; y++) {
                            for (int x = 0; x < 6; x++) {
                                assertEquals(rows.get(i)[(c * 5 + y) * 6 + x], (float) ex.get(i).rgb(x, y, c), "record " + i);
                            }
                        }
                    }
                }
            }
        }
        // Same pixels as the folder with the same options (crop + BGR + normalization).
        DatasetOptions o = DatasetOptions.defaults().withDataShape(3, 4, 4).withChannelOrder(ChannelOrder.BGR)
                .withNormalization(new Normalization(1 / 255.0, new float[] {0.4f, 0.5f, 0.6f}, new float[] {0.2f, 0.3f, 0.4f}));
        try (Dataset a = Datasets.open(rec, o); Dataset b = Datasets.open(dir.resolve("imgs"), o)) {
            List<float[]> ra = ImageFolderDatasetTest.rows(a, 5, null);
            List<float[]> rb = ImageFolderDatasetTest.rows(b, 5, null);
            for (int i = 0; i < 9; i++) assertEquals(ra.get(i), rb.get(i), "record " + i);
        }
    }

    @Test
    public void truncatedRecFailsAtOpenNamingTheFile() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir.resolve("imgs"), 2, 2, 4, 4, "png", 2);
        Path rec = dir.resolve("t.rec");
        DataTestFiles.writeRecordIO(rec, null, ex, "png");
        byte[] full = Files.readAllBytes(rec);
        Files.write(rec, Arrays.copyOf(full, full.length - 7));
        DatasetFormatException e = expectThrows(DatasetFormatException.class, () -> Datasets.open(rec, RAW));
        assertTrue(e.getMessage().startsWith(rec.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    public void indexPointingPastTheEndIsAnError() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir.resolve("imgs"), 1, 3, 4, 4, "png", 3);
        Path rec = dir.resolve("d.rec");
        Path idx = dir.resolve("d.idx");
        DataTestFiles.writeRecordIO(rec, idx, ex, "png");
        List<String> lines = Files.readAllLines(idx);
        long size = Files.size(rec);
        Files.write(idx, List.of(lines.get(0), lines.get(1), "2\t" + (size + 100)));
        DatasetFormatException e = expectThrows(DatasetFormatException.class, () -> Datasets.open(rec, RAW));
        assertTrue(e.getMessage().startsWith(idx.toString()) && e.getMessage().contains("past the end"), e.getMessage());
    }

    @Test
    public void corruptImageRecordFailsOrIsSkipped() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir.resolve("imgs"), 2, 2, 4, 4, "png", 4);
        Path rec = dir.resolve("c.rec");
        try (RecordIOWriter w = RecordIOWriter.create(rec, null)) {
            for (int i = 0; i < 4; i++) {
                byte[] img = i == 2 ? "not an image at all".getBytes() : DataTestFiles.encode(ex.get(i).image(), "png");
                w.write(i, ImageRecord.of(ex.get(i).label(), i, img).pack());
            }
            w.commit();
        }
        try (Dataset ds = Datasets.open(rec, RAW); DataIter it = ds.iterator(4)) {
            UncheckedIOException u = expectThrows(UncheckedIOException.class, it::next);
            assertTrue(u.getMessage().contains(rec.toString()) && u.getMessage().contains("record 2"), u.getMessage());
        }
        try (Dataset ds = Datasets.open(rec, RAW.withSkipUnreadable(true))) {
            List<Integer> labels = new ArrayList<>();
            List<float[]> rows = ImageFolderDatasetTest.rows(ds, 4, labels);
            assertEquals(labels, List.of(0, 0, 1));
            assertEquals(rows.get(2)[0], (float) ex.get(3).rgb(0, 0, 0));
            assertEquals(ds.skipped(), 1);
            assertTrue(ds.skippedItems().get(0).contains("record 2"), ds.skippedItems().toString());
        }
    }

    @Test
    public void imagesOfAnotherSizeNeedADataShape() throws IOException {
        List<DataTestFiles.Example> ex = new ArrayList<>(DataTestFiles.writeImageFolder(dir.resolve("a"), 1, 2, 6, 6, "png", 5));
        ex.addAll(DataTestFiles.writeImageFolder(dir.resolve("b"), 1, 1, 8, 7, "png", 6));
        Path rec = dir.resolve("s.rec");
        DataTestFiles.writeRecordIO(rec, null, ex, "png");
        try (Dataset ds = Datasets.open(rec, RAW); DataIter it = ds.iterator(3)) {
            UncheckedIOException u = expectThrows(UncheckedIOException.class, it::next);
            assertTrue(u.getMessage().contains("record 2") && u.getMessage().contains("8x7")
                    && u.getMessage().contains("data shape"), u.getMessage());
        }
        try (Dataset ds = Datasets.open(rec, RAW.withDataShape(3, 6, 6)); DataIter it = ds.iterator(3)) {
            assertEquals(it.next().count(), 3);
        }
    }
}
