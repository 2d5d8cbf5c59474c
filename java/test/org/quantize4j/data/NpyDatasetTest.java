package org.quantize4j.data;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.Npy;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

public class NpyDatasetTest {
    private Path dir;

    @BeforeMethod
    public void makeDir() throws IOException {
        dir = Files.createTempDirectory("npy-test");
    }

    @AfterMethod(alwaysRun = true)
    public void removeDir() throws IOException {
        DataTestFiles.deleteTree(dir);
    }

    private static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) Math.sin(i * 0.37) * 3;
        return v;
    }

    @Test
    public void floatTensorsAreFedUnchangedWithLabelsFoundBeside() throws IOException {
        float[] v = values(5 * 2 * 3 * 2);
        Path data = dir.resolve("calib.npy");
        DataTestFiles.writeNpy(data, new long[] {5, 2, 3, 2}, v);
        DataTestFiles.writeLabelsNpy(dir.resolve("calib-labels.npy"), new int[] {4, 3, 2, 1, 0});
        try (Dataset ds = Datasets.open(data, DatasetOptions.defaults())) {
            assertEquals(ds.kind(), DatasetKind.NPY);
            assertEquals(ds.exampleShape(), new long[] {2, 3, 2});
            assertEquals(ds.labelsSource(), dir.resolve("calib-labels.npy").toString());
            List<Integer> labels = new ArrayList<>();
            List<float[]> rows = ImageFolderDatasetTest.rows(ds, 2, labels);
            assertEquals(labels, List.of(4, 3, 2, 1, 0));
            for (int i = 0; i < 5; i++) {
                for (int k = 0; k < 12; k++) assertEquals(rows.get(i)[k], v[i * 12 + k], "example " + i + " element " + k);
            }
        }
        // An explicit normalization applies: (x * 2 - mean[c]) / std[c].
        Normalization n = new Normalization(2.0, new float[] {1f, -1f}, new float[] {4f, 0.5f});
        try (Dataset ds = Datasets.open(data, DatasetOptions.defaults().withNormalization(n))) {
            float[] row = ImageFolderDatasetTest.rows(ds, 5, null).get(1);
            for (int k = 0; k < 12; k++) {
                int c = k / 6;
                float expected = ((float) (v[12 + k] * 2.0) - (c == 0 ? 1f : -1f)) / (c == 0 ? 4f : 0.5f);
                assertEquals(row[k], expected, 1e-6f);
            }
        }
    }

    @Test
    public void uint8PixelsGetThePixelDefault() throws IOException {
        NDArray a = NDArray.zeros(new long[] {2, 1, 2, 2}, DType.UINT8);
        for (int i = 0; i < 8; i++) a.buffer().put(i, (byte) (i * 30 + 15));
        Path data = dir.resolve("px.npy");
        Npy.write(data, a);
        try (Dataset ds = Datasets.open(data, DatasetOptions.defaults())) {
            assertFalse(ds.labeled());
            float[] row = ImageFolderDatasetTest.rows(ds, 2, null).get(1);
            for (int k = 0; k < 4; k++) assertEquals(row[k], ((4 + k) * 30 + 15) / 255f, 1e-7f);
        }
    }

    @Test
    public void mismatchesAreClearErrors() throws IOException {
        Path data = dir.resolve("d.npy");
        DataTestFiles.writeNpy(data, new long[] {3, 1, 2, 2}, values(12));
        DatasetFormatException e = expectThrows(DatasetFormatException.class,
                () -> Datasets.open(data, DatasetOptions.defaults().withDataShape(3, 2, 2)));
        assertTrue(e.getMessage().contains("[1, 2, 2]") && e.getMessage().contains("data shape"), e.getMessage());

        Path labels = dir.resolve("other.npy");
        DataTestFiles.writeLabelsNpy(labels, new int[] {1, 2});
        e = expectThrows(DatasetFormatException.class,
                () -> Datasets.open(data, DatasetOptions.defaults().withLabels(labels)));
        assertTrue(e.getMessage().startsWith(labels.toString()) && e.getMessage().contains("3 examples"), e.getMessage());

        e = expectThrows(DatasetFormatException.class, () -> Datasets.open(data, DatasetOptions.defaults().withResize(5)));
        assertTrue(e.getMessage().contains("resize"), e.getMessage());

        Path truncated = dir.resolve("t.npy");
        byte[] full = Files.readAllBytes(data);
        Files.write(truncated, java.util.Arrays.copyOf(full, full.length - 5));
        e = expectThrows(DatasetFormatException.class, () -> Datasets.open(truncated, DatasetOptions.defaults()));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
}
