package org.quantize4j.ops;

import java.util.Arrays;
import java.util.Locale;

import org.quantize4j.graph.Attrs;
import org.quantize4j.graph.Node;

/**
 * Reads one node's MXNet attributes with defaults, turning every parse problem into an
 * {@link InvalidAttributeException} that names node, op and attribute.
 *
 * <pre>{@code
 * AttrReader a = new AttrReader(node, "Convolution");
 * int[] kernel = a.requiredIntTuple("kernel");
 * boolean noBias = a.bool("no_bias", false);
 * String layout = a.choice("layout", "None", "None", "NCHW");
 * }</pre>
 */
public final class AttrReader {
    private final Node node;
    private final String opName;

    public AttrReader(Node node, String opName) {
        this.node = node;
        this.opName = opName;
    }

    public Node node() { return node; }

    public String opName() { return opName; }

    /** The raw string, or null when absent. */
    public String raw(String key) { return node.attr(key); }

    public boolean has(String key) { return node.attr(key) != null; }

    public InvalidAttributeException error(String key, String problem) {
        return new InvalidAttributeException(node.name(), opName, key, problem);
    }

    /** An error for a value that parses but that this runtime does not support. */
    public InvalidAttributeException unsupported(String key, String why) {
        return error(key, "value '" + raw(key) + "' is not supported" + (why == null ? "" : ": " + why));
    }

    public int integer(String key, int fallback) {
        try {
            return Attrs.integer(raw(key), fallback);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    public int requiredInt(String key) {
        if (!has(key) || raw(key).trim().equals("None")) throw error(key, "is required");
        return integer(key, 0);
    }

    public long longValue(String key, long fallback) {
        try {
            return Attrs.longValue(raw(key), fallback);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    public float floatValue(String key, float fallback) {
        try {
            return Attrs.floatValue(raw(key), fallback);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    public float requiredFloat(String key) {
        if (!has(key) || raw(key).trim().equals("None")) throw error(key, "is required");
        return floatValue(key, 0f);
    }

    public double doubleValue(String key, double fallback) {
        try {
            return Attrs.doubleValue(raw(key), fallback);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    public boolean bool(String key, boolean fallback) {
        try {
            return Attrs.bool(raw(key), fallback);
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
    }

    /** An int tuple; absent, {@code None} or {@code ()} give {@code fallback}. */
    public int[] intTuple(String key, int[] fallback) {
        int[] t;
        try {
            t = Attrs.intTuple(raw(key));
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
        return t == null || t.length == 0 ? fallback : t;
    }

    public int[] requiredIntTuple(String key) {
        int[] t = intTuple(key, null);
        if (t == null) throw error(key, "is required");
        return t;
    }

    public long[] longTuple(String key, long[] fallback) {
        long[] t;
        try {
            t = Attrs.longTuple(raw(key));
        } catch (IllegalArgumentException e) {
            throw error(key, e.getMessage());
        }
        return t == null ? fallback : t;
    }

    /**
     * An enum-like string attribute; must be one of {@code allowed} (compared case-sensitively, as MXNet
     * does). Returns {@code fallback} when absent.
     */
    public String choice(String key, String fallback, String... allowed) {
        String v = raw(key);
        if (v == null) return fallback;
        v = v.trim();
        for (String a : allowed) if (a.equals(v)) return v;
        throw error(key, "value '" + v + "' is not one of " + Arrays.toString(allowed));
    }

    /** The attribute as a lower-case string, or fallback. */
    public String string(String key, String fallback) {
        String v = raw(key);
        return v == null ? fallback : v.trim().toLowerCase(Locale.ROOT);
    }
}
