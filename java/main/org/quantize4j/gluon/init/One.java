package org.quantize4j.gluon.init;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fills with 1 (MXNet {@code mx.init.One}, also named {@code "ones"}).
 *
 * <pre>{@code
 * Parameter gamma = params().get("gamma", new long[] {16}, new One());
 * }</pre>
 */
public final class One extends Initializer {
    public One() {
        super("one", Map.of());
    }

    @Override
    protected void fill(String paramName, long[] shape, float[] out, SplittableRandom rnd) {
        java.util.Arrays.fill(out, 1f);
    }
}
