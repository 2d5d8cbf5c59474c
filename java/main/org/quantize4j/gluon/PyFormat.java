package org.quantize4j.gluon;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Formats values the way MXNet's Python front end turns them into strings: operator attributes are
 * {@code str(value)} ({@code (3, 3)}, {@code True}, {@code 1e-05}), initializer descriptions are
 * {@code json.dumps(...)}. Matching these byte for byte is what makes our symbols equal MXNet's.
 *
 * <pre>{@code
 * PyFormat.str(new int[] {3, 3});   // "(3, 3)"
 * PyFormat.str(1e-5);               // "1e-05"
 * PyFormat.json(List.of("normal", Map.of("sigma", 0.01)));   // ["normal", {"sigma": 0.01}]
 * }</pre>
 */
public final class PyFormat {
    private PyFormat() {
    }

    /** Python's {@code str(v)} for the value types Gluon passes as operator attributes. */
    public static String str(Object v) {
        if (v == null) return "None";
        if (v instanceof Boolean b) return b ? "True" : "False";
        if (v instanceof Double d) return floatRepr(d);
        if (v instanceof Float f) return floatRepr(f.doubleValue());
        if (v instanceof Number n) return Long.toString(n.longValue());
        if (v instanceof String s) return s;
        if (v instanceof int[] a) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < a.length; i++) sb.append(i > 0 ? ", " : "").append(a[i]);
            return sb.append(a.length == 1 ? ",)" : ")").toString();
        }
        if (v instanceof long[] a) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < a.length; i++) sb.append(i > 0 ? ", " : "").append(a[i]);
            return sb.append(a.length == 1 ? ",)" : ")").toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < l.size(); i++) {
                Object e = l.get(i);
                sb.append(i > 0 ? ", " : "").append(e instanceof String s ? "'" + s + "'" : str(e));
            }
            return sb.append(l.size() == 1 ? ",)" : ")").toString();
        }
        throw new IllegalArgumentException("cannot format " + v.getClass().getName() + " as a Python value");
    }

    /**
     * Python's {@code repr(float)}: shortest round-trip digits, positional for exponents -4..15,
     * otherwise {@code d.ddde-05} style.
     */
    public static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale();
        String sign = d < 0 ? "-" : "";
        if (exp >= -4 && exp < 16) {
            String plain = bd.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = String.format("%02d", Math.abs(exp));
        return sign + mant + "e" + (exp < 0 ? "-" : "+") + e;
    }

    /** Python's {@code json.dumps(v)} for strings, numbers, booleans, lists and (ordered) maps. */
    public static String json(Object v) {
        if (v == null) return "null";
        if (v instanceof Boolean b) return b ? "true" : "false";
        if (v instanceof Double d) return jsonFloat(d);
        if (v instanceof Float f) return jsonFloat(f.doubleValue());
        if (v instanceof Number n) return Long.toString(n.longValue());
        if (v instanceof String s) return quote(s);
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) sb.append(i > 0 ? ", " : "").append(json(l.get(i)));
            return sb.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ", ").append(quote(String.valueOf(e.getKey()))).append(": ").append(json(e.getValue()));
                first = false;
            }
            return sb.append('}').toString();
        }
        throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }

    private static String jsonFloat(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        return floatRepr(d);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
