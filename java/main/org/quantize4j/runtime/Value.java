package org.quantize4j.runtime;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.dnnl.memory;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;

/**
 * One tensor of the graph during the build: a node output, graph input or parameter, with its physical
 * layout and logical element type. Parameters start as the user's array (no storage) and are
 * materialised per requested layout. Build-time constants declared by ops (calibrated min/max) carry
 * their values as well as a constant memory.
 */
final class Value {
    final String name;
    final long[] shape;
    final memory.desc desc;
    final memory mem;
    final Storage storage;
    /** Non-null for parameters: the values as given (float32, or int8/uint8/int32 as stored). */
    final NDArray param;
    /** Logical element type (INT32 values are held as float32 reals). */
    final DType dtype;
    /** Non-null when the values are known at build time (parameters excluded). */
    final float[] constant;
    /** The same tensor in other layouts (reorders shared between consumers; parameter layouts). */
    final List<Value> variants = new ArrayList<>();

    Value(String name, long[] shape, memory.desc desc, memory mem, Storage storage, NDArray param) {
        this(name, shape, desc, mem, storage, param, param == null ? DType.FLOAT32 : param.dtype(), null);
    }

    Value(String name, long[] shape, memory.desc desc, memory mem, Storage storage, NDArray param, DType dtype, float[] constant) {
        this.name = name;
        this.shape = shape;
        this.desc = desc;
        this.mem = mem;
        this.storage = storage;
        this.param = param;
        this.dtype = dtype;
        this.constant = constant;
    }

    boolean isParameter() { return param != null; }
}
