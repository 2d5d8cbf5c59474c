package org.quantize4j.ndarray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quantize4j.AtomicFiles;
import org.quantize4j.ModelFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), little-endian, C order, for the dtypes
 * {@code <f4 <f8 <f2 <i8 <i4 |u1 |i1 |b1}. Writing produces the same bytes as {@code numpy.save}
 * (header dict in sorted key order, growth padding, 64-byte alignment).
 *
 * <pre>{@code
 * NDArray logits = Npy.read(Path.of("test-models/fmnist_mlp-fp32-logits-test256.npy"));  // (256, 10) float32
 * Npy.write(Path.of("out.npy"), logits);                                                   // atomic
 * }</pre>
 *
 * Fortran-order arrays, big-endian data and other dtypes are rejected with a {@link ModelFormatException}
 * naming the file.
 */
public final class Npy {
    private static final Logger LOG = LoggerFactory.getLogger(Npy.class);
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** numpy leaves room for the first axis to grow to this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int MAX_HEADER = 1 << 20;

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** The numpy type string ({@code "<f4"}) of a dtype. */
    public static String descr(DType t) {
        return switch (t) {
            case FLOAT32 -> "<f4";
            case FLOAT64 -> "<f8";
            case FLOAT16 -> "<f2";
            case INT64 -> "<i8";
            case INT32 -> "<i4";
            case UINT8 -> "|u1";
            case INT8 -> "|i1";
            case BOOL -> "|b1";
            case BFLOAT16 -> throw new IllegalArgumentException("numpy has no bfloat16 dtype");
        };
    }

    private static DType dtypeOf(String descr, Path file) {
        String d = descr;
        if (d.length() == 3 && d.charAt(0) == '>' && !d.substring(1).equals("u1") && !d.substring(1).equals("i1")
                && !d.substring(1).equals("b1")) {
            throw new ModelFormatException(file, "big-endian dtype '" + descr + "' is not supported");
        }
        if (d.length() == 3 && (d.charAt(0) == '=' || d.charAt(0) == '>' || d.charAt(0) == '<')) {
            d = (d.charAt(2) == '1' ? "|" : "<") + d.substring(1);
        }
        for (DType t : DType.values()) {
            if (t != DType.BFLOAT16 && descr(t).equals(d)) return t;
        }
        throw new ModelFormatException(file, "unsupported npy dtype '" + descr + "' (supported: <f4 <f8 <f2 <i8 <i4 |u1 |i1 |b1)");
    }

    /**
     * Reads an array.
     *
     * @throws ModelFormatException when the file is not a supported .npy file
     */
    public static NDArray read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, pre, 0, size, file, "magic");
            for (int i = 0; i < MAGIC.length; i++) {
                if (pre.get(i) != MAGIC[i]) throw new ModelFormatException(file, "wrong magic: not a .npy file");
            }
            int major = pre.get(6) & 0xff;
            long headerLen;
            int prefix;
            if (major == 1) {
                headerLen = pre.getShort(8) & 0xffff;
                prefix = 10;
            } else if (major == 2 || major == 3) {
                headerLen = pre.getInt(8) & 0xffffffffL;
                prefix = 12;
            } else {
                throw new ModelFormatException(file, "unsupported .npy format version " + major + "." + (pre.get(7) & 0xff));
            }
            if (headerLen > MAX_HEADER || prefix + headerLen > size) {
                throw new ModelFormatException(file, "truncated or corrupt: header length " + headerLen
                        + " but the file has " + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, prefix, size, file, "header");
            String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

            Matcher m = DESCR.matcher(header);
            if (!m.find()) throw new ModelFormatException(file, "header has no 'descr': " + header.trim());
            DType dtype = dtypeOf(m.group(1), file);
            m = FORTRAN.matcher(header);
            if (!m.find()) throw new ModelFormatException(file, "header has no 'fortran_order': " + header.trim());
            if (m.group(1).equals("True")) {
                throw new ModelFormatException(file, "Fortran-order (column-major) arrays are not supported;"
                        + " save with numpy.ascontiguousarray");
            }
            m = SHAPE.matcher(header);
            if (!m.find()) throw new ModelFormatException(file, "header has no 'shape': " + header.trim());
            long[] shape = parseShape(m.group(1), file);

            long offset = prefix + headerLen;
            long bytes;
            try {
                bytes = Math.multiplyExact(NDArray.size(shape), dtype.byteSize());
            } catch (ArithmeticException e) {
                throw new ModelFormatException(file, "shape " + Arrays.toString(shape) + " overflows");
            }
            if (bytes > size - offset) {
                throw new ModelFormatException(file, "truncated: shape " + Arrays.toString(shape) + " of "
                        + dtype.mxnetName() + " needs " + bytes + " bytes of data, the file has " + (size - offset));
            }
            if (bytes > Integer.MAX_VALUE) {
                throw new ModelFormatException(file, "arrays over 2 GiB are not supported");
            }
            if (bytes < size - offset) {
                LOG.warn("{}: {} bytes after the array data ignored", file, size - offset - bytes);
            }
            ByteBuffer data = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, data, offset, size, file, "data");
            return new NDArray(shape, dtype, data);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e, e);
        }
    }

    private static long[] parseShape(String s, Path file) {
        List<Long> dims = new ArrayList<>();
        for (String p : s.split(",")) {
            String t = p.trim();
            if (t.isEmpty()) continue;
            if (t.endsWith("L")) t = t.substring(0, t.length() - 1);
            try {
                long d = Long.parseLong(t);
                if (d < 0) throw new NumberFormatException();
                dims.add(d);
            } catch (NumberFormatException e) {
                throw new ModelFormatException(file, "bad shape (" + s + ")");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos, long size, Path file, String what)
            throws IOException {
        if (b.remaining() > size - pos) {
            throw new ModelFormatException(file, "truncated while reading the " + what);
        }
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) throw new ModelFormatException(file, "truncated while reading the " + what);
            pos += n;
        }
    }

    /** Writes {@code array} as numpy would ({@code numpy.save}), atomically. */
    public static void write(Path file, NDArray array) {
        byte[] header = header(array);
        AtomicFiles.write(file, out -> {
            out.write(header);
            WritableByteChannel ch = Channels.newChannel(out);
            ByteBuffer b = array.buffer();
            while (b.hasRemaining()) ch.write(b);
        });
    }

    /** The magic, version, length and header dict numpy writes for {@code array}. */
    static byte[] header(NDArray array) {
        long[] shape = array.shape();
        StringBuilder sb = new StringBuilder();
        sb.append("{'descr': '").append(descr(array.dtype())).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        if (shape.length == 1) sb.append(',');
        sb.append("), }");
        if (shape.length > 0) sb.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        byte[] dict = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        int hlen = dict.length + 1;
        // Version 1.0 stores the header length in a u16; numpy moves to 2.0 when it does not fit.
        int version = 1;
        int lenBytes = 2;
        int pad = ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ALIGN);
        if (hlen + pad > 0xffff) {
            version = 2;
            lenBytes = 4;
            pad = ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ALIGN);
        }
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + lenBytes + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) b.putShort((short) (hlen + pad));
        else b.putInt(hlen + pad);
        b.put(dict);
        for (int i = 0; i < pad; i++) b.put((byte) ' ');
        b.put((byte) '\n');
        return b.array();
    }
}
