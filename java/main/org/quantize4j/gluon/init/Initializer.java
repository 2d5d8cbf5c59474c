package org.quantize4j.gluon.init;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.quantize4j.gluon.PyFormat;
import org.quantize4j.ndarray.NDArray;

/**
 * Fills a parameter with initial values, as MXNet's {@code mx.init.*}. Each initializer has MXNet's
 * registered name and keyword arguments, so {@link #dumps()} gives the {@code __init__} attribute MXNet
 * writes into a symbol ({@code ["xavier", {"rnd_type": "gaussian", "factor_type": "out", "magnitude": 2}]});
 * one created from a plain name ({@code Initializer.create("zeros")}) is written as that name, as Gluon does
 * for {@code bias_initializer='zeros'}.
 *
 * <p>Random values come from a generator seeded with {@code seed} and the parameter's name, so the same
 * seed gives the same weights whatever order parameters are initialized in (the values are not MXNet's:
 * its random stream cannot be reproduced).
 *
 * <pre>{@code
 * Initializer x = new Xavier("gaussian", "out", 2);
 * Initializer z = Initializer.create("zeros");                 // dumps() == "zeros"
 * Initializer n = Initializer.create("[\"normal\", {\"sigma\": 0.02}]");
 * x.initialize("conv0_weight", array, 42);
 * }</pre>
 */
public abstract class Initializer {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String name;
    private final Map<String, Object> kwargs;
    private String alias;

    /**
     * @param name   MXNet's registered name, lower case ({@code "xavier"})
     * @param kwargs the constructor arguments in MXNet's order (Integer/Double/String/Boolean values)
     */
    protected Initializer(String name, Map<String, Object> kwargs) {
        this.name = name;
        this.kwargs = Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
    }

    /** MXNet's registered name ({@code "xavier"}, {@code "zero"}). */
    public String name() { return name; }

    /** Constructor arguments as MXNet records them. */
    public Map<String, Object> kwargs() { return kwargs; }

    /** The {@code __init__} attribute value: the plain name it was created from, or MXNet's JSON form. */
    public String dumps() {
        return alias != null ? alias : PyFormat.json(List.of(name, kwargs));
    }

    /**
     * Fills {@code out} (the values of a parameter of {@code shape}, row-major) using {@code rnd}.
     *
     * @throws IllegalArgumentException when the shape does not suit this initializer (Xavier on a vector)
     */
    protected abstract void fill(String paramName, long[] shape, float[] out, SplittableRandom rnd);

    /** Fills {@code arr} (float32) for parameter {@code paramName}, deterministically from {@code seed}. */
    public void initialize(String paramName, NDArray arr, long seed) {
        int n = Math.toIntExact(arr.size());
        float[] v = new float[n];
        fill(paramName, arr.shape(), v, new SplittableRandom(mix(seed, paramName)));
        arr.floatView().put(v);
    }

    private static long mix(long seed, String name) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < name.length(); i++) h = (h ^ name.charAt(i)) * 0x100000001B3L;
        return h ^ (h >>> 29);
    }

    /**
     * The initializer an {@code __init__} attribute or a Gluon initializer string names: a registered name
     * ({@code "zeros"}, {@code "ones"}, {@code "normal"}, {@code "uniform"}, {@code "xavier"},
     * {@code "constant"}) or MXNet's JSON form {@code ["name", {kwargs}]}.
     *
     * @throws IllegalArgumentException for an unknown initializer or malformed arguments
     */
    public static Initializer create(String spec) {
        String s = spec.trim();
        Initializer init;
        if (s.startsWith("[")) {
            JsonNode root;
            try {
                root = JSON.readTree(s);
            } catch (Exception e) {
                throw new IllegalArgumentException("initializer '" + spec + "' is not valid JSON: " + e.getMessage());
            }
            if (!root.isArray() || root.size() != 2 || !root.get(0).isTextual() || !root.get(1).isObject()) {
                throw new IllegalArgumentException("initializer '" + spec + "' is not of the form [\"name\", {kwargs}]");
            }
            Map<String, Object> kw = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get(1).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                kw.put(e.getKey(), v.isIntegralNumber() ? (Object) v.asLong() : v.isNumber() ? (Object) v.asDouble()
                        : v.isBoolean() ? (Object) v.asBoolean() : v.asText());
            }
            init = byName(root.get(0).asText(), kw, spec);
            return init;
        }
        init = byName(s, Map.of(), spec);
        init.alias = s;
        return init;
    }

    private static Initializer byName(String name, Map<String, Object> kw, String spec) {
        try {
            return switch (name.toLowerCase()) {
                case "zero", "zeros" -> new Zero();
                case "one", "ones" -> new One();
                case "constant" -> new Constant(number(kw, "value", 0.0));
                case "uniform" -> new Uniform(number(kw, "scale", 0.07));
                case "normal" -> new Normal(number(kw, "sigma", 0.01));
                case "xavier" -> new Xavier(String.valueOf(kw.getOrDefault("rnd_type", "uniform")),
                        String.valueOf(kw.getOrDefault("factor_type", "avg")), (Number) kw.getOrDefault("magnitude", 3));
                default -> throw new IllegalArgumentException("unknown initializer '" + name + "' in '" + spec
                        + "' (known: zeros, ones, constant, uniform, normal, xavier)");
            };
        } catch (ClassCastException e) {
            throw new IllegalArgumentException("bad arguments for initializer in '" + spec + "'");
        }
    }

    private static Number number(Map<String, Object> kw, String key, Number fallback) {
        Object v = kw.get(key);
        if (v == null) return fallback;
        if (v instanceof Number n) return n;
        throw new IllegalArgumentException("initializer argument " + key + " must be a number, got '" + v + "'");
    }

    @Override
    public String toString() {
        return dumps();
    }
}
