package org.quantize4j.ndarray;

/**
 * Element types of MXNet NDArrays, with the type flag MXNet writes into {@code .params} files.
 *
 * <pre>{@code
 * DType t = DType.fromMxnetFlag(0);   // FLOAT32
 * int bytes = t.byteSize();           // 4
 * }</pre>
 */
public enum DType {
    FLOAT32(0, 4, "float32"),
    FLOAT64(1, 8, "float64"),
    FLOAT16(2, 2, "float16"),
    UINT8(3, 1, "uint8"),
    INT32(4, 4, "int32"),
    INT8(5, 1, "int8"),
    INT64(6, 8, "int64"),
    BOOL(7, 1, "bool"),
    BFLOAT16(12, 2, "bfloat16");

    private final int mxnetFlag;
    private final int byteSize;
    private final String mxnetName;

    DType(int mxnetFlag, int byteSize, String mxnetName) {
        this.mxnetFlag = mxnetFlag;
        this.byteSize = byteSize;
        this.mxnetName = mxnetName;
    }

    /** The type flag stored in MXNet files and in the {@code __dtype__} attribute. */
    public int mxnetFlag() { return mxnetFlag; }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** MXNet's (numpy's) name of the type, e.g. {@code "int8"}. */
    public String mxnetName() { return mxnetName; }

    /** @throws IllegalArgumentException for a flag MXNet does not define (or we do not support) */
    public static DType fromMxnetFlag(int flag) {
        for (DType t : values()) {
            if (t.mxnetFlag == flag) return t;
        }
        throw new IllegalArgumentException("unknown MXNet dtype flag " + flag);
    }

    /** Looks a type up by its MXNet/numpy name ("float32", "int8", "uint8", ...). */
    public static DType fromMxnetName(String name) {
        for (DType t : values()) {
            if (t.mxnetName.equals(name)) return t;
        }
        throw new IllegalArgumentException("unknown MXNet dtype name '" + name + "'");
    }
}
