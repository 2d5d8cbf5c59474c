package org.quantize4j.gluon;

/**
 * An open naming scope ({@link Block#nameScope()}, {@link NameManager#fresh()}); use it in
 * try-with-resources, as Python's {@code with}.
 *
 * <pre>{@code
 * try (NameScope s = nameScope()) {
 *     body = register("body", new HybridSequential(""));
 * }
 * }</pre>
 */
public interface NameScope extends AutoCloseable {
    /** Restores the previous scope. */
    @Override
    void close();
}
