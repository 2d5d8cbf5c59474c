package org.quantize4j.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Low-level reading of IDX files (the MNIST format): a big-endian header {@code 0x00 0x00 type ndim}
 * followed by {@code ndim} big-endian int32 dimensions and the data. Gzip compression is detected
 * from the content (bytes {@code 1f 8b}), not from the file name.
 *
 * <pre>{@code
 * try (DataInputStream in = IdxFile.open(path)) {
 *     IdxFile.Header h = IdxFile.readHeader(in, path, IdxFile.MAGIC_IMAGES);   // dims {n, rows, cols}
 * }
 * int[] labels = IdxFile.readLabels(Path.of("t10k-labels-idx1-ubyte.gz"));
 * }</pre>
 */
public final class IdxFile {
    /** uint8 data, 3 dimensions (count, rows, cols). */
    public static final int MAGIC_IMAGES = 0x00000803;
    /** uint8 data, 1 dimension (count). */
    public static final int MAGIC_LABELS = 0x00000801;

    private static final int BUFFER_BYTES = 1 << 16;

    private IdxFile() {}

    /**
     * The parsed header.
     *
     * @param magic        the 4-byte magic number
     * @param dims         the dimensions, first = number of items
     * @param headerBytes  bytes before the data (4 + 4 * ndim)
     * @param compressed   whether the file is gzip-compressed
     */
    public record Header(int magic, int[] dims, int headerBytes, boolean compressed) {
        public int count() { return dims[0]; }

        /** Bytes per item (product of dims after the first). */
        public long itemBytes() {
            long b = 1;
            for (int i = 1; i < dims.length; i++) b *= dims[i];
            return b;
        }

        @Override
        public String toString() {
            return String.format("IDX(magic 0x%08x, dims %s%s)", magic, Arrays.toString(dims), compressed ? ", gzip" : "");
        }
    }

    /** Whether {@code file} starts with the gzip magic bytes. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "IDX file not found");
        }
    }

    /** Opens {@code file} for reading, decompressing if it is gzip. The caller closes the stream. */
    public static DataInputStream open(Path file) throws IOException {
        boolean gz = isGzip(file);
        InputStream raw = Files.newInputStream(file);
        try {
            InputStream in = gz ? new GZIPInputStream(raw, BUFFER_BYTES) : raw;
            return new DataInputStream(new BufferedInputStream(in, BUFFER_BYTES));
        } catch (IOException e) {
            raw.close();
            throw new IdxFormatException(file, "corrupt gzip stream (" + e.getMessage() + ")");
        }
    }

    /**
     * Reads and checks the header at the start of {@code in}.
     *
     * @param file           for messages, and to check the size of an uncompressed file
     * @param expectedMagic  {@link #MAGIC_IMAGES} or {@link #MAGIC_LABELS}
     * @throws IdxFormatException on a wrong magic number, a bad dimension or a file too short for its header
     */
    public static Header readHeader(DataInputStream in, Path file, int expectedMagic) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(file, "truncated: too short for an IDX header");
        }
        if (magic != expectedMagic) {
            String hint = "";
            if (magic == MAGIC_LABELS) hint = " (this is an IDX labels file)";
            else if (magic == MAGIC_IMAGES) hint = " (this is an IDX images file)";
            throw new IdxFormatException(file, String.format("wrong magic number 0x%08x, expected 0x%08x (%s)%s",
                    magic, expectedMagic, describe(expectedMagic), hint));
        }
        int ndim = magic & 0xff;
        int[] dims = new int[ndim];
        try {
            for (int i = 0; i < ndim; i++) dims[i] = in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(file, "truncated: header ends before its " + ndim + " dimensions");
        }
        for (int i = 0; i < ndim; i++) {
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
                throw new IdxFormatException(file, "invalid dimensions " + Arrays.toString(dims));
            }
        }
        Header h = new Header(magic, dims, 4 + 4 * ndim, isGzip(file));
        if (!h.compressed()) {
            long expected = h.headerBytes() + (long) h.count() * h.itemBytes();
            long actual = Files.size(file);
            if (actual < expected) {
                throw new IdxFormatException(file, "truncated: header says " + h.count() + " items of " + h.itemBytes()
                        + " bytes (" + expected + " bytes in all) but the file has " + actual + " bytes");
            }
        }
        return h;
    }

    /** Reads a whole labels file ({@link #MAGIC_LABELS}) into an int array of values 0..255. */
    public static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            Header h = readHeader(in, file, MAGIC_LABELS);
            byte[] bytes = new byte[h.count()];
            try {
                in.readFully(bytes);
            } catch (EOFException e) {
                throw new IdxFormatException(file, "truncated: header says " + h.count() + " labels but the data ends early");
            }
            int[] labels = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) labels[i] = bytes[i] & 0xff;
            return labels;
        }
    }

    private static String describe(int magic) {
        return switch (magic) {
            case MAGIC_IMAGES -> "uint8 images, 3 dimensions";
            case MAGIC_LABELS -> "uint8 labels, 1 dimension";
            default -> "unknown";
        };
    }
}
