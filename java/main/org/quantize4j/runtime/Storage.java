package org.quantize4j.runtime;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.dnnl.memory;

/**
 * A buffer of the executor: the bytes behind one or more values (views, aliases, in-place results).
 * Activation storages are only sized and given a live range while the graph is built; the planner
 * then assigns them slices of shared buffers.
 */
final class Storage {
    enum Kind {
        /** Intermediate result, planned with reuse. */
        ACTIVATION,
        /** User input staging (NCHW): written by setInput, never reused. */
        INPUT,
        /** Graph output in plain layout: readable after forward, never reused. */
        OUTPUT,
        /** Parameter in its final layout, filled at build time. */
        CONSTANT,
        /** oneDNN scratchpad shared by all primitives. */
        SCRATCH
    }

    final int id;
    Kind kind;
    long bytes;
    /** First and last time (node ordinal) the bytes are written / read. */
    int def = Integer.MAX_VALUE;
    int lastUse = Integer.MIN_VALUE;
    /** In-place merge: the storage this one was folded into. */
    Storage mergedInto;
    final List<memory> memories = new ArrayList<>();
    ByteBuffer buffer;

    Storage(int id, Kind kind, long bytes) {
        this.id = id;
        this.kind = kind;
        this.bytes = bytes;
    }

    Storage root() {
        Storage s = this;
        while (s.mergedInto != null) s = s.mergedInto;
        return s;
    }

    void write(int t) {
        def = Math.min(def, t);
        lastUse = Math.max(lastUse, t);
    }

    void read(int t) {
        lastUse = Math.max(lastUse, t);
    }

    boolean planned() {
        return kind == Kind.ACTIVATION;
    }

    @Override
    public String toString() {
        return "Storage#" + id + "(" + kind + ", " + bytes + " B, [" + def + ", " + lastUse + "])";
    }
}
