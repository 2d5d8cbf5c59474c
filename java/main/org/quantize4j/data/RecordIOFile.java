package org.quantize4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads MXNet / dmlc-core RecordIO files ({@code .rec}): a sequence of records, each
 * {@code u32 magic 0xced7230a, u32 lrecord, payload, zero padding to 4 bytes}, little-endian.
 * {@code lrecord} holds the payload length in its lower 29 bits and a continuation flag in the upper 3:
 * 0 = whole record; 1, 2..., 3 = first, middle, last part of a record that dmlc's writer split where
 * the payload contained the magic number at a 4-byte-aligned position; the reader puts the magic back
 * between the parts.
 *
 * <p>{@link #open} walks the record headers once (no payload is read) to find every record start, so a
 * truncated or corrupt file fails at open with the offset at fault, not halfway through a
 * calibration. Reads by record are thread-safe (positional reads).
 *
 * <pre>{@code
 * try (RecordIOFile rec = RecordIOFile.open(Path.of("val.rec"))) {
 *     byte[] payload = rec.read(0);                    // first record
 *     ImageRecord r = ImageRecord.unpack(payload, rec.file(), "record 0");
 * }
 * List<RecordIOFile.IndexEntry> idx = RecordIOFile.readIndex(Path.of("val.idx"));
 * }</pre>
 */
public final class RecordIOFile implements AutoCloseable {
    /** dmlc::RecordIOWriter::kMagic. */
    public static final int MAGIC = 0xced7230a;
    /** Payload length mask of lrecord (lower 29 bits). */
    public static final int LENGTH_MASK = (1 << 29) - 1;
    public static final int FLAG_WHOLE = 0;
    public static final int FLAG_FIRST = 1;
    public static final int FLAG_MIDDLE = 2;
    public static final int FLAG_LAST = 3;

    /** One line of a {@code .idx} file: the record's key and its byte offset in the {@code .rec}. */
    public record IndexEntry(long key, long offset) {}

    private final Path file;
    private final FileChannel channel;
    private final long[] offsets;
    private final long size;

    private RecordIOFile(Path file, FileChannel channel, long[] offsets, long size) {
        this.file = file;
        this.channel = channel;
        this.offsets = offsets;
        this.size = size;
    }

    /**
     * Opens a {@code .rec} file and finds its records.
     *
     * @throws DatasetFormatException naming the file and offset for a bad magic number, a truncated
     *     record or a broken multi-part record
     */
    public static RecordIOFile open(Path file) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "RecordIO file not found");
        }
        try {
            long size = ch.size();
            long[] offsets = scan(ch, file, size);
            return new RecordIOFile(file, ch, offsets, size);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static long[] scan(FileChannel ch, Path file, long size) throws IOException {
        long[] offsets = new long[1024];
        int count = 0;
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        long pos = 0;
        boolean inMulti = false;
        long recordStart = 0;
        while (pos < size) {
            if (size - pos < 8) {
                throw new DatasetFormatException(file, "truncated: " + (size - pos) + " stray bytes at offset " + pos
                        + " after record " + (count - 1) + ", too short for a record header");
            }
            readFully(ch, head.clear(), pos, file);
            int magic = head.getInt(0);
            if (magic != MAGIC) {
                throw new DatasetFormatException(file, String.format("not a RecordIO record at offset %d: magic 0x%08x, "
                        + "expected 0x%08x%s", pos, magic, MAGIC, pos == 0 ? " (not a RecordIO file?)" : " (corrupt file)"));
            }
            int lrec = head.getInt(4);
            int flag = lrec >>> 29;
            long len = lrec & LENGTH_MASK;
            long padded = (len + 3) & ~3L;
            if (pos + 8 + padded > size) {
                throw new DatasetFormatException(file, "truncated: record " + count + " at offset " + pos + " has "
                        + len + " payload bytes (" + padded + " with padding) but the file ends " + (size - pos - 8)
                        + " bytes after its header (file size " + size + ")");
            }
            switch (flag) {
                case FLAG_WHOLE, FLAG_FIRST -> {
                    if (inMulti) {
                        throw new DatasetFormatException(file, "corrupt: multi-part record starting at offset " + recordStart
                                + " is not finished (no last part) before offset " + pos);
                    }
                    if (count == offsets.length) offsets = Arrays.copyOf(offsets, count * 2);
                    offsets[count++] = pos;
                    inMulti = flag == FLAG_FIRST;
                    recordStart = pos;
                }
                case FLAG_MIDDLE, FLAG_LAST -> {
                    if (!inMulti) {
                        throw new DatasetFormatException(file, "corrupt: continuation part (flag " + flag + ") at offset "
                                + pos + " without a first part");
                    }
                    inMulti = flag == FLAG_MIDDLE;
                }
                default -> throw new DatasetFormatException(file, "corrupt: record header at offset " + pos
                        + " has invalid continuation flag " + flag);
            }
            pos += 8 + padded;
        }
        if (inMulti) {
            throw new DatasetFormatException(file, "truncated: multi-part record at offset " + recordStart + " has no last part");
        }
        return Arrays.copyOf(offsets, count);
    }

    public Path file() { return file; }

    /** Number of records. */
    public int count() { return offsets.length; }

    /** Byte offset of record {@code i} (what im2rec writes into the .idx). */
    public long offset(int i) { return offsets[i]; }

    /** All record offsets in file order. */
    public long[] offsets() { return offsets.clone(); }

    /** File size in bytes. */
    public long size() { return size; }

    /** The payload of record {@code i}, multi-part records joined. */
    public byte[] read(int i) throws IOException {
        return readAt(offsets[i]);
    }

    /**
     * The payload of the record starting at byte {@code offset}.
     *
     * @throws DatasetFormatException if no record starts there
     */
    public byte[] readAt(long offset) throws IOException {
        if (offset < 0 || offset >= size) {
            throw new DatasetFormatException(file, "offset " + offset + " is outside the file (size " + size + ")");
        }
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> parts = new ArrayList<>(1);
        int total = 0;
        long pos = offset;
        while (true) {
            if (pos + 8 > size) throw new DatasetFormatException(file, "truncated record at offset " + offset);
            readFully(channel, head.clear(), pos, file);
            if (head.getInt(0) != MAGIC) {
                throw new DatasetFormatException(file, "no record starts at offset " + pos);
            }
            int lrec = head.getInt(4);
            int flag = lrec >>> 29;
            int len = lrec & LENGTH_MASK;
            if (parts.isEmpty() && flag != FLAG_WHOLE && flag != FLAG_FIRST) {
                throw new DatasetFormatException(file, "offset " + offset + " is the middle of a multi-part record");
            }
            if (pos + 8 + len > size) throw new DatasetFormatException(file, "truncated record at offset " + offset);
            ByteBuffer body = ByteBuffer.allocate(len);
            readFully(channel, body, pos + 8, file);
            parts.add(body.array());
            total = Math.addExact(total, len);
            pos += 8 + ((len + 3L) & ~3L);
            if (flag == FLAG_WHOLE || flag == FLAG_LAST) break;
            total = Math.addExact(total, 4);
        }
        if (parts.size() == 1) return parts.get(0);
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < parts.size(); p++) {
            if (p > 0) out.putInt(MAGIC);
            out.put(parts.get(p));
        }
        return out.array();
    }

    /**
     * Reads a {@code .idx} file: lines {@code key<TAB>offset} as MXNet's {@code MXIndexedRecordIO}
     * writes them (any whitespace accepted, blank lines ignored).
     *
     * @throws DatasetFormatException naming the line for a malformed line
     */
    public static List<IndexEntry> readIndex(Path idx) throws IOException {
        List<IndexEntry> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(idx, StandardCharsets.UTF_8)) {
            String line;
            int no = 0;
            while ((line = r.readLine()) != null) {
                no++;
                String t = line.strip();
                if (t.isEmpty()) continue;
                String[] f = t.split("\\s+");
                try {
                    if (f.length != 2) throw new NumberFormatException();
                    long key = Long.parseLong(f[0]);
                    long offset = Long.parseLong(f[1]);
                    if (offset < 0) throw new NumberFormatException();
                    out.add(new IndexEntry(key, offset));
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(idx, "line " + no + ": expected 'key<TAB>offset' (two integers), got '"
                            + (line.length() > 80 ? line.substring(0, 80) + "..." : line) + "'");
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw new DatasetFormatException(idx, "not a text index file (bad UTF-8)");
        }
        return out;
    }

    /**
     * Checks an index against this file: every offset must be a record start of this file, and the
     * index must list every record once.
     *
     * @throws DatasetFormatException naming the index line at fault
     */
    public void checkIndex(Path idx, List<IndexEntry> entries) throws DatasetFormatException {
        boolean[] seen = new boolean[offsets.length];
        for (int i = 0; i < entries.size(); i++) {
            IndexEntry e = entries.get(i);
            if (e.offset() >= size) {
                throw new DatasetFormatException(idx, "entry " + (i + 1) + " (key " + e.key() + ") points to offset "
                        + e.offset() + ", past the end of " + file + " (size " + size + ")");
            }
            int r = Arrays.binarySearch(offsets, e.offset());
            if (r < 0) {
                throw new DatasetFormatException(idx, "entry " + (i + 1) + " (key " + e.key() + ") points to offset "
                        + e.offset() + ", which is not the start of a record in " + file);
            }
            if (seen[r]) {
                throw new DatasetFormatException(idx, "entry " + (i + 1) + " (key " + e.key() + ") repeats offset " + e.offset());
            }
            seen[r] = true;
        }
        if (entries.size() != offsets.length) {
            throw new DatasetFormatException(idx, "lists " + entries.size() + " records but " + file + " has "
                    + offsets.length + " (stale index? rebuild it or remove it)");
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, Path file) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) throw new DatasetFormatException(file, "unexpected end of file at offset " + pos);
            pos += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
