package org.quantize4j.runtime;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.stream;

/** One primitive execution of forward(): the primitive and its argument map, both built once. */
final class Step {
    final primitive prim;
    final IntMemoryMap args;
    /** The node it belongs to (for logs and errors). */
    final String nodeName;

    Step(primitive prim, IntMemoryMap args, String nodeName) {
        this.prim = prim;
        this.args = args;
        this.nodeName = nodeName;
    }

    void run(stream s) {
        prim.execute(s, args);
    }
}
