package org.quantize4j.runtime;

import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import java.nio.ByteBuffer;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.stream;
import org.quantize4j.ops.HostStep;

/**
 * One step of forward(), built once: a primitive execution with its argument map, or a Java
 * {@link HostStep} over the bytes of some memories (bound to buffers after planning).
 */
final class Step {
    final primitive prim;
    final IntMemoryMap args;
    /** The node it belongs to (for logs, errors and profiles). */
    final String nodeName;
    /** oneDNN's implementation name ({@code impl_info_str()}), or "java" for a host step (for profiles). */
    final String impl;
    final HostStep host;
    final memory[] hostMemories;
    /** Set by the planner: the bytes behind {@link #hostMemories}. */
    ByteBuffer[] hostBuffers;
    private final dnnl_stream rawStream;

    Step(primitive prim, IntMemoryMap args, String nodeName, String impl) {
        this.prim = prim;
        this.args = args;
        this.nodeName = nodeName;
        this.impl = impl;
        this.host = null;
        this.hostMemories = null;
        this.rawStream = null;
    }

    Step(HostStep host, memory[] memories, String nodeName, dnnl_stream rawStream) {
        this.prim = null;
        this.args = null;
        this.nodeName = nodeName;
        this.impl = "java";
        this.host = host;
        this.hostMemories = memories;
        this.rawStream = rawStream;
    }

    /** The oneDNN primitive kind ("convolution", "reorder", ...), or "host". */
    String kind() {
        // JavaCPP returns a fresh enum object holding the value: intern() gives the named constant.
        return host == null ? prim.get_kind().intern().name() : "host";
    }

    void run(stream s) {
        if (host == null) {
            prim.execute(s, args);
        } else {
            // Primitives before this step must have finished writing what it reads.
            dnnl_stream_wait(rawStream);
            host.run(hostBuffers);
        }
    }
}
