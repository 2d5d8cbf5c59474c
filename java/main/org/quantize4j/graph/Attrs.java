package org.quantize4j.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses and formats MXNet attribute strings, the values of a node's {@code "attrs"} map. MXNet writes
 * every parameter as a string: tuples as {@code "(3, 3)"} (also accepted: {@code "[3,3]"}, {@code "3"},
 * {@code "(3,)"}, {@code "None"}), booleans as {@code "True"}/{@code "False"} (also {@code "true"},
 * {@code "1"}, {@code "0"}), numbers in C/Python syntax, enums as bare words ({@code "relu"}).
 *
 * <pre>{@code
 * int[] kernel = Attrs.intTuple(node.attr("kernel"));            // "(3, 3)" -> {3, 3}
 * boolean noBias = Attrs.bool(node.attr("no_bias"), false);       // "True" -> true
 * int filters = Attrs.integer(node.attr("num_filter"), 0);        // "16" -> 16
 * String formatted = Attrs.formatTuple(new int[] {1, 1});         // "(1, 1)"
 * }</pre>
 *
 * Malformed values throw {@link IllegalArgumentException} quoting the value; callers add the node name.
 */
public final class Attrs {
    private Attrs() {
    }

    /**
     * Parses a tuple of integers. {@code "None"} and {@code null} give {@code null}; {@code "()"} gives an
     * empty array; a bare number gives a one-element array (MXNet accepts {@code kernel=3}).
     */
    public static int[] intTuple(String value) {
        long[] l = longTuple(value);
        if (l == null) return null;
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("tuple element " + l[i] + " out of int range in '" + value + "'");
            }
            out[i] = (int) l[i];
        }
        return out;
    }

    /** {@link #intTuple(String)}, or {@code fallback} when the value is absent or {@code "None"}. */
    public static int[] intTuple(String value, int[] fallback) {
        int[] t = intTuple(value);
        return t == null ? fallback : t;
    }

    /** Like {@link #intTuple(String)} with 64-bit elements (shapes). */
    public static long[] longTuple(String value) {
        if (value == null) return null;
        String s = value.trim();
        if (s.equals("None") || s.isEmpty()) return null;
        boolean bracketed = false;
        if (s.startsWith("(") || s.startsWith("[")) {
            char close = s.charAt(0) == '(' ? ')' : ']';
            if (!s.endsWith(String.valueOf(close))) {
                throw new IllegalArgumentException("unbalanced tuple '" + value + "'");
            }
            s = s.substring(1, s.length() - 1).trim();
            bracketed = true;
        }
        if (s.isEmpty()) return new long[0];
        String[] parts = s.split(",", -1);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) {
                // "(3,)": Python's one-tuple; a trailing comma is the only empty element allowed.
                if (i == parts.length - 1 && i > 0 && bracketed) continue;
                throw new IllegalArgumentException("empty element in tuple '" + value + "'");
            }
            if (p.endsWith("L")) p = p.substring(0, p.length() - 1);  // Python 2 longs: "(3L, 3L)"
            if (p.equals("None")) {
                out.add(-1L);  // unknown dimension, as MXNet's TShape
                continue;
            }
            try {
                out.add(Long.parseLong(p));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + p + "' is not an integer in tuple '" + value + "'");
            }
        }
        long[] arr = new long[out.size()];
        for (int i = 0; i < arr.length; i++) arr[i] = out.get(i);
        return arr;
    }

    /** {@link #longTuple(String)}, or {@code fallback} when the value is absent or {@code "None"}. */
    public static long[] longTuple(String value, long[] fallback) {
        long[] t = longTuple(value);
        return t == null ? fallback : t;
    }

    /** Parses a tuple of floats ({@code "(0.5, 1.0)"}), or null for absent / {@code "None"}. */
    public static float[] floatTuple(String value) {
        if (value == null) return null;
        String s = value.trim();
        if (s.equals("None") || s.isEmpty()) return null;
        if (s.startsWith("(") || s.startsWith("[")) s = s.substring(1, s.length() - 1).trim();
        if (s.isEmpty()) return new float[0];
        String[] parts = s.split(",");
        List<Float> out = new ArrayList<>();
        for (String p : parts) {
            if (p.isBlank()) continue;
            out.add(parseFloat(p.trim(), value));
        }
        float[] arr = new float[out.size()];
        for (int i = 0; i < arr.length; i++) arr[i] = out.get(i);
        return arr;
    }

    /**
     * Parses a boolean the way MXNet's parameter parser does: {@code True/true/1} and
     * {@code False/false/0}.
     */
    public static boolean bool(String value) {
        if (value == null) throw new IllegalArgumentException("missing boolean value");
        switch (value.trim()) {
            case "True", "true", "1":
                return true;
            case "False", "false", "0":
                return false;
            default:
                throw new IllegalArgumentException("'" + value + "' is not a boolean (True/False)");
        }
    }

    /** {@link #bool(String)}, or {@code fallback} when absent. */
    public static boolean bool(String value, boolean fallback) {
        return value == null ? fallback : bool(value);
    }

    /** Parses an integer attribute, or returns {@code fallback} when absent / {@code "None"}. */
    public static int integer(String value, int fallback) {
        if (value == null || value.trim().equals("None")) return fallback;
        String s = value.trim();
        if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not an integer");
        }
    }

    /** Parses a 64-bit integer attribute, or returns {@code fallback} when absent / {@code "None"}. */
    public static long longValue(String value, long fallback) {
        if (value == null || value.trim().equals("None")) return fallback;
        String s = value.trim();
        if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not an integer");
        }
    }

    /** Parses a float attribute ({@code "1e-05"}, {@code "inf"}), or {@code fallback} when absent / None. */
    public static float floatValue(String value, float fallback) {
        if (value == null || value.trim().equals("None")) return fallback;
        return parseFloat(value.trim(), value);
    }

    /** Parses a double attribute, or {@code fallback} when absent / {@code "None"}. */
    public static double doubleValue(String value, double fallback) {
        if (value == null || value.trim().equals("None")) return fallback;
        String s = value.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("inf") || lower.equals("+inf") || lower.equals("infinity")) return Double.POSITIVE_INFINITY;
        if (lower.equals("-inf") || lower.equals("-infinity")) return Double.NEGATIVE_INFINITY;
        if (lower.equals("nan")) return Double.NaN;
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a number");
        }
    }

    /** The value, or {@code fallback} when absent; {@code "None"} is returned as is. */
    public static String string(String value, String fallback) {
        return value == null ? fallback : value;
    }

    /** Formats a tuple as MXNet writes it: {@code "(3, 3)"}, {@code "(256,)"}, {@code "()"}. */
    public static String formatTuple(int[] values) {
        long[] l = new long[values.length];
        for (int i = 0; i < values.length; i++) l[i] = values[i];
        return formatTuple(l);
    }

    /** Formats a shape as MXNet writes it: {@code "(256, 784)"}, {@code "(256,)"}. */
    public static String formatTuple(long[] values) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(values[i]);
        }
        if (values.length == 1) sb.append(',');
        return sb.append(')').toString();
    }

    /** Formats a boolean as MXNet's Python front end does: {@code "True"} / {@code "False"}. */
    public static String formatBool(boolean value) {
        return value ? "True" : "False";
    }

    private static float parseFloat(String s, String whole) {
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("inf") || lower.equals("+inf") || lower.equals("infinity")) return Float.POSITIVE_INFINITY;
        if (lower.equals("-inf") || lower.equals("-infinity")) return Float.NEGATIVE_INFINITY;
        if (lower.equals("nan")) return Float.NaN;
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a number in '" + whole + "'");
        }
    }
}
