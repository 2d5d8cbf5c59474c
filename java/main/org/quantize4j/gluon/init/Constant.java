package org.quantize4j.gluon.init;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fills with one value (MXNet {@code mx.init.Constant(value)}).
 *
 * <pre>{@code
 * net.initialize(new Constant(0.5), 0);
 * }</pre>
 */
public final class Constant extends Initializer {
    private final float value;

    /** @param value an Integer or Double, kept as given for the {@code __init__} description */
    public Constant(Number value) {
        super("constant", Map.of("value", value));
        this.value = value.floatValue();
    }

    @Override
    protected void fill(String paramName, long[] shape, float[] out, SplittableRandom rnd) {
        java.util.Arrays.fill(out, value);
    }
}
