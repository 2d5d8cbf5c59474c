package org.quantize4j.gluon.init;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fills with 0 (MXNet {@code mx.init.Zero}, also named {@code "zeros"}).
 *
 * <pre>{@code
 * Parameter bias = params().get("bias", new long[] {16}, new Zero());
 * }</pre>
 */
public final class Zero extends Initializer {
    public Zero() {
        super("zero", Map.of());
    }

    @Override
    protected void fill(String paramName, long[] shape, float[] out, SplittableRandom rnd) {
        java.util.Arrays.fill(out, 0f);
    }
}
