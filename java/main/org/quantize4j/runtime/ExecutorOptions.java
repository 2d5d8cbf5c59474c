package org.quantize4j.runtime;

/**
 * Settings of an {@link Executor}.
 *
 * <pre>{@code
 * Executor e = Executor.create(sym, params, shapes, new ExecutorOptions(2));   // 2 OpenMP threads
 * Executor d = Executor.create(sym, params, shapes, ExecutorOptions.defaults()); // all cores
 * }</pre>
 *
 * @param threads OpenMP threads for the primitives; 0 = the OpenMP default (all cores)
 */
public record ExecutorOptions(int threads) {
    public ExecutorOptions {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
    }

    /** All cores. */
    public static ExecutorOptions defaults() {
        return new ExecutorOptions(0);
    }
}
