package org.quantize4j.data;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeMethod;
import org.testng.annotations.Test;

/**
 * RecordIO bytes against the dmlc-core layout, read back by the few-line reader {@link #parse} below
 * (independent of RecordIOFile), and files built by hand read by RecordIOFile.
 */
public class RecordIOFormatTest {
    private static final int MAGIC = 0xced7230a;
    private Path dir;

    @BeforeMethod
    public void makeDir() throws IOException {
        dir = Files.createTempDirectory("recordio-test");
    }

    @AfterMethod(alwaysRun = true)
    public void removeDir() throws IOException {
        DataTestFiles.deleteTree(dir);
    }

    /** One physical record part: where it starts, its continuation flag and its payload bytes. */
    record Part(long offset, int cflag, byte[] payload) {}

    /** Independent reader of the spec: magic, lrecord (cflag << 29 | length), payload, zero pad to 4. */
    static List<Part> parse(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Part> parts = new ArrayList<>();
        while (b.hasRemaining()) {
            long at = b.position();
            assertEquals(b.getInt(), MAGIC, "magic at " + at);
            int lrec = b.getInt();
            int len = lrec & ((1 << 29) - 1);
            byte[] p = new byte[len];
            b.get(p);
            int pad = (4 - len % 4) % 4;
            for (int i = 0; i < pad; i++) assertEquals(b.get(), 0, "padding byte after record at " + at);
            parts.add(new Part(at, lrec >>> 29, p));
        }
        return parts;
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 31 + seed);
        return b;
    }

    @Test
    public void writerProducesSpecLayoutAndIndex() throws IOException {
        Path rec = dir.resolve("d.rec");
        Path idx = dir.resolve("d.idx");
        byte[][] payloads = {bytes(5, 1), bytes(8, 2), new byte[0], bytes(13, 3)};
        try (RecordIOWriter w = RecordIOWriter.create(rec, idx)) {
            for (int i = 0; i < payloads.length; i++) w.write(100 + i, payloads[i]);
            w.commit();
        }
        byte[] file = Files.readAllBytes(rec);
        // 8-byte header + payload padded to 4, per record.
        assertEquals(file.length, (8 + 8) + (8 + 8) + 8 + (8 + 16));
        assertEquals(Arrays.copyOf(file, 4), new byte[] {0x0a, 0x23, (byte) 0xd7, (byte) 0xce}, "magic, little-endian");
        List<Part> parts = parse(file);
        assertEquals(parts.size(), 4);
        long[] expectedOffsets = {0, 16, 32, 40};
        for (int i = 0; i < 4; i++) {
            assertEquals(parts.get(i).cflag(), 0);
            assertEquals(parts.get(i).payload(), payloads[i]);
            assertEquals(parts.get(i).offset(), expectedOffsets[i]);
        }
        assertEquals(Files.readString(idx, StandardCharsets.UTF_8), "100\t0\n101\t16\n102\t32\n103\t40\n");

        try (RecordIOFile r = RecordIOFile.open(rec)) {
            assertEquals(r.count(), 4);
            assertEquals(r.offsets(), expectedOffsets);
            for (int i = 0; i < 4; i++) assertEquals(r.read(i), payloads[i]);
            r.checkIndex(idx, RecordIOFile.readIndex(idx));
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(s.count(), 2, "no temporary files left");
        }
    }

    @Test
    public void payloadContainingAlignedMagicIsSplitAsDmlcDoes() throws IOException {
        // Magic at aligned offsets 4 and 12, and once unaligned at 17 (not split there).
        ByteBuffer p = ByteBuffer.allocate(26).order(ByteOrder.LITTLE_ENDIAN);
        p.put(bytes(4, 9)).putInt(MAGIC).put(bytes(4, 7)).putInt(MAGIC).put((byte) 1).putInt(MAGIC).put(bytes(5, 3));
        byte[] payload = p.array();
        Path rec = dir.resolve("m.rec");
        try (RecordIOWriter w = RecordIOWriter.create(rec, null)) {
            w.write(0, payload);
            w.write(1, bytes(3, 5));
            w.commit();
        }
        List<Part> parts = parse(Files.readAllBytes(rec));
        assertEquals(parts.size(), 4);
        assertEquals(parts.get(0).cflag(), 1);
        assertEquals(parts.get(0).payload(), Arrays.copyOfRange(payload, 0, 4));
        assertEquals(parts.get(1).cflag(), 2);
        assertEquals(parts.get(1).payload(), Arrays.copyOfRange(payload, 8, 12));
        assertEquals(parts.get(2).cflag(), 3);
        assertEquals(parts.get(2).payload(), Arrays.copyOfRange(payload, 16, 26));
        assertEquals(parts.get(3).cflag(), 0);
        // Reassembled: parts joined by the magic number.
        try (RecordIOFile r = RecordIOFile.open(rec)) {
            assertEquals(r.count(), 2);
            assertEquals(r.read(0), payload);
            assertEquals(r.read(1), bytes(3, 5));
            assertEquals(r.offset(1), parts.get(3).offset());
        }
    }

    /** A file assembled by the test from the spec, not by our writer. */
    @Test
    public void readerReadsHandBuiltFile() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] a = "hello".getBytes(StandardCharsets.US_ASCII);
        writeHeader(out, 0, a.length);
        out.write(a);
        out.write(new byte[3]);
        byte[] first = bytes(8, 4);
        byte[] last = bytes(2, 6);
        writeHeader(out, 1, first.length);
        out.write(first);
        writeHeader(out, 3, last.length);
        out.write(last);
        out.write(new byte[2]);
        Path rec = Files.write(dir.resolve("h.rec"), out.toByteArray());
        try (RecordIOFile r = RecordIOFile.open(rec)) {
            assertEquals(r.count(), 2);
            assertEquals(r.read(0), a);
            ByteBuffer joined = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN).put(first).putInt(MAGIC).put(last);
            assertEquals(r.read(1), joined.array());
        }
    }

    private static void writeHeader(ByteArrayOutputStream out, int cflag, int len) {
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(cflag << 29 | len);
        out.writeBytes(h.array());
    }

    @Test
    public void imageRecordHeaderLayout() throws IOException {
        byte[] img = bytes(7, 2);
        byte[] packed = ImageRecord.of(3, 42, img).pack();
        ByteBuffer b = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(packed.length, 24 + 7);
        assertEquals(b.getInt(0), 0, "flag");
        assertEquals(b.getFloat(4), 3f, "label");
        assertEquals(b.getLong(8), 42L, "id");
        assertEquals(b.getLong(16), 0L, "id2");
        assertEquals(Arrays.copyOfRange(packed, 24, 31), img);

        ImageRecord multi = new ImageRecord(2, 0, new float[] {5, 6.5f}, 7, 9, img);
        ByteBuffer m = ByteBuffer.wrap(multi.pack()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(m.getInt(0), 2);
        assertEquals(m.getFloat(24), 5f);
        assertEquals(m.getFloat(28), 6.5f);
        assertEquals(m.getLong(16), 9L);
        assertEquals(ImageRecord.unpack(multi.pack(), dir, "r"), multi);
        // Label width 1: several labels, or a fraction, are not a class.
        expectThrows(UnreadableExampleException.class, () -> multi.classLabel(dir, "r"));
        expectThrows(UnreadableExampleException.class, () -> ImageRecord.of(1.5f, 0, img).classLabel(dir, "r"));
        assertEquals(new ImageRecord(1, 0, new float[] {4}, 0, 0, img).classLabel(dir, "r"), 4);
        UnreadableExampleException shortRec = expectThrows(UnreadableExampleException.class,
                () -> ImageRecord.unpack(new byte[10], dir, "record 3"));
        assertTrue(shortRec.getMessage().contains("record 3"), shortRec.getMessage());
        // flag claims more labels than the record holds
        ByteBuffer bad = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN).putInt(5);
        expectThrows(UnreadableExampleException.class, () -> ImageRecord.unpack(bad.array(), dir, "r"));
    }

    private Path writeThree() throws IOException {
        Path rec = dir.resolve("t.rec");
        try (RecordIOWriter w = RecordIOWriter.create(rec, dir.resolve("t.idx"))) {
            w.write(0, bytes(10, 1));
            w.write(1, bytes(20, 2));
            w.write(2, bytes(30, 3));
            w.commit();
        }
        return rec;
    }

    @Test
    public void truncatedRecIsAnErrorNamingFileAndOffset() throws IOException {
        Path rec = writeThree();
        byte[] full = Files.readAllBytes(rec);   // records at 0, 20, 48; size 88
        for (int cut : new int[] {full.length - 1, full.length - 20, 50, 52}) {
            Path t = Files.write(dir.resolve("cut" + cut + ".rec"), Arrays.copyOf(full, cut));
            DatasetFormatException e = expectThrows(DatasetFormatException.class, () -> RecordIOFile.open(t));
            assertTrue(e.getMessage().startsWith(t.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertTrue(e.getMessage().contains("48"), "offset of the cut record: " + e.getMessage());
        }
        byte[] corrupt = full.clone();
        corrupt[20] = 0;
        Path c = Files.write(dir.resolve("corrupt.rec"), corrupt);
        DatasetFormatException e = expectThrows(DatasetFormatException.class, () -> RecordIOFile.open(c));
        assertTrue(e.getMessage().contains("offset 20"), e.getMessage());
        Path notRec = Files.write(dir.resolve("text.rec"), "hello world".getBytes(StandardCharsets.US_ASCII));
        e = expectThrows(DatasetFormatException.class, () -> RecordIOFile.open(notRec));
        assertTrue(e.getMessage().contains("not a RecordIO file"), e.getMessage());
        // A first part with no last part.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeHeader(out, 1, 4);
        out.writeBytes(bytes(4, 1));
        Path unfinished = Files.write(dir.resolve("unfinished.rec"), out.toByteArray());
        e = expectThrows(DatasetFormatException.class, () -> RecordIOFile.open(unfinished));
        assertTrue(e.getMessage().contains("no last part"), e.getMessage());
    }

    @Test
    public void badIndexIsAnErrorNamingTheLine() throws IOException {
        Path rec = writeThree();
        Path idx = dir.resolve("t.idx");
        try (RecordIOFile r = RecordIOFile.open(rec)) {
            Files.writeString(idx, "0\t0\n1\t20\n2\t4000\n");
            DatasetFormatException e = expectThrows(DatasetFormatException.class,
                    () -> r.checkIndex(idx, RecordIOFile.readIndex(idx)));
            assertTrue(e.getMessage().startsWith(idx.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("past the end") && e.getMessage().contains("4000")
                    && e.getMessage().contains("entry 3"), e.getMessage());

            Files.writeString(idx, "0\t0\n1\t24\n2\t48\n");
            e = expectThrows(DatasetFormatException.class, () -> r.checkIndex(idx, RecordIOFile.readIndex(idx)));
            assertTrue(e.getMessage().contains("not the start of a record"), e.getMessage());

            Files.writeString(idx, "0\t0\n1\t20\n");
            e = expectThrows(DatasetFormatException.class, () -> r.checkIndex(idx, RecordIOFile.readIndex(idx)));
            assertTrue(e.getMessage().contains("lists 2 records") && e.getMessage().contains("has 3"), e.getMessage());

            Files.writeString(idx, "0\t0\nbanana\n");
            e = expectThrows(DatasetFormatException.class, () -> RecordIOFile.readIndex(idx));
            assertTrue(e.getMessage().contains("line 2"), e.getMessage());

            expectThrows(DatasetFormatException.class, () -> r.readAt(24));
            expectThrows(DatasetFormatException.class, () -> r.readAt(4000));
        }
    }

    @Test
    public void uncommittedWriterLeavesNothing() throws IOException {
        Path rec = dir.resolve("x.rec");
        Files.writeString(rec, "old");
        try (RecordIOWriter w = RecordIOWriter.create(rec, dir.resolve("x.idx"))) {
            w.write(0, bytes(10, 1));
            // no commit: as if an exception escaped
        }
        assertEquals(Files.readString(rec), "old", "the previous file is untouched");
        assertFalse(Files.exists(dir.resolve("x.idx")));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(s.count(), 1, "temporary files removed");
        }
    }
}
