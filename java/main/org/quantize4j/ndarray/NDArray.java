package org.quantize4j.ndarray;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A dense tensor: shape, element type and an off-heap little-endian buffer holding the elements in
 * row-major (C) order. Native code receives the buffer directly, never a Java array copy.
 *
 * <pre>{@code
 * NDArray w = NDArray.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
 * float x = w.getFloat(4);           // 5.0
 * FloatBuffer view = w.floatView();  // direct, shares memory with w
 * }</pre>
 */
public final class NDArray {
    private final long[] shape;
    private final DType dtype;
    private final ByteBuffer data;

    /**
     * Wraps {@code data} (a direct buffer of exactly {@code size(shape) * dtype.byteSize()} bytes);
     * the buffer is used as is, not copied.
     */
    public NDArray(long[] shape, DType dtype, ByteBuffer data) {
        this.shape = shape.clone();
        this.dtype = dtype;
        long expected = size(shape) * dtype.byteSize();
        if (data.capacity() != expected) {
            throw new IllegalArgumentException("buffer holds " + data.capacity() + " bytes, shape "
                    + Arrays.toString(shape) + " of " + dtype.mxnetName() + " needs " + expected);
        }
        this.data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN).clear();
    }

    /** A zero-filled array. */
    public static NDArray zeros(long[] shape, DType dtype) {
        long bytes = size(shape) * dtype.byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("array of shape " + Arrays.toString(shape) + " is larger than 2 GiB");
        }
        return new NDArray(shape, dtype, ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** A float32 array holding a copy of {@code values}. */
    public static NDArray ofFloats(long[] shape, float[] values) {
        if (values.length != size(shape)) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Arrays.toString(shape));
        }
        NDArray a = zeros(shape, DType.FLOAT32);
        a.floatView().put(values);
        return a;
    }

    /** Number of elements of a shape (1 for a scalar shape {@code []}). */
    public static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long[] shape() { return shape.clone(); }

    public int ndim() { return shape.length; }

    public long dim(int axis) { return shape[axis]; }

    public DType dtype() { return dtype; }

    /** Number of elements. */
    public long size() { return size(shape); }

    /** Size of the data in bytes. */
    public long byteSize() { return data.capacity(); }

    /** The direct, little-endian buffer (position 0, limit = capacity); shares memory with this array. */
    public ByteBuffer buffer() { return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).clear(); }

    /** A float view of the data; only for FLOAT32 arrays. */
    public FloatBuffer floatView() {
        requireDType(DType.FLOAT32);
        return buffer().asFloatBuffer();
    }

    /** Element {@code i} (flat, row-major) of a FLOAT32 array. */
    public float getFloat(long i) {
        requireDType(DType.FLOAT32);
        return data.getFloat(Math.toIntExact(i * 4));
    }

    /** A copy of the elements as floats, converting from any numeric dtype. */
    public float[] toFloatArray() {
        int n = Math.toIntExact(size());
        float[] out = new float[n];
        ByteBuffer b = buffer();
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case FLOAT32 -> b.getFloat(i * 4);
                case FLOAT64 -> (float) b.getDouble(i * 8);
                case FLOAT16 -> halfToFloat(b.getShort(i * 2));
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                case UINT8, BOOL -> b.get(i) & 0xff;
                case INT8 -> b.get(i);
                case INT32 -> b.getInt(i * 4);
                case INT64 -> b.getLong(i * 8);
            };
        }
        return out;
    }

    /** A FLOAT32 copy of this array (a copy even if it is FLOAT32 already). */
    public NDArray toFloat32() {
        return ofFloats(shape, toFloatArray());
    }

    /** The same data seen with another shape of equal size (no copy). */
    public NDArray reshape(long... newShape) {
        if (size(newShape) != size()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new NDArray(newShape, dtype, data);
    }

    /** A deep copy. */
    public NDArray copy() {
        NDArray c = zeros(shape, dtype);
        c.data.put(buffer());
        c.data.clear();
        return c;
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits >>> 15) << 31;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private void requireDType(DType expected) {
        if (dtype != expected) {
            throw new IllegalStateException("array is " + dtype.mxnetName() + ", not " + expected.mxnetName());
        }
    }

    @Override
    public String toString() {
        return "NDArray" + Arrays.toString(shape) + ":" + dtype.mxnetName();
    }
}
