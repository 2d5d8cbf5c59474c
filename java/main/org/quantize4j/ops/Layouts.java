package org.quantize4j.ops;

import org.bytedeco.dnnl.memory;
import org.bytedeco.javacpp.LongPointer;

/**
 * oneDNN memory descriptors for the runtime's layout conventions: 4-D activations NHWC
 * ({@code acdb}), 5-D NDHWC, everything else plain row-major; weights {@code any} so primitives pick
 * their preferred blocked format.
 *
 * <pre>{@code
 * memory.desc x = Layouts.activation(new long[] {1, 64, 56, 56});   // nhwc
 * memory.desc y = Layouts.plain(new long[] {1, 1000});             // nc
 * boolean same = Layouts.sameBytes(a, b);                          // reorder needed?
 * }</pre>
 */
public final class Layouts {
    private static final memory.format_tag[] PLAIN = {
        memory.format_tag.a, memory.format_tag.a, memory.format_tag.ab, memory.format_tag.abc,
        memory.format_tag.abcd, memory.format_tag.abcde, memory.format_tag.abcdef
    };

    private Layouts() {
    }

    /** Dims for oneDNN: a scalar shape {@code ()} becomes {@code (1)}. */
    public static long[] dims(long[] shape) {
        return shape.length == 0 ? new long[] {1} : shape.clone();
    }

    /** Plain row-major float32. */
    public static memory.desc plain(long[] shape) {
        return plain(shape, memory.data_type.f32);
    }

    /** Plain row-major of the given type. */
    public static memory.desc plain(long[] shape, memory.data_type type) {
        long[] d = dims(shape);
        if (d.length >= PLAIN.length) throw new IllegalArgumentException("tensors of rank " + d.length + " are not supported");
        return new memory.desc(d, type, PLAIN[d.length]);
    }

    /** The runtime's activation layout for a shape: NHWC for 4-D, NDHWC for 5-D, plain otherwise. */
    public static memory.desc activation(long[] shape) {
        return activation(shape, memory.data_type.f32);
    }

    public static memory.desc activation(long[] shape, memory.data_type type) {
        if (shape.length == 4) return new memory.desc(shape, type, memory.format_tag.acdb);
        if (shape.length == 5) return new memory.desc(shape, type, memory.format_tag.acdeb);
        return plain(shape, type);
    }

    /** A desc that lets the primitive choose the layout. */
    public static memory.desc any(long[] shape) {
        return new memory.desc(dims(shape), memory.data_type.f32, memory.format_tag.any);
    }

    /** {@code desc}'s layout applied to another shape of the same rank (NHWC stays NHWC), else plain. */
    public static memory.desc likeInput(memory.desc desc, long[] shape) {
        if (shape.length == 4 && isTag(desc, shape.length, new int[] {0, 2, 3, 1})) return activation(shape);
        if (shape.length == 5 && isTag(desc, shape.length, new int[] {0, 2, 3, 4, 1})) return activation(shape);
        return plain(shape);
    }

    /** {@code desc}'s layout (NHWC / NDHWC, else plain) for another shape of the same rank and data type {@code type}. */
    public static memory.desc likeInput(memory.desc desc, long[] shape, memory.data_type type) {
        if (shape.length == 4 && isTag(desc, shape.length, new int[] {0, 2, 3, 1})) return activation(shape, type);
        if (shape.length == 5 && isTag(desc, shape.length, new int[] {0, 2, 3, 4, 1})) return activation(shape, type);
        return plain(shape, type);
    }

    /** A desc of the given type that lets the primitive choose the layout. */
    public static memory.desc any(long[] shape, memory.data_type type) {
        return new memory.desc(dims(shape), type, memory.format_tag.any);
    }

    /** The logical dims of a desc. */
    public static long[] dimsOf(memory.desc d) {
        int n = d.get_ndims();
        LongPointer p = d.get_dims();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = p.get(i);
        return out;
    }

    private static long[] strides(memory.desc d) {
        int n = d.get_ndims();
        LongPointer p = d.get_strides();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = p.get(i);
        return out;
    }

    private static boolean isSimpleBlocked(memory.desc d) {
        // JavaCPP returns enums by value: compare their values, not identities.
        return d.get_format_kind().value == memory.format_kind.blocked.value && d.get_inner_nblks() == 0
                && d.get_submemory_offset() == 0;
    }

    /** True if {@code d} is dense with dims ordered outermost-first as {@code order}. */
    private static boolean isTag(memory.desc d, int rank, int[] order) {
        if (d.get_ndims() != rank || !isSimpleBlocked(d)) return false;
        long[] dims = dimsOf(d);
        long[] st = strides(d);
        long expect = 1;
        for (int k = order.length - 1; k >= 0; k--) {
            int ax = order[k];
            if (dims[ax] != 1 && st[ax] != expect) return false;
            expect *= dims[ax];
        }
        return true;
    }

    /** True if {@code d} is plain row-major (ignoring strides of size-1 dims). */
    public static boolean isPlain(memory.desc d) {
        int rank = d.get_ndims();
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) order[i] = i;
        return isTag(d, rank, order);
    }

    /**
     * True if both descs put every element at the same byte offset (so one can be read as the other
     * without a reorder): equal descs, or dense non-blocked layouts that differ only in strides of
     * size-1 dims (NCHW vs NHWC with C == 1 or H == W == 1).
     */
    public static boolean sameBytes(memory.desc a, memory.desc b) {
        if (a.equals(b)) return true;
        if (a.get_data_type().value != b.get_data_type().value || !isSimpleBlocked(a) || !isSimpleBlocked(b)) return false;
        long[] da = dimsOf(a);
        long[] db = dimsOf(b);
        if (!java.util.Arrays.equals(da, db)) return false;
        if (a.get_size() != b.get_size()) return false;
        long[] sa = strides(a);
        long[] sb = strides(b);
        for (int i = 0; i < da.length; i++) if (da[i] != 1 && sa[i] != sb[i]) return false;
        return true;
    }

    public static long product(long[] shape, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }
}
