package org.quantize4j.gluon.init;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Normal values with mean 0 and standard deviation sigma (MXNet {@code mx.init.Normal}, default 0.01).
 *
 * <pre>{@code
 * Dense fc = Dense.builder(10).weightInitializer(new Normal(0.02)).build();
 * }</pre>
 */
public final class Normal extends Initializer {
    private final double sigma;

    public Normal() {
        this(0.01);
    }

    public Normal(Number sigma) {
        super("normal", Map.of("sigma", sigma));
        this.sigma = sigma.doubleValue();
    }

    @Override
    protected void fill(String paramName, long[] shape, float[] out, SplittableRandom rnd) {
        for (int i = 0; i < out.length; i++) out[i] = (float) (rnd.nextGaussian() * sigma);
    }
}
