package org.quantize4j.runtime;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.dnnl.memory;
import org.quantize4j.ndarray.NDArray;

/**
 * One tensor of the graph during the build: a node output, graph input or parameter, with its physical
 * layout. Parameters start as the user's array (no storage) and are materialised per requested layout.
 */
final class Value {
    final String name;
    final long[] shape;
    final memory.desc desc;
    final memory mem;
    final Storage storage;
    /** Non-null for parameters: the values as given (float32). */
    final NDArray param;
    /** The same tensor in other layouts (reorders shared between consumers; parameter layouts). */
    final List<Value> variants = new ArrayList<>();

    Value(String name, long[] shape, memory.desc desc, memory mem, Storage storage, NDArray param) {
        this.name = name;
        this.shape = shape;
        this.desc = desc;
        this.mem = mem;
        this.storage = storage;
        this.param = param;
    }

    boolean isParameter() { return param != null; }
}
