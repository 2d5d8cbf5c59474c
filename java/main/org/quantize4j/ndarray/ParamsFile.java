package org.quantize4j.ndarray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.AtomicFiles;
import org.quantize4j.ModelFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MXNet's NDArray list file ({@code PREFIX-0000.params}, {@code mx.nd.save}): little-endian
 * {@code u64 0x112, u64 reserved, u64 count}, the arrays, then {@code u64 count} names as
 * {@code u64 length + UTF-8 bytes}. Each array starts with a u32 magic: {@code 0xF993FAC9} (V2, what MXNet 1.x
 * writes), {@code 0xF993FACA} (V3, numpy shape semantics), {@code 0xF993FAC8} (V1), or anything else for the
 * legacy layout where that u32 is the number of dimensions. V2/V3 follow with an i32 storage type (0 = dense);
 * the shape is {@code i32 ndim} and {@code i64} dims (legacy: u32 dims); a non-empty array then has
 * {@code i32 dev_type, i32 dev_id, i32 type flag} and the raw row-major data.
 *
 * <p>{@link #read} keeps every header detail, so {@link #write} reproduces a file byte for byte.
 * Sparse arrays (row_sparse, csr) are kept as raw bytes for round trips but cannot be loaded as tensors.
 *
 * <pre>{@code
 * Map<String, NDArray> params = ParamsFile.load(Path.of("model-0000.params"));  // "arg:conv0_weight" -> ...
 * ParamsFile.save(Path.of("copy-0000.params"), params);                          // V2, atomic
 *
 * ParamsFile file = ParamsFile.read(Path.of("model-0000.params"));             // full detail
 * file.write(Path.of("same-0000.params"));                                      // byte-identical
 * }</pre>
 *
 * Corrupt input (truncation, wrong magic, absurd sizes, name count mismatch) throws
 * {@link ModelFormatException} naming the file and the array; no buffer is allocated before its size has
 * been checked against the bytes left in the file.
 */
public final class ParamsFile {
    private static final Logger LOG = LoggerFactory.getLogger(ParamsFile.class);

    /** The u64 that opens every NDArray list file. */
    public static final long LIST_MAGIC = 0x112L;
    public static final int V1_MAGIC = 0xF993FAC8;
    public static final int V2_MAGIC = 0xF993FAC9;
    public static final int V3_MAGIC = 0xF993FACA;
    /** More dimensions than this is treated as corruption (numpy's limit is 32 as well). */
    public static final int MAX_NDIM = 32;
    /** MXNet's {@code kCPU} device type, written for arrays we create. */
    public static final int DEV_CPU = 1;
    private static final long MAX_NAME_BYTES = 1 << 20;

    /** The per-array header layout. */
    public enum Format {
        /** Before V1: the first u32 is ndim, dims are u32, no storage type. */
        LEGACY,
        /** {@code 0xF993FAC8}: i64 dims, no storage type. */
        V1,
        /** {@code 0xF993FAC9}: storage type + i64 dims; MXNet 1.x default. */
        V2,
        /** {@code 0xF993FACA}: like V2 with numpy shape semantics (0-d arrays are scalars, -1 = unknown). */
        V3
    }

    /**
     * One array of the file with its header details.
     *
     * @param name        the name, or null when the file stores no names
     * @param array       the data; null for an empty ("none") array or a sparse one
     * @param format      header layout
     * @param storageType 0 dense, 1 row_sparse, 2 csr; 0 for formats without the field
     * @param shape       the stored shape; null when V3 says the rank is unknown (ndim -1)
     * @param devType     MXNet device type the array was saved from (1 = CPU); 0 for none arrays
     * @param devId       device id
     * @param raw         the array's bytes as read, only for sparse arrays (written back verbatim)
     */
    public record Entry(String name, NDArray array, Format format, int storageType, long[] shape,
                        int devType, int devId, byte[] raw) {
        /** A dense CPU array as MXNet 1.x saves it (V2). */
        public static Entry dense(String name, NDArray array) {
            return new Entry(name, array, Format.V2, 0, array.shape(), DEV_CPU, 0, null);
        }

        /** True for an array without data (MXNet's {@code is_none()}). */
        public boolean isNone() {
            return array == null && raw == null;
        }
    }

    private final long reserved;
    private final List<Entry> entries;
    private final boolean named;
    private final byte[] trailing;

    /**
     * A file holding {@code entries}. {@code named} says whether names are stored (MXNet allows an unnamed
     * list); {@code trailing} is kept only to reproduce bytes found after the names (usually empty).
     */
    public ParamsFile(long reserved, List<Entry> entries, boolean named, byte[] trailing) {
        this.reserved = reserved;
        this.entries = List.copyOf(entries);
        this.named = named;
        this.trailing = trailing == null ? new byte[0] : trailing.clone();
        if (named) {
            for (int i = 0; i < this.entries.size(); i++) {
                if (this.entries.get(i).name() == null) throw new IllegalArgumentException("array #" + i + " has no name");
            }
        }
    }

    /** A V2 file holding {@code params} in map order, as MXNet 1.x's {@code mx.nd.save} writes it. */
    public static ParamsFile of(Map<String, NDArray> params) {
        List<Entry> list = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("null name or array in params map");
            }
            if (e.getValue().ndim() == 0) {
                // V2 writes ndim 0 as "no data": the value would be lost.
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is 0-dimensional; MXNet's V2 .params"
                        + " format cannot store scalars, reshape it to (1,)");
            }
            list.add(Entry.dense(e.getKey(), e.getValue()));
        }
        return new ParamsFile(0, list, true, null);
    }

    public long reserved() { return reserved; }

    /** The arrays in file order. */
    public List<Entry> entries() { return entries; }

    /** Whether the file stores names. */
    public boolean named() { return named; }

    /**
     * Reads {@code file} and returns its tensors by name in file order ({@code "arg:conv0_weight"}, ...).
     *
     * @throws ModelFormatException if the file is corrupt, stores no names, repeats a name, or holds an array
     *                              that is empty or sparse (named in the message)
     */
    public static Map<String, NDArray> load(Path file) {
        return read(file).toMap(file);
    }

    /** Writes {@code params} (map order) as a V2 file, atomically. */
    public static void save(Path file, Map<String, NDArray> params) {
        of(params).write(file);
    }

    /** The tensors by name; {@code source} names the file in errors (may be null). */
    public Map<String, NDArray> toMap(Path source) {
        if (!named && !entries.isEmpty()) {
            throw new ModelFormatException(source, "the file stores " + entries.size()
                    + " arrays without names; use ParamsFile.read(...).entries()");
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.raw() != null) {
                throw new ModelFormatException(source, "tensor '" + e.name() + "' (array #" + i + ") uses "
                        + storageName(e.storageType()) + " storage; only dense storage is supported");
            }
            if (e.array() == null) {
                throw new ModelFormatException(source, "tensor '" + e.name() + "' (array #" + i
                        + ") is empty (saved before its shape was known)");
            }
            if (out.put(e.name(), e.array()) != null) {
                throw new ModelFormatException(source, "tensor name '" + e.name() + "' appears more than once");
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads every array and header detail of {@code file}.
     *
     * @throws ModelFormatException if the file is not a valid NDArray list
     * @throws UncheckedIOException on I/O errors
     */
    public static ParamsFile read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ParamsFile pf = new Parser(file, ch).parse();
            LOG.debug("read {}: {} arrays", file, pf.entries.size());
            return pf;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read params file " + file + ": " + e, e);
        }
    }

    private static final class Parser {
        private final Path file;
        private final FileChannel ch;
        private final long size;
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private long pos;
        private String what = "file header";

        Parser(Path file, FileChannel ch) throws IOException {
            this.file = file;
            this.ch = ch;
            this.size = ch.size();
        }

        ModelFormatException error(String message) {
            return new ModelFormatException(file, what + ": " + message);
        }

        ParamsFile parse() throws IOException {
            if (size < 24) {
                throw error("only " + size + " bytes; an MXNet .params file starts with a 24-byte header");
            }
            long magic = readLong("list magic");
            if (magic != LIST_MAGIC) {
                throw error(String.format("wrong magic 0x%X (expected 0x112): not an MXNet .params (NDArray list) file", magic));
            }
            long reserved = readLong("reserved field");
            long count = readLong("array count");
            // The smallest array record is 4 bytes (a legacy empty array): reject counts the file cannot hold.
            if (count < 0 || count > (size - pos) / 4) {
                throw error("claims " + Long.toUnsignedString(count) + " arrays, but only " + (size - pos)
                        + " bytes follow the header (corrupt file)");
            }
            List<Object[]> arrays = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                what = "array #" + i + " (of " + count + ")";
                arrays.add(readArray());
            }
            what = "name list after " + count + " arrays";
            long nameCount = readLong("name count");
            if (nameCount != 0 && nameCount != count) {
                throw error("has " + Long.toUnsignedString(nameCount) + " names for " + count
                        + " arrays (name count mismatch)");
            }
            List<String> names = new ArrayList<>();
            for (int i = 0; i < nameCount; i++) {
                what = "name #" + i;
                long len = readLong("name length");
                if (len < 0 || len > MAX_NAME_BYTES || len > size - pos) {
                    throw error("length " + Long.toUnsignedString(len) + " is impossible (" + (size - pos)
                            + " bytes left)");
                }
                ByteBuffer b = ByteBuffer.allocate((int) len);
                readFully(b, "name bytes");
                try {
                    names.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .decode(b.flip()).toString());
                } catch (CharacterCodingException e) {
                    throw error("is not valid UTF-8");
                }
            }
            byte[] trailing = new byte[0];
            if (pos < size) {
                LOG.warn("{}: {} unexpected bytes after the name list (ignored by MXNet, kept for round trips)",
                        file, size - pos);
                if (size - pos > Integer.MAX_VALUE) throw error("too many trailing bytes");
                ByteBuffer t = ByteBuffer.allocate((int) (size - pos));
                what = "trailing bytes";
                readFully(t, "trailing bytes");
                trailing = t.array();
            }
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < arrays.size(); i++) {
                Object[] a = arrays.get(i);
                String name = names.isEmpty() ? null : names.get(i);
                entries.add(new Entry(name, (NDArray) a[0], (Format) a[1], (Integer) a[2], (long[]) a[3],
                        (Integer) a[4], (Integer) a[5], (byte[]) a[6]));
            }
            return new ParamsFile(reserved, entries, !names.isEmpty() || count == 0, trailing);
        }

        /** {array, format, stype, shape, devType, devId, raw}. */
        private Object[] readArray() throws IOException {
            long start = pos;
            int magic = readInt("magic");
            Format format;
            int stype = 0;
            long[] shape;
            boolean none;
            if (magic == V2_MAGIC || magic == V3_MAGIC) {
                format = magic == V2_MAGIC ? Format.V2 : Format.V3;
                stype = readInt("storage type");
                if (stype == 1 || stype == 2) {
                    skipSparse(format, stype);
                    ByteBuffer raw = ByteBuffer.allocate(Math.toIntExact(pos - start));
                    pos = start;
                    readFully(raw, "sparse array bytes");
                    return new Object[] {null, format, stype, null, 0, 0, raw.array()};
                }
                if (stype != 0) throw error("unknown storage type " + stype + " (0 = dense is supported)");
                shape = readShape(format, false);
                none = format == Format.V3 ? !known(shape) : shape.length == 0;
            } else if (magic == V1_MAGIC) {
                format = Format.V1;
                shape = readShape(format, false);
                none = shape.length == 0;
            } else {
                format = Format.LEGACY;
                long ndim = Integer.toUnsignedLong(magic);
                if (ndim > MAX_NDIM) {
                    throw error(String.format("unknown array magic 0x%08X (not V1/V2/V3; as a legacy header it would"
                            + " mean %d dimensions): corrupt file", magic, ndim));
                }
                shape = new long[(int) ndim];
                for (int d = 0; d < ndim; d++) shape[d] = Integer.toUnsignedLong(readInt("legacy dimension"));
                none = shape.length == 0;
            }
            if (none) return new Object[] {null, format, stype, shape, 0, 0, null};
            int devType = readInt("device type");
            int devId = readInt("device id");
            int typeFlag = readInt("type flag");
            DType dtype = dtype(typeFlag);
            long bytes = dataBytes(shape, dtype);
            if (bytes > Integer.MAX_VALUE) {
                throw error("shape " + Arrays.toString(shape) + " of " + dtype.mxnetName() + " is " + bytes
                        + " bytes; arrays over 2 GiB are not supported");
            }
            ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            readFully(data, "data");
            return new Object[] {new NDArray(shape, dtype, data), format, stype, shape, devType, devId, null};
        }

        /** Walks a sparse array (MXNet's Load with aux data) only to find where it ends. */
        private void skipSparse(Format format, int stype) throws IOException {
            int nad = stype == 1 ? 1 : 2;  // row_sparse: indices; csr: indptr + indices
            long[] storageShape = readShape(format, true);
            long[] shape = readShape(format, false);
            if (format == Format.V3 ? !known(shape) : shape.length == 0) return;
            readInt("device type");
            readInt("device id");
            DType dtype = dtype(readInt("type flag"));
            DType[] auxTypes = new DType[nad];
            long[][] auxShapes = new long[nad][];
            for (int i = 0; i < nad; i++) {
                auxTypes[i] = dtype(readInt("aux type"));
                auxShapes[i] = readShape(format, true);
            }
            skip(dataBytes(storageShape, dtype), "sparse values");
            for (int i = 0; i < nad; i++) skip(dataBytes(auxShapes[i], auxTypes[i]), "sparse aux data");
        }

        private long[] readShape(Format format, boolean mustBeKnown) throws IOException {
            int ndim = readInt("ndim");
            if (ndim == -1 && format == Format.V3 && !mustBeKnown) return null;
            if (ndim < 0 || ndim > MAX_NDIM) {
                throw error("ndim " + ndim + " is absurd (0.." + MAX_NDIM + " expected): corrupt file");
            }
            if ((long) ndim * 8 > size - pos) {
                throw error("truncated: shape of " + ndim + " dims needs " + ndim * 8L + " bytes, " + (size - pos) + " left");
            }
            long[] shape = new long[ndim];
            for (int d = 0; d < ndim; d++) {
                shape[d] = readLong("dimension " + d);
                if (shape[d] < -1 || (shape[d] == -1 && (format != Format.V3 || mustBeKnown))) {
                    throw error("dimension " + d + " is " + shape[d] + ": corrupt file");
                }
            }
            return shape;
        }

        private static boolean known(long[] shape) {
            if (shape == null) return false;
            for (long d : shape) if (d < 0) return false;
            return true;
        }

        private DType dtype(int flag) {
            try {
                return DType.fromMxnetFlag(flag);
            } catch (IllegalArgumentException e) {
                throw error("unknown or unsupported type flag " + flag);
            }
        }

        private long dataBytes(long[] shape, DType dtype) {
            long n = 1;
            try {
                for (long d : shape) n = Math.multiplyExact(n, d);
                n = Math.multiplyExact(n, dtype.byteSize());
            } catch (ArithmeticException e) {
                throw error("shape " + Arrays.toString(shape) + " overflows 64 bits: corrupt file");
            }
            if (n > size - pos) {
                throw error("truncated: shape " + Arrays.toString(shape) + " of " + dtype.mxnetName() + " needs " + n
                        + " bytes of data, only " + (size - pos) + " left in the file");
            }
            return n;
        }

        private void skip(long n, String field) {
            if (n > size - pos) throw error("truncated while reading " + field);
            pos += n;
        }

        private int readInt(String field) throws IOException {
            scratch.clear().limit(4);
            readFully(scratch, field);
            return scratch.getInt(0);
        }

        private long readLong(String field) throws IOException {
            scratch.clear().limit(8);
            readFully(scratch, field);
            return scratch.getLong(0);
        }

        private void readFully(ByteBuffer b, String field) throws IOException {
            if (b.remaining() > size - pos) {
                throw error("truncated: file ends at byte " + size + " while reading " + field + " at byte " + pos
                        + " (" + b.remaining() + " bytes needed)");
            }
            while (b.hasRemaining()) {
                int n = ch.read(b, pos);
                if (n < 0) throw error("unexpected end of file while reading " + field);
                pos += n;
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes this file atomically (temp file + rename), reproducing every stored header detail. */
    public void write(Path file) {
        AtomicFiles.write(file, out -> {
            WritableByteChannel ch = Channels.newChannel(out);
            writeTo(ch);
        });
        LOG.debug("wrote {}: {} arrays", file, entries.size());
    }

    /** Writes the file's bytes to {@code ch}. */
    public void writeTo(WritableByteChannel ch) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putLong(LIST_MAGIC).putLong(reserved).putLong(entries.size());
        writeAll(ch, h.flip());
        for (Entry e : entries) writeEntry(ch, e);
        ByteBuffer n = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        n.putLong(named ? entries.size() : 0);
        writeAll(ch, n.flip());
        if (named) {
            for (Entry e : entries) {
                byte[] b = e.name().getBytes(StandardCharsets.UTF_8);
                ByteBuffer l = ByteBuffer.allocate(8 + b.length).order(ByteOrder.LITTLE_ENDIAN);
                l.putLong(b.length).put(b);
                writeAll(ch, l.flip());
            }
        }
        writeAll(ch, ByteBuffer.wrap(trailing));
    }

    private static void writeEntry(WritableByteChannel ch, Entry e) throws IOException {
        if (e.raw() != null) {
            writeAll(ch, ByteBuffer.wrap(e.raw()));
            return;
        }
        long[] shape = e.array() != null ? e.array().shape() : e.shape();
        int ndim = shape == null ? -1 : shape.length;
        ByteBuffer h = ByteBuffer.allocate(32 + 8 * Math.max(ndim, 0)).order(ByteOrder.LITTLE_ENDIAN);
        switch (e.format()) {
            case LEGACY -> {
                h.putInt(ndim);
                for (long d : shape) {
                    if (d < 0 || d > 0xFFFFFFFFL) {
                        throw new IllegalArgumentException("tensor '" + e.name() + "': dimension " + d
                                + " does not fit a legacy (u32) header");
                    }
                    h.putInt((int) d);
                }
            }
            case V1 -> {
                h.putInt(V1_MAGIC).putInt(ndim);
                for (long d : shape) h.putLong(d);
            }
            case V2, V3 -> {
                h.putInt(e.format() == Format.V2 ? V2_MAGIC : V3_MAGIC).putInt(e.storageType()).putInt(ndim);
                if (shape != null) for (long d : shape) h.putLong(d);
            }
            default -> throw new IllegalStateException();
        }
        if (e.array() == null) {
            writeAll(ch, h.flip());
            return;
        }
        if (e.format() != Format.V3 && ndim == 0) {
            throw new IllegalArgumentException("tensor '" + e.name() + "' is 0-dimensional; only the V3 format can"
                    + " store scalars");
        }
        h.putInt(e.devType()).putInt(e.devId()).putInt(e.array().dtype().mxnetFlag());
        writeAll(ch, h.flip());
        writeAll(ch, e.array().buffer());
    }

    private static void writeAll(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static String storageName(int stype) {
        return switch (stype) {
            case 1 -> "row_sparse";
            case 2 -> "csr";
            default -> "type-" + stype;
        };
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        for (Entry e : entries) names.add(e.name());
        return "ParamsFile(" + entries.size() + " arrays " + (names.size() > 5 ? names.subList(0, 5) + "..." : names) + ")";
    }

    /** Unmodifiable view helper for callers that want names only. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (Entry e : entries) out.add(e.name());
        return Collections.unmodifiableList(out);
    }
}
