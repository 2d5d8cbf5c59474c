package org.quantize4j.runtime;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The OpenMP thread count used by oneDNN's CPU primitives (and by our own native calibration code).
 *
 * <p>The binding links libgomp by its soname ({@code libgomp.so.1}); oneDNN's JavaCPP presets load that same
 * library first, so setting the count here changes the pool that oneDNN actually uses (a second copy of the
 * runtime would have its own, unrelated thread count).
 *
 * <pre>{@code
 * OmpThreads.setNumThreads(2);
 * int n = OmpThreads.maxThreads();   // 2
 * }</pre>
 */
@Platform(include = "<omp.h>", link = "gomp@.1")
public final class OmpThreads {
    static {
        // oneDNN's presets preload libgomp.so.1 shipped in their jar; load them first so our JNI library binds
        // to that instance instead of pulling in another copy.
        Loader.load(org.bytedeco.dnnl.global.dnnl.class);
        Loader.load();
    }

    private OmpThreads() {
    }

    @Name("omp_set_num_threads")
    private static native void ompSetNumThreads(int n);

    @Name("omp_get_max_threads")
    private static native int ompGetMaxThreads();

    /**
     * Sets the number of OpenMP threads for subsequent parallel regions of the calling thread
     * (OpenMP's {@code nthreads-var} ICV is per thread, so call it on the thread that runs the primitives).
     *
     * @param n number of threads, at least 1
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static void setNumThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("OpenMP thread count must be >= 1, got " + n);
        }
        ompSetNumThreads(n);
    }

    /** Returns {@code omp_get_max_threads()}: the thread count the next parallel region of this thread would use. */
    public static int maxThreads() {
        return ompGetMaxThreads();
    }
}
