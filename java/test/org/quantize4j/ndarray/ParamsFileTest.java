package org.quantize4j.ndarray;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.quantize4j.ModelFormatException;
import org.quantize4j.TestFiles;
import org.quantize4j.graph.Attrs;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.testng.annotations.AfterClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

public class ParamsFileTest {
    private final Path tmp;

    public ParamsFileTest() throws IOException {
        tmp = Files.createTempDirectory("paramsfile");
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        try (var s = Files.walk(tmp)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) Files.deleteIfExists(p);
        }
    }

    @DataProvider
    public Object[][] paramsFiles() {
        List<Path> files = TestFiles.paramsFiles();
        assertTrue(files.size() >= 12, "expected the fmnist params files, found " + files.size());
        return files.stream().map(p -> new Object[] {p}).toArray(Object[][]::new);
    }

    @Test(dataProvider = "paramsFiles")
    public void roundTripIsByteIdentical(Path file) throws IOException {
        byte[] original = Files.readAllBytes(file);
        ParamsFile pf = ParamsFile.read(file);
        assertEquals(toBytes(pf), original, "writeTo of " + file);
        Path out = tmp.resolve(file.getFileName());
        pf.write(out);
        assertEquals(Files.readAllBytes(out), original, "write of " + file);
        // save(load(...)) too: the fixtures are plain V2 CPU files, exactly what save writes.
        Path saved = tmp.resolve("saved-" + file.getFileName());
        ParamsFile.save(saved, ParamsFile.load(file));
        assertEquals(Files.readAllBytes(saved), original, "save(load()) of " + file);
    }

    /** Compares load() with a separate, minimal reader of MXNet's V2 layout written here. */
    @Test(dataProvider = "paramsFiles")
    public void loadAgreesWithIndependentReader(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(b.getLong(), 0x112L);
        b.getLong();
        int count = (int) b.getLong();
        List<long[]> shapes = new ArrayList<>();
        List<Integer> flags = new ArrayList<>();
        List<byte[]> datas = new ArrayList<>();
        int[] sizes = {4, 8, 2, 1, 4, 1, 8};
        for (int i = 0; i < count; i++) {
            assertEquals(b.getInt(), 0xF993FAC9);
            assertEquals(b.getInt(), 0);
            long[] shape = new long[b.getInt()];
            long n = 1;
            for (int d = 0; d < shape.length; d++) n *= (shape[d] = b.getLong());
            assertEquals(b.getInt(), 1);  // CPU
            assertEquals(b.getInt(), 0);
            int flag = b.getInt();
            byte[] data = new byte[(int) n * sizes[flag]];
            b.get(data);
            shapes.add(shape);
            flags.add(flag);
            datas.add(data);
        }
        assertEquals(b.getLong(), count);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] s = new byte[(int) b.getLong()];
            b.get(s);
            names.add(new String(s, StandardCharsets.UTF_8));
        }
        assertEquals(b.remaining(), 0);

        Map<String, NDArray> loaded = ParamsFile.load(file);
        assertEquals(new ArrayList<>(loaded.keySet()), names);
        for (int i = 0; i < count; i++) {
            NDArray a = loaded.get(names.get(i));
            assertEquals(a.shape(), shapes.get(i), names.get(i));
            assertEquals(a.dtype().mxnetFlag(), (int) flags.get(i), names.get(i));
            byte[] got = new byte[(int) a.byteSize()];
            a.buffer().get(got);
            assertEquals(got, datas.get(i), names.get(i));
        }
    }

    /** The shapes MXNet recorded in the symbol ({@code __shape__}) match the saved weights. */
    @Test
    public void shapesMatchTheSymbolsShapeAttributes() {
        int checked = 0;
        for (String model : TestFiles.FMNIST_MODELS) {
            Symbol s = SymbolJson.read(TestFiles.testModel(model + "-symbol.json"));
            Map<String, NDArray> params = ParamsFile.load(TestFiles.testModel(model + "-0000.params"));
            for (Node n : s.nodes()) {
                long[] shape = Attrs.longTuple(n.attr("__shape__"));
                if (shape == null || Arrays.stream(shape).anyMatch(d -> d <= 0)) continue;  // deferred (0,)
                NDArray a = params.containsKey("arg:" + n.name()) ? params.get("arg:" + n.name()) : params.get("aux:" + n.name());
                assertEquals(a.shape(), shape, model + " " + n.name());
                assertEquals(a.dtype(), DType.FLOAT32);
                checked++;
            }
        }
        assertTrue(checked > 20, "only " + checked + " shapes checked");
    }

    /** MXNet's int8 weights times their scale give back the FP32 weights (within half a step). */
    @Test
    public void quantizedWeightsAreTheFp32WeightsScaled() {
        Map<String, NDArray> fp32 = ParamsFile.load(TestFiles.testModel("fmnist_mlp-0000.params"));
        Map<String, NDArray> q = ParamsFile.load(TestFiles.testModel("fmnist_mlp-quantized-naive-0000.params"));
        NDArray w = fp32.get("arg:mlp0_dense0_weight");
        NDArray qw = q.get("arg:mlp0_dense0_weight_quantize");
        assertEquals(qw.dtype(), DType.INT8);
        assertEquals(qw.shape(), w.shape());
        float min = q.get("arg:mlp0_dense0_weight_quantize_min").toFloatArray()[0];
        float max = q.get("arg:mlp0_dense0_weight_quantize_max").toFloatArray()[0];
        float scale = Math.max(Math.abs(min), Math.abs(max)) / 127f;
        float[] wf = w.toFloatArray();
        float[] qf = qw.toFloatArray();
        for (int i = 0; i < wf.length; i++) {
            assertTrue(Math.abs(qf[i] * scale - wf[i]) <= scale * 0.5f + 1e-6f, "element " + i);
        }
    }

    // ------------------------------------------------------------------ synthetic round trips

    @Test
    public void everyDtypeAndFormatRoundTrips() throws IOException {
        Random r = new Random(42);
        for (ParamsFile.Format format : ParamsFile.Format.values()) {
            List<ParamsFile.Entry> entries = new ArrayList<>();
            for (DType t : DType.values()) {
                long[] shape = {2, 3, r.nextInt(4) + 1};
                NDArray a = random(shape, t, r);
                entries.add(new ParamsFile.Entry("arg:" + t.mxnetName(), a, format, 0, shape, 1, 0, null));
            }
            ParamsFile pf = new ParamsFile(0, entries, true, null);
            byte[] bytes = toBytes(pf);
            Path f = tmp.resolve("synthetic-" + format + ".params");
            Files.write(f, bytes);
            ParamsFile back = ParamsFile.read(f);
            assertEquals(back.entries().size(), entries.size());
            for (int i = 0; i < entries.size(); i++) {
                ParamsFile.Entry e = entries.get(i);
                ParamsFile.Entry g = back.entries().get(i);
                assertEquals(g.name(), e.name());
                assertEquals(g.format(), format);
                assertEquals(g.array().dtype(), e.array().dtype());
                assertEquals(g.array().shape(), e.array().shape());
                assertEquals(g.array().buffer(), e.array().buffer(), format + " " + e.name());
            }
            assertEquals(toBytes(back), bytes, format.toString());
        }
    }

    @Test
    public void readsHandBuiltLegacyAndV1Arrays() throws IOException {
        // Legacy: u32 ndim (in place of the magic), u32 dims. V1: magic, i32 ndim, i64 dims.
        ByteBuffer b = le(200);
        b.putLong(0x112).putLong(0).putLong(3);
        b.putInt(2).putInt(2).putInt(1).putInt(1).putInt(0).putInt(0).putFloat(1.5f).putFloat(-2f);
        b.putInt(0xF993FAC8).putInt(1).putLong(3).putInt(1).putInt(0).putInt(4).putInt(7).putInt(8).putInt(9);
        b.putInt(0);  // legacy empty array (ndim 0)
        b.putLong(3);
        for (String n : new String[] {"arg:a", "aux:b", "arg:none"}) {
            b.putLong(n.length()).put(n.getBytes(StandardCharsets.US_ASCII));
        }
        Path f = write("legacy.params", b);
        ParamsFile pf = ParamsFile.read(f);
        NDArray a = pf.entries().get(0).array();
        assertEquals(pf.entries().get(0).format(), ParamsFile.Format.LEGACY);
        assertEquals(a.shape(), new long[] {2, 1});
        assertEquals(a.toFloatArray(), new float[] {1.5f, -2f});
        NDArray c = pf.entries().get(1).array();
        assertEquals(pf.entries().get(1).format(), ParamsFile.Format.V1);
        assertEquals(c.dtype(), DType.INT32);
        assertEquals(c.toFloatArray(), new float[] {7, 8, 9});
        assertTrue(pf.entries().get(2).isNone());
        assertEquals(toBytes(pf), Files.readAllBytes(f));
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> ParamsFile.load(f));
        assertTrue(e.getMessage().contains("'arg:none'") && e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    public void v3KeepsScalarsAndUnknownShapes() throws IOException {
        ByteBuffer b = le(200);
        b.putLong(0x112).putLong(0).putLong(3);
        b.putInt(0xF993FACA).putInt(0).putInt(0).putInt(1).putInt(0).putInt(0).putFloat(3.25f);  // scalar
        b.putInt(0xF993FACA).putInt(0).putInt(-1);                                               // unknown rank
        b.putInt(0xF993FACA).putInt(0).putInt(2).putLong(0).putLong(5).putInt(1).putInt(0).putInt(6);  // (0, 5) i64
        b.putLong(3);
        for (String n : new String[] {"s", "u", "z"}) b.putLong(1).put(n.getBytes(StandardCharsets.US_ASCII));
        Path f = write("v3.params", b);
        ParamsFile pf = ParamsFile.read(f);
        assertEquals(pf.entries().get(0).array().shape(), new long[0]);
        assertEquals(pf.entries().get(0).array().getFloat(0), 3.25f);
        assertTrue(pf.entries().get(1).isNone());
        assertNull(pf.entries().get(1).shape());
        assertEquals(pf.entries().get(2).array().shape(), new long[] {0, 5});
        assertEquals(pf.entries().get(2).array().byteSize(), 0L);
        assertEquals(toBytes(pf), Files.readAllBytes(f));
    }

    @Test
    public void sparseArraysRoundTripButCannotBeLoaded() throws IOException {
        ByteBuffer b = le(300);
        b.putLong(0x112).putLong(0).putLong(2);
        // row_sparse (4, 2) with one stored row: storage shape (1, 2), values f32, aux indices i64 shape (1,).
        b.putInt(0xF993FAC9).putInt(1);
        b.putInt(2).putLong(1).putLong(2);           // storage shape
        b.putInt(2).putLong(4).putLong(2);           // shape
        b.putInt(1).putInt(0).putInt(0);             // ctx, f32
        b.putInt(6).putInt(1).putLong(1);            // aux type i64, aux shape (1,)
        b.putFloat(1f).putFloat(2f);                 // values
        b.putLong(3);                                // row index
        b.putInt(0xF993FAC9).putInt(0).putInt(1).putLong(1).putInt(1).putInt(0).putInt(0).putFloat(9f);
        b.putLong(2);
        for (String n : new String[] {"arg:emb", "arg:x"}) b.putLong(n.length()).put(n.getBytes(StandardCharsets.US_ASCII));
        Path f = write("sparse.params", b);
        ParamsFile pf = ParamsFile.read(f);
        assertEquals(pf.entries().get(1).array().getFloat(0), 9f);
        assertEquals(toBytes(pf), Files.readAllBytes(f));
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> ParamsFile.load(f));
        assertTrue(e.getMessage().contains("'arg:emb'") && e.getMessage().contains("row_sparse"), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    public void saveRejectsScalarsAndWritesAtomically() throws IOException {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("arg:s", NDArray.ofFloats(new long[0], new float[] {1}));
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> ParamsFile.save(tmp.resolve("x.params"), m));
        assertTrue(e.getMessage().contains("'arg:s'"), e.getMessage());
        Path dir = Files.createDirectory(tmp.resolve("atomic"));
        ParamsFile.save(dir.resolve("a.params"), Map.of("arg:w", NDArray.ofFloats(new long[] {2}, new float[] {1, 2})));
        try (var s = Files.list(dir)) {
            assertEquals(s.count(), 1L, "no temp file left behind");
        }
    }

    // ------------------------------------------------------------------ bad input

    @Test
    public void truncatedFilesGiveClearErrors() throws IOException {
        byte[] full = Files.readAllBytes(TestFiles.testModel("fmnist_mlp-0000.params"));
        int[] cuts = {0, 10, 23, 30, 40, 100, full.length / 2, full.length - 200, full.length - 5};
        for (int cut : cuts) {
            Path f = tmp.resolve("cut" + cut + ".params");
            Files.write(f, Arrays.copyOf(full, cut));
            ModelFormatException e = expectThrows(ModelFormatException.class, () -> ParamsFile.load(f));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            if (cut >= 100 && cut < full.length - 300) {
                assertTrue(e.getMessage().contains("array #"), e.getMessage());
                assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            }
        }
        Path f = tmp.resolve("cutnames.params");
        Files.write(f, Arrays.copyOf(full, full.length - 5));
        assertTrue(expectThrows(ModelFormatException.class, () -> ParamsFile.load(f)).getMessage().contains("name #5"));
    }

    @Test
    public void everyPrefixOfASmallFileIsRejected() throws IOException {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("arg:a", NDArray.ofFloats(new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        m.put("aux:b", NDArray.ofFloats(new long[] {1}, new float[] {5}));
        byte[] full = toBytes(ParamsFile.of(m));
        for (int cut = 0; cut < full.length; cut++) {
            Path f = tmp.resolve("prefix.params");
            Files.write(f, Arrays.copyOf(full, cut));
            try {
                ParamsFile.read(f);
                fail("prefix of " + cut + " bytes accepted");
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().contains(f.toString()));
            }
        }
    }

    @Test
    public void wrongMagicIsRejected() throws IOException {
        Path f = write("magic.params", le(40).putLong(0x113).putLong(0).putLong(0).putLong(0));
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> ParamsFile.load(f));
        assertTrue(e.getMessage().contains("wrong magic") && e.getMessage().contains(f.toString()), e.getMessage());
        // Symbol JSON passed as params.
        Path json = TestFiles.testModel("fmnist_mlp-symbol.json");
        assertTrue(expectThrows(ModelFormatException.class, () -> ParamsFile.load(json)).getMessage().contains("wrong magic"));
        // A garbage per-array magic (not V1/V2/V3, too many dims for legacy).
        Path g = write("arraymagic.params", le(60).putLong(0x112).putLong(0).putLong(1).putInt(0x12345678).putLong(0));
        e = expectThrows(ModelFormatException.class, () -> ParamsFile.load(g));
        assertTrue(e.getMessage().contains("array #0") && e.getMessage().contains("unknown array magic 0x12345678"),
                e.getMessage());
    }

    @Test
    public void nameCountMismatchIsRejected() throws IOException {
        ByteBuffer b = le(100).putLong(0x112).putLong(0).putLong(1);
        b.putInt(0xF993FAC9).putInt(0).putInt(1).putLong(1).putInt(1).putInt(0).putInt(0).putFloat(1f);
        b.putLong(2).putLong(1).put((byte) 'a').putLong(1).put((byte) 'b');
        Path f = write("names.params", b);
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> ParamsFile.load(f));
        assertTrue(e.getMessage().contains("2 names for 1 arrays"), e.getMessage());
    }

    @Test
    public void absurdHeadersAreRejectedWithoutAllocating() throws IOException {
        // ndim far too large.
        Path a = write("ndim.params", le(60).putLong(0x112).putLong(0).putLong(1).putInt(0xF993FAC9).putInt(0)
                .putInt(1_000_000).putLong(0));
        assertMessage(a, "ndim 1000000 is absurd");
        // Dimensions whose product overflows 64 bits.
        Path b = write("overflow.params", le(80).putLong(0x112).putLong(0).putLong(1).putInt(0xF993FAC9).putInt(0)
                .putInt(3).putLong(1L << 40).putLong(1L << 40).putLong(1L << 40).putInt(1).putInt(0).putInt(0));
        assertMessage(b, "overflows");
        // A plausible but huge size (4 TiB): must be refused before any allocation.
        Path c = write("huge.params", le(80).putLong(0x112).putLong(0).putLong(1).putInt(0xF993FAC9).putInt(0)
                .putInt(2).putLong(1L << 30).putLong(1L << 10).putInt(1).putInt(0).putInt(0).putLong(0));
        assertMessage(c, "truncated");
        // Negative dimension.
        Path d = write("negdim.params", le(80).putLong(0x112).putLong(0).putLong(1).putInt(0xF993FAC9).putInt(0)
                .putInt(1).putLong(-5).putInt(1).putInt(0).putInt(0));
        assertMessage(d, "dimension 0 is -5");
        // An array count the file cannot hold.
        Path e = write("count.params", le(40).putLong(0x112).putLong(0).putLong(Long.MAX_VALUE).putLong(0));
        assertMessage(e, "claims");
        // Unknown dtype flag, unknown storage type.
        Path f = write("dtype.params", le(80).putLong(0x112).putLong(0).putLong(1).putInt(0xF993FAC9).putInt(0)
                .putInt(1).putLong(1).putInt(1).putInt(0).putInt(99).putInt(0));
        assertMessage(f, "type flag 99");
        Path g = write("stype.params", le(80).putLong(0x112).putLong(0).putLong(1).putInt(0xF993FAC9).putInt(7)
                .putInt(1).putLong(1));
        assertMessage(g, "storage type 7");
        // Name length larger than the file.
        Path h = write("namelen.params", le(80).putLong(0x112).putLong(0).putLong(1).putInt(0)
                .putLong(1).putLong(1L << 40));
        assertMessage(h, "name #0: length 1099511627776 is impossible");
    }

    @Test
    public void duplicateAndMissingNamesAreRejectedByLoad() throws IOException {
        ByteBuffer b = le(200).putLong(0x112).putLong(0).putLong(2);
        for (int i = 0; i < 2; i++) b.putInt(0xF993FAC9).putInt(0).putInt(1).putLong(1).putInt(1).putInt(0).putInt(0).putFloat(i);
        b.putLong(2).putLong(5).put("arg:w".getBytes(StandardCharsets.US_ASCII)).putLong(5).put("arg:w".getBytes(StandardCharsets.US_ASCII));
        assertMessage(write("dup.params", b), "'arg:w' appears more than once");

        ByteBuffer u = le(120).putLong(0x112).putLong(0).putLong(1);
        u.putInt(0xF993FAC9).putInt(0).putInt(1).putLong(1).putInt(1).putInt(0).putInt(0).putFloat(1).putLong(0);
        Path unnamed = write("unnamed.params", u);
        assertMessage(unnamed, "without names");
        ParamsFile pf = ParamsFile.read(unnamed);
        assertNull(pf.entries().get(0).name());
        assertEquals(toBytes(pf), Files.readAllBytes(unnamed));
    }

    /** Random corruption must give a ModelFormatException or a valid result, never another failure. */
    @Test
    public void randomCorruptionNeverCrashes() throws IOException {
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("arg:a", NDArray.ofFloats(new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6}));
        m.put("aux:b", NDArray.ofFloats(new long[] {2}, new float[] {7, 8}));
        byte[] good = toBytes(ParamsFile.of(m));
        Random r = new Random(7);
        Path f = tmp.resolve("fuzz.params");
        for (int iter = 0; iter < 3000; iter++) {
            byte[] bad = good.clone();
            int flips = 1 + r.nextInt(3);
            for (int k = 0; k < flips; k++) bad[r.nextInt(bad.length)] = (byte) r.nextInt(256);
            Files.write(f, bad);
            try {
                ParamsFile.load(f);
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().contains(f.toString()));
            } catch (RuntimeException | OutOfMemoryError other) {
                throw new AssertionError("iteration " + iter + ": " + other, other);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private void assertMessage(Path f, String part) {
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> ParamsFile.load(f));
        assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should contain '" + part + "'");
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
    }

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private Path write(String name, ByteBuffer b) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, Arrays.copyOf(b.array(), b.position()));
        return f;
    }

    static byte[] toBytes(ParamsFile pf) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        pf.writeTo(Channels.newChannel(out));
        return out.toByteArray();
    }

    private static NDArray random(long[] shape, DType t, Random r) {
        NDArray a = NDArray.zeros(shape, t);
        ByteBuffer b = a.buffer();
        byte[] bytes = new byte[b.remaining()];
        r.nextBytes(bytes);
        b.put(bytes);
        return a;
    }
}
