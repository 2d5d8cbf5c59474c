package org.quantize4j.ops;

import java.nio.ByteBuffer;

/**
 * A small piece of Java run by the executor between primitives, in graph order, e.g. turning a
 * min/max computed at run time into the scale a quantizing primitive reads. It sees the bytes of the
 * memories it was registered with ({@link KernelContext#addHostStep}) as native-order buffers, one per
 * memory, at position 0 (read and write them with absolute get/put). It runs every forward(), so it must
 * not allocate.
 *
 * <pre>{@code
 * ctx.addHostStep(b -> b[1].putFloat(0, Math.abs(b[0].getFloat(0)) / 127f), maxMem, scaleMem);
 * }</pre>
 */
@FunctionalInterface
public interface HostStep {
    void run(ByteBuffer[] buffers);
}
