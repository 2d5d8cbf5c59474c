package org.quantize4j.gluon.init;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Uniform values in [-scale, scale] (MXNet {@code mx.init.Uniform}, default scale 0.07; Gluon's default
 * initializer).
 *
 * <pre>{@code
 * net.initialize(new Uniform(0.1), 7);
 * }</pre>
 */
public final class Uniform extends Initializer {
    private final double scale;

    public Uniform() {
        this(0.07);
    }

    public Uniform(Number scale) {
        super("uniform", Map.of("scale", scale));
        this.scale = scale.doubleValue();
    }

    @Override
    protected void fill(String paramName, long[] shape, float[] out, SplittableRandom rnd) {
        for (int i = 0; i < out.length; i++) out[i] = (float) (scale == 0 ? 0 : rnd.nextDouble(-scale, scale));
    }
}
