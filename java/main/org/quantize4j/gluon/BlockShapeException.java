package org.quantize4j.gluon;

/**
 * A block's forward cannot be set up for the given input shapes: shapes do not fit an operator, or a
 * parameter's shape cannot be inferred (deferred initialization failed). The message names the block
 * (class, prefix and position in the network, e.g. {@code Conv2D 'net0_conv1_' (at 2)}) and the input shapes.
 *
 * <pre>{@code
 * try { net.forward(x); }
 * catch (BlockShapeException e) { log.error("{} (block {})", e.getMessage(), e.block()); }
 * }</pre>
 */
public class BlockShapeException extends IllegalArgumentException {
    private final String block;

    public BlockShapeException(String block, String message, Throwable cause) {
        super(message, cause);
        this.block = block;
    }

    /** The block (or parameter) at fault, described as in the message. */
    public String block() { return block; }
}
