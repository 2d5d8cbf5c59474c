package org.quantize4j.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSON writer with the exact layout of dmlc-core's {@code JSONWriter}, which MXNet uses to save symbols:
 * {@code ", "} before a newline, two spaces of indent per open multi-line scope, single-line scopes for
 * short number lists. Writing the same layout makes our files byte-identical to MXNet's.
 * Strings are escaped as dmlc does (only {@code \r \n \\ \t "}), so MXNet can read them back.
 */
final class MxnetJsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final List<Boolean> multiLine = new ArrayList<>();
    private final List<Integer> counter = new ArrayList<>();

    void beginObject(boolean multi) {
        out.append('{');
        multiLine.add(multi);
        counter.add(0);
    }

    void endObject() {
        endScope();
        out.append('}');
    }

    void beginArray(boolean multi) {
        out.append('[');
        multiLine.add(multi);
        counter.add(0);
    }

    void endArray() {
        endScope();
        out.append(']');
    }

    private void endScope() {
        int last = multiLine.size() - 1;
        boolean newline = multiLine.remove(last);
        int n = counter.remove(last);
        if (newline && n != 0) separator();
    }

    /** Starts a key-value pair; the value must be written next. */
    void key(String key) {
        int last = counter.size() - 1;
        if (counter.get(last) != 0) out.append(", ");
        separator();
        string(key);
        out.append(": ");
        counter.set(last, counter.get(last) + 1);
    }

    /** Starts an array item; the value must be written next. */
    void item() {
        int last = counter.size() - 1;
        if (counter.get(last) != 0) out.append(", ");
        counter.set(last, counter.get(last) + 1);
        separator();
    }

    private void separator() {
        if (multiLine.isEmpty() || multiLine.get(multiLine.size() - 1)) {
            out.append('\n');
            out.append(" ".repeat(multiLine.size() * 2));
        }
    }

    void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                default -> out.append(ch);
            }
        }
        out.append('"');
    }

    void number(long v) {
        out.append(v);
    }

    /** A list of numbers, single-line up to 10 elements as dmlc's vector handler writes POD vectors. */
    void numberArray(List<? extends Number> values) {
        beginArray(values.size() > 10);
        for (Number v : values) {
            item();
            out.append(v);
        }
        endArray();
    }

    /** A string map, single-line when it has at most one entry (dmlc's map handler). */
    void stringMap(Map<String, String> map) {
        beginObject(map.size() > 1);
        for (Map.Entry<String, String> e : map.entrySet()) {
            key(e.getKey());
            string(e.getValue());
        }
        endObject();
    }

    /**
     * Any JSON value held as plain Java objects (String, Number, Boolean, null, List, Map), laid out as dmlc
     * would write the matching C++ container: lists of scalars on one line up to 10 items, maps on one line
     * up to 1 entry.
     */
    @SuppressWarnings("unchecked")
    void value(Object v) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            string(s);
        } else if (v instanceof Number || v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof List<?> list) {
            boolean pod = true;
            for (Object o : list) pod &= o instanceof Number || o instanceof Boolean;
            beginArray(list.size() > 10 || !pod);
            for (Object o : list) {
                item();
                value(o);
            }
            endArray();
        } else if (v instanceof Map<?, ?> map) {
            beginObject(map.size() > 1);
            for (Map.Entry<String, Object> e : ((Map<String, Object>) map).entrySet()) {
                key(e.getKey());
                value(e.getValue());
            }
            endObject();
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    /**
     * A graph attribute value: nnvm stores them as dmlc {@code any}, written {@code ["type", value]} on one
     * line. Values not of that form are written as plain JSON.
     */
    void anyValue(Object v) {
        if (v instanceof List<?> list && list.size() == 2 && list.get(0) instanceof String type) {
            beginArray(false);
            item();
            string(type);
            item();
            value(list.get(1));
            endArray();
        } else {
            value(v);
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
