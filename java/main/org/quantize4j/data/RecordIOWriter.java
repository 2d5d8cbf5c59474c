package org.quantize4j.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes MXNet RecordIO files byte for byte as dmlc-core's {@code RecordIOWriter} (and so
 * {@code mx.recordio.MXIndexedRecordIO} and im2rec) does, plus the {@code .idx} text index
 * ({@code key\toffset} per line). See {@link RecordIOFile} for the format.
 *
 * <p>Both files are written to temporary files in the target folder and renamed into place only by
 * {@link #commit()}; closing without committing (an exception half-way) deletes them, so a failed run
 * never leaves a half-written dataset.
 *
 * <pre>{@code
 * try (RecordIOWriter w = RecordIOWriter.create(Path.of("calib.rec"), Path.of("calib.idx"))) {
 *     w.write(0, ImageRecord.of(3, 0, jpegBytes).pack());
 *     w.commit();
 * }
 * }</pre>
 */
public final class RecordIOWriter implements AutoCloseable {
    private final Path rec;
    private final Path idx;
    private final Path recTmp;
    private final Path idxTmp;
    private final OutputStream recOut;
    private final Writer idxOut;
    private long position;
    private long records;
    private boolean done;

    private RecordIOWriter(Path rec, Path idx, Path recTmp, Path idxTmp, OutputStream recOut, Writer idxOut) {
        this.rec = rec;
        this.idx = idx;
        this.recTmp = recTmp;
        this.idxTmp = idxTmp;
        this.recOut = recOut;
        this.idxOut = idxOut;
    }

    /**
     * Starts writing {@code rec} and (unless null) its index {@code idx}.
     *
     * @throws IOException naming the folder if the temporary files cannot be created
     */
    public static RecordIOWriter create(Path rec, Path idx) throws IOException {
        Path recAbs = rec.toAbsolutePath();
        Path dir = recAbs.getParent();
        Files.createDirectories(dir);
        Path recTmp = Files.createTempFile(dir, "." + recAbs.getFileName(), ".tmp");
        Path idxTmp = null;
        OutputStream recOut = null;
        try {
            recOut = new BufferedOutputStream(Files.newOutputStream(recTmp), 1 << 16);
            Writer idxOut = null;
            if (idx != null) {
                Path idxAbs = idx.toAbsolutePath();
                Files.createDirectories(idxAbs.getParent());
                idxTmp = Files.createTempFile(idxAbs.getParent(), "." + idxAbs.getFileName(), ".tmp");
                idxOut = Files.newBufferedWriter(idxTmp, StandardCharsets.UTF_8);
            }
            return new RecordIOWriter(recAbs, idx == null ? null : idx.toAbsolutePath(), recTmp, idxTmp, recOut, idxOut);
        } catch (IOException | RuntimeException e) {
            if (recOut != null) recOut.close();
            Files.deleteIfExists(recTmp);
            if (idxTmp != null) Files.deleteIfExists(idxTmp);
            throw e;
        }
    }

    /** Byte offset the next record will start at. */
    public long position() { return position; }

    /** Records written so far. */
    public long records() { return records; }

    /**
     * Appends one record with index key {@code key}.
     *
     * @throws IllegalArgumentException if the payload is 2^29 bytes or more (dmlc's limit)
     */
    public void write(long key, byte[] payload) throws IOException {
        if (done) throw new IllegalStateException("writer for " + rec + " is already closed");
        if (payload.length > RecordIOFile.LENGTH_MASK) {
            throw new IllegalArgumentException("record of " + payload.length + " bytes: RecordIO records must be under 2^29 bytes");
        }
        if (idxOut != null) idxOut.write(key + "\t" + position + "\n");
        // Split where the magic number appears at an aligned position, as dmlc does, so a reader
        // scanning for magic numbers never mistakes payload bytes for a record start.
        int len = payload.length;
        int lowerAlign = len & ~3;
        int start = 0;
        for (int i = 0; i < lowerAlign; i += 4) {
            if (intAt(payload, i) == RecordIOFile.MAGIC) {
                writePart(start == 0 ? RecordIOFile.FLAG_FIRST : RecordIOFile.FLAG_MIDDLE, payload, start, i - start);
                start = i + 4;
            }
        }
        writePart(start != 0 ? RecordIOFile.FLAG_LAST : RecordIOFile.FLAG_WHOLE, payload, start, len - start);
        int pad = ((len + 3) & ~3) - len;
        // Only the end of the whole record is padded (the parts before it have aligned lengths).
        for (int p = 0; p < pad; p++) recOut.write(0);
        position += pad;
        records++;
    }

    private void writePart(int flag, byte[] payload, int from, int length) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(RecordIOFile.MAGIC).putInt((flag << 29) | length);
        recOut.write(head.array());
        recOut.write(payload, from, length);
        position += 8 + length;
    }

    private static int intAt(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    /** Finishes both files and moves them into place (the .rec first, then the .idx). */
    public void commit() throws IOException {
        if (done) throw new IllegalStateException("writer for " + rec + " is already closed");
        done = true;
        try {
            recOut.close();
            if (idxOut != null) idxOut.close();
            move(recTmp, rec);
            if (idx != null) move(idxTmp, idx);
        } finally {
            Files.deleteIfExists(recTmp);
            if (idxTmp != null) Files.deleteIfExists(idxTmp);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Without a {@link #commit()}: discards everything written (the targets are left as they were). */
    @Override
    public void close() {
        if (done) return;
        done = true;
        try {
            try {
                recOut.close();
            } finally {
                if (idxOut != null) idxOut.close();
            }
        } catch (IOException ignored) {
            // discarding anyway
        }
        try {
            Files.deleteIfExists(recTmp);
            if (idxTmp != null) Files.deleteIfExists(idxTmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete temporary files of " + rec + ": " + e.getMessage(), e);
        }
    }
}
