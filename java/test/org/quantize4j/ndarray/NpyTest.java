package org.quantize4j.ndarray;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.quantize4j.ModelFormatException;
import org.quantize4j.TestFiles;
import org.testng.annotations.AfterClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

public class NpyTest {
    private final Path tmp;

    public NpyTest() throws IOException {
        tmp = Files.createTempDirectory("npy");
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        try (var s = Files.walk(tmp)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) Files.deleteIfExists(p);
        }
    }

    @DataProvider
    public Object[][] npyFiles() {
        List<Path> files = TestFiles.npyFiles();
        assertTrue(files.size() >= 16, "found " + files.size());
        return files.stream().map(p -> new Object[] {p}).toArray(Object[][]::new);
    }

    /** numpy wrote these; writing what we read must reproduce them exactly. */
    @Test(dataProvider = "npyFiles")
    public void roundTripIsByteIdentical(Path file) throws IOException {
        NDArray a = Npy.read(file);
        Path out = tmp.resolve(file.getFileName());
        Npy.write(out, a);
        assertEquals(Files.readAllBytes(out), Files.readAllBytes(file), file.toString());
    }

    @Test
    public void readsLogitsAndPredictions() {
        for (String model : TestFiles.FMNIST_MODELS) {
            NDArray logits = Npy.read(TestFiles.testModel(model + "-fp32-logits-test256.npy"));
            assertEquals(logits.shape(), new long[] {256, 10});
            assertEquals(logits.dtype(), DType.FLOAT32);
            NDArray pred = Npy.read(TestFiles.testModel(model + "-fp32-predictions.npy"));
            assertEquals(pred.shape(), new long[] {10000});
            assertEquals(pred.dtype(), DType.INT64);
            // Two oracle files agree: predictions of the first 256 images are the argmax of their logits.
            float[] l = logits.toFloatArray();
            ByteBuffer p = pred.buffer();
            int agree = 0;
            for (int i = 0; i < 256; i++) {
                int best = 0;
                for (int c = 1; c < 10; c++) if (l[i * 10 + c] > l[i * 10 + best]) best = c;
                long label = p.getLong(i * 8);
                assertTrue(label >= 0 && label < 10);
                if (label == best) agree++;
            }
            assertTrue(agree >= 254, model + ": only " + agree + " of 256 predictions match the logits' argmax");
        }
    }

    @Test
    public void everyDtypeRoundTrips() {
        Random r = new Random(3);
        for (DType t : DType.values()) {
            if (t == DType.BFLOAT16) continue;
            for (long[] shape : new long[][] {{}, {5}, {2, 3}, {0, 4}, {1, 2, 3, 2}}) {
                NDArray a = NDArray.zeros(shape, t);
                ByteBuffer b = a.buffer();
                byte[] bytes = new byte[b.remaining()];
                r.nextBytes(bytes);
                if (t == DType.BOOL) for (int i = 0; i < bytes.length; i++) bytes[i] &= 1;
                b.put(bytes);
                Path f = tmp.resolve("rt-" + t + "-" + shape.length + ".npy");
                Npy.write(f, a);
                NDArray back = Npy.read(f);
                assertEquals(back.dtype(), t);
                assertEquals(back.shape(), shape);
                assertEquals(back.buffer(), a.buffer(), t + " " + Arrays.toString(shape));
            }
        }
        expectThrows(IllegalArgumentException.class,
                () -> Npy.write(tmp.resolve("bf16.npy"), NDArray.zeros(new long[] {2}, DType.BFLOAT16)));
    }

    @Test
    public void headerMatchesNumpyLayout() {
        byte[] h = Npy.header(NDArray.zeros(new long[] {256, 10}, DType.FLOAT32));
        assertEquals(h.length % 64, 0);
        String text = new String(h, 10, h.length - 10, StandardCharsets.ISO_8859_1);
        assertTrue(text.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (256, 10), }"), text);
        assertTrue(text.endsWith(" \n"));
        byte[] s = Npy.header(NDArray.zeros(new long[] {7}, DType.INT8));
        assertTrue(new String(s, StandardCharsets.ISO_8859_1).contains("'descr': '|i1', 'fortran_order': False, 'shape': (7,), }"));
    }

    @Test
    public void readsVersion2Headers() throws IOException {
        String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }";
        int total = 12 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        ByteBuffer b = ByteBuffer.allocate(total + pad + 12).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(dict.length() + 1 + pad);
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < pad; i++) b.put((byte) ' ');
        b.put((byte) '\n').putInt(1).putInt(-2).putInt(3);
        Path f = tmp.resolve("v2.npy");
        Files.write(f, b.array());
        NDArray a = Npy.read(f);
        assertEquals(a.dtype(), DType.INT32);
        assertEquals(a.toFloatArray(), new float[] {1, -2, 3});
    }

    @Test
    public void rejectsUnsupportedAndCorruptFiles() throws IOException {
        assertBad("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, "Fortran-order");
        assertBad("bigendian.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, "big-endian");
        assertBad("complex.npy", "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, "unsupported npy dtype");
        assertBad("truncated.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }", 16, "truncated");
        assertBad("noshape.npy", "{'descr': '<f8', 'fortran_order': False, }", 16, "no 'shape'");
        Path notNpy = TestFiles.testModel("fmnist_mlp-0000.params");
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> Npy.read(notNpy));
        assertTrue(e.getMessage().contains(notNpy.toString()) && e.getMessage().contains("wrong magic"), e.getMessage());
        byte[] good = Files.readAllBytes(TestFiles.testModel("fmnist_mlp-fp32-logits-test256.npy"));
        Path cut = tmp.resolve("cut.npy");
        for (int n : new int[] {0, 5, 20, 127, 500}) {
            Files.write(cut, Arrays.copyOf(good, n));
            expectThrows(ModelFormatException.class, () -> Npy.read(cut));
        }
    }

    private void assertBad(String name, String dict, int dataBytes, String part) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(10 + dict.length() + 1 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (dict.length() + 1));
        b.put(dict.getBytes(StandardCharsets.ISO_8859_1)).put((byte) '\n');
        Path f = tmp.resolve(name);
        Files.write(f, b.array());
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> Npy.read(f));
        assertTrue(e.getMessage().contains(part) && e.getMessage().contains(f.toString()), e.getMessage());
    }
}
