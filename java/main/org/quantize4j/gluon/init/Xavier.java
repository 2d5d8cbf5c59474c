package org.quantize4j.gluon.init;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Xavier/Glorot initialization (MXNet {@code mx.init.Xavier}): with fan_in = shape[1] * receptive field and
 * fan_out = shape[0] * receptive field, scale = sqrt(magnitude / factor) where factor is fan_in, fan_out or
 * their average; values uniform in [-scale, scale] or normal with standard deviation scale.
 *
 * <pre>{@code
 * Initializer he = new Xavier("gaussian", "out", 2);   // VGG's conv initializer ("MSRA")
 * net.initialize(new Xavier(), 42);                     // uniform, avg, magnitude 3
 * }</pre>
 */
public final class Xavier extends Initializer {
    private final String rndType;
    private final String factorType;
    private final double magnitude;

    public Xavier() {
        this("uniform", "avg", 3);
    }

    /**
     * @param rndType    "uniform" or "gaussian"
     * @param factorType "avg", "in" or "out"
     * @param magnitude  Integer or Double (kept as given for the {@code __init__} description)
     */
    public Xavier(String rndType, String factorType, Number magnitude) {
        super("xavier", kwargs(rndType, factorType, magnitude));
        if (!rndType.equals("uniform") && !rndType.equals("gaussian")) {
            throw new IllegalArgumentException("Xavier rnd_type must be uniform or gaussian, not '" + rndType + "'");
        }
        if (!factorType.equals("avg") && !factorType.equals("in") && !factorType.equals("out")) {
            throw new IllegalArgumentException("Xavier factor_type must be avg, in or out, not '" + factorType + "'");
        }
        this.rndType = rndType;
        this.factorType = factorType;
        this.magnitude = magnitude.doubleValue();
    }

    private static Map<String, Object> kwargs(String rndType, String factorType, Number magnitude) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rnd_type", rndType);
        m.put("factor_type", factorType);
        m.put("magnitude", magnitude);
        return m;
    }

    @Override
    protected void fill(String paramName, long[] shape, float[] out, SplittableRandom rnd) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("Xavier initializer cannot be applied to vector " + paramName
                    + ": it requires at least 2 dimensions, shape has " + shape.length);
        }
        double hw = 1;
        for (int i = 2; i < shape.length; i++) hw *= shape[i];
        double fanIn = shape[1] * hw;
        double fanOut = shape[0] * hw;
        double factor = switch (factorType) {
            case "in" -> fanIn;
            case "out" -> fanOut;
            default -> (fanIn + fanOut) / 2.0;
        };
        double scale = Math.sqrt(magnitude / factor);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (rndType.equals("uniform") ? rnd.nextDouble(-scale, scale) : rnd.nextGaussian() * scale);
        }
    }
}
