package org.quantize4j.data;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

public class DatasetsTest {
    private Path dir;

    @BeforeMethod
    public void makeDir() throws IOException {
        dir = Files.createTempDirectory("datasets-test");
    }

    @AfterMethod(alwaysRun = true)
    public void removeDir() throws IOException {
        DataTestFiles.deleteTree(dir);
    }

    @Test
    public void detectsKindsByContent() throws IOException {
        List<DataTestFiles.Example> ex = DataTestFiles.writeImageFolder(dir.resolve("imgs"), 1, 1, 2, 2, "png", 1);
        assertEquals(Datasets.detect(dir.resolve("imgs")), DatasetKind.IMAGE_FOLDER);
        Path rec = dir.resolve("renamed.bin");
        DataTestFiles.writeRecordIO(rec, null, ex, "png");
        assertEquals(Datasets.detect(rec), DatasetKind.RECORDIO);
        Path npy = dir.resolve("array.data");
        DataTestFiles.writeNpy(npy, new long[] {1, 1}, new float[] {1});
        assertEquals(Datasets.detect(npy), DatasetKind.NPY);
        assertEquals(Datasets.detect(IdxTestFiles.fashionMnist("t10k-images-idx3-ubyte.gz")), DatasetKind.IDX);
        Path other = Files.writeString(dir.resolve("notes.txt"), "hello");
        DatasetFormatException e = expectThrows(DatasetFormatException.class, () -> Datasets.detect(other));
        assertTrue(e.getMessage().contains("not a dataset"), e.getMessage());
        DatasetFormatException labels = expectThrows(DatasetFormatException.class,
                () -> Datasets.detect(IdxTestFiles.fashionMnist("t10k-labels-idx1-ubyte.gz")));
        assertTrue(labels.getMessage().contains("labels file"), labels.getMessage());
        expectThrows(NoSuchFileException.class, () -> Datasets.detect(dir.resolve("missing")));
    }

    @Test
    public void idxThroughDatasetsMatchesIdxDatasetAndShufflesAPermutation() throws IOException {
        Path images = IdxTestFiles.fashionMnist("train320-images-idx3-ubyte.gz");
        Normalization n = Normalization.of(1 / 255.0, 0.2860f, 0.3530f);
        List<Integer> streamedLabels = new ArrayList<>();
        List<float[]> streamed;
        try (Dataset ds = Datasets.open(images, DatasetOptions.defaults().withNormalization(n))) {
            assertEquals(ds.kind(), DatasetKind.IDX);
            assertTrue(ds.labeled());
            assertEquals(ds.exampleShape(), new long[] {1, 28, 28});
            streamed = ImageFolderDatasetTest.rows(ds, 100, streamedLabels);
        }
        // Against the raw bytes of the file.
        byte[] raw = IdxTestFiles.gunzip(images);
        for (int i : new int[] {0, 17, 319}) {
            for (int k = 0; k < 784; k += 37) {
                assertEquals(streamed.get(i)[k], ((raw[16 + i * 784 + k] & 0xff) / 255f - 0.2860f) / 0.3530f, 1e-6f);
            }
        }
        List<Integer> shuffledLabels = new ArrayList<>();
        List<float[]> shuffled;
        try (Dataset ds = Datasets.open(images, DatasetOptions.defaults().withNormalization(n).withShuffle(true, 5))) {
            shuffled = ImageFolderDatasetTest.rows(ds, 100, shuffledLabels);
        }
        assertNotEquals(shuffledLabels, streamedLabels);
        // Each shuffled row is some streamed row with the same label: sort both by content and compare.
        Comparator<float[]> byContent = (a, b) -> Arrays.compare(a, b);
        List<float[]> s1 = new ArrayList<>(streamed);
        List<float[]> s2 = new ArrayList<>(shuffled);
        s1.sort(byContent);
        s2.sort(byContent);
        for (int i = 0; i < s1.size(); i++) assertEquals(s2.get(i), s1.get(i));
        List<Integer> l1 = new ArrayList<>(streamedLabels);
        List<Integer> l2 = new ArrayList<>(shuffledLabels);
        l1.sort(null);
        l2.sort(null);
        assertEquals(l2, l1);

        DatasetFormatException e = expectThrows(DatasetFormatException.class,
                () -> Datasets.open(images, DatasetOptions.defaults().withDataShape(3, 28, 28)));
        assertTrue(e.getMessage().contains("data shape"), e.getMessage());
    }
}
