package org.quantize4j.graph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quantize4j.AtomicFiles;
import org.quantize4j.ModelFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes MXNet symbol JSON ({@code PREFIX-symbol.json}).
 *
 * <p>Reading keeps everything a round trip needs: node order, attribute order, the key the attributes came
 * under ({@code "attrs"}, or {@code "attr"}/{@code "param"} of MXNet &lt; 0.9), unknown node fields, control
 * dependencies, fused-node {@code "subgraphs"} (as nested {@link Symbol}s) and graph attributes. Each node's
 * output count comes from {@code node_row_ptr}. Writing produces MXNet's own layout (dmlc JSONWriter), so a
 * file MXNet wrote comes back byte for byte; {@code arg_nodes} and {@code node_row_ptr} are recomputed as
 * MXNet does, and nodes are written in nnvm's depth-first order from the heads (nodes no head depends on
 * are dropped, as MXNet drops them).
 *
 * <pre>{@code
 * Symbol sym = SymbolJson.read(Path.of("test-models/fmnist_mlp-symbol.json"));
 * sym.require("mlp0_dense0_fwd").setAttr("num_hidden", "128");
 * SymbolJson.write(sym, Path.of("out-symbol.json"));   // atomic
 * String json = SymbolJson.toJson(sym);
 * }</pre>
 *
 * Malformed input throws {@link ModelFormatException} naming the file and node.
 */
public final class SymbolJson {
    private static final Logger LOG = LoggerFactory.getLogger(SymbolJson.class);

    /** MXNet 1.9.1 writes this version; used when a symbol has no {@code mxnet_version} attribute. */
    public static final int DEFAULT_MXNET_VERSION = 10901;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            // dmlc writes control characters unescaped; MXNet's files may contain them.
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private static final Set<String> NODE_KEYS = Set.of("op", "name", "inputs", "attrs", "attr", "param",
            "control_deps", "subgraphs");
    private static final Set<String> GRAPH_KEYS = Set.of("nodes", "arg_nodes", "node_row_ptr", "heads", "attrs");

    private SymbolJson() {
    }

    /**
     * Reads a symbol file.
     *
     * @throws ModelFormatException naming the file (and node) when it is not a valid MXNet symbol
     * @throws UncheckedIOException when the file cannot be read
     */
    public static Symbol read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ModelFormatException(file, "not UTF-8 text, so not a symbol JSON", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read symbol file " + file + ": " + e, e);
        }
        return parse(text, file);
    }

    /** Parses symbol JSON text. */
    public static Symbol parse(String json) {
        return parse(json, null);
    }

    /** Parses symbol JSON text; {@code source} (may be null) names the origin in error messages. */
    public static Symbol parse(String json, Path source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(source, "not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()), e);
        }
        if (root == null || root.isMissingNode()) throw new ModelFormatException(source, "empty file, not a symbol JSON");
        Symbol sym = new Reader(source).graph(root, "");
        warnDuplicateNames(sym, source);
        return sym;
    }

    /** Writes {@code symbol} to {@code file} in MXNet's layout, atomically (temp file + rename). */
    public static void write(Symbol symbol, Path file) {
        byte[] bytes = toJson(symbol).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, bytes);
        LOG.debug("wrote {} ({} nodes)", file, symbol.nodes().size());
    }

    /** The symbol as MXNet would save it (no trailing newline, like {@code sym.save}). */
    public static String toJson(Symbol symbol) {
        MxnetJsonWriter w = new MxnetJsonWriter();
        writeGraph(w, symbol, true);
        return w.toString();
    }

    // ---------------------------------------------------------------- reading

    private static final class Reader {
        private final Path file;

        Reader(Path file) {
            this.file = file;
        }

        private ModelFormatException error(String where, String message) {
            return new ModelFormatException(file, (where.isEmpty() ? "" : where + ": ") + message);
        }

        Symbol graph(JsonNode root, String where) {
            if (!root.isObject()) {
                throw error(where, "not an MXNet symbol JSON: expected an object with \"nodes\" and \"heads\", found "
                        + root.getNodeType().toString().toLowerCase());
            }
            JsonNode nodesJson = root.get("nodes");
            JsonNode headsJson = root.get("heads");
            if (nodesJson == null || headsJson == null) {
                throw error(where, "not an MXNet symbol JSON: missing " + (nodesJson == null ? "\"nodes\"" : "\"heads\"")
                        + " (keys present: " + fieldNames(root) + ")");
            }
            if (!nodesJson.isArray()) throw error(where, "\"nodes\" is not an array");
            if (!headsJson.isArray()) throw error(where, "\"heads\" is not an array");
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!GRAPH_KEYS.contains(k)) LOG.warn("{}: {}ignoring unknown symbol field \"{}\"", name(), prefix(where), k);
            }

            int n = nodesJson.size();
            List<Node> nodes = new ArrayList<>(n);
            List<JsonNode> objs = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                JsonNode nj = nodesJson.get(i);
                nodes.add(nodeShell(nj, i, where));
                objs.add(nj);
            }

            // Output counts: node_row_ptr when present (MXNet >= 0.9), otherwise inferred.
            JsonNode rowPtr = root.get("node_row_ptr");
            if (rowPtr != null) {
                setOutputsFromRowPtr(rowPtr, nodes, where);
            } else {
                inferOutputs(objs, nodes, headsJson, where);
            }

            for (int i = 0; i < n; i++) {
                Node node = nodes.get(i);
                String at = nodeWhere(where, i, node);
                JsonNode inputs = objs.get(i).get("inputs");
                for (int k = 0; k < inputs.size(); k++) {
                    node.inputs().add(entry(inputs.get(k), nodes, i, at + ", input " + k));
                }
                JsonNode deps = objs.get(i).get("control_deps");
                if (deps != null) {
                    if (!deps.isArray()) throw error(at, "\"control_deps\" is not an array");
                    for (JsonNode d : deps) {
                        int id = nodeId(d, n, at + ", control_deps");
                        node.controlDeps().add(nodes.get(id));
                    }
                }
                JsonNode subs = objs.get(i).get("subgraphs");
                if (subs != null) {
                    if (!subs.isArray()) throw error(at, "\"subgraphs\" is not an array");
                    for (int s = 0; s < subs.size(); s++) {
                        node.subgraphs().add(graph(subs.get(s), at + ", subgraph " + s));
                    }
                }
            }

            JsonNode argNodes = root.get("arg_nodes");
            if (argNodes != null) {
                if (!argNodes.isArray()) throw error(where, "\"arg_nodes\" is not an array");
                for (JsonNode a : argNodes) {
                    int id = nodeId(a, n, prefix(where) + "arg_nodes");
                    if (!nodes.get(id).isVariable()) {
                        throw error(where, "arg_nodes lists node " + id + " '" + nodes.get(id).name()
                                + "', which is an operator (" + nodes.get(id).op() + "), not a variable");
                    }
                }
            }

            List<NodeEntry> heads = new ArrayList<>();
            for (int k = 0; k < headsJson.size(); k++) {
                heads.add(entry(headsJson.get(k), nodes, n, prefix(where) + "head " + k));
            }

            Map<String, Object> graphAttrs = new LinkedHashMap<>();
            JsonNode attrs = root.get("attrs");
            if (attrs != null) {
                if (!attrs.isObject()) throw error(where, "graph \"attrs\" is not an object");
                for (Iterator<Map.Entry<String, JsonNode>> it = attrs.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    graphAttrs.put(e.getKey(), plain(e.getValue()));
                }
            }
            return new Symbol(nodes, heads, graphAttrs);
        }

        private Node nodeShell(JsonNode nj, int i, String where) {
            String at = prefix(where) + "node " + i;
            if (nj == null || !nj.isObject()) throw error(at, "not a JSON object");
            JsonNode op = nj.get("op");
            JsonNode name = nj.get("name");
            JsonNode inputs = nj.get("inputs");
            if (op == null || !op.isTextual()) throw error(at, "missing string field \"op\"");
            if (name == null || !name.isTextual()) throw error(at, "missing string field \"name\"");
            at = at + " '" + name.asText() + "'";
            if (inputs == null || !inputs.isArray()) throw error(at, "missing array field \"inputs\"");

            LinkedHashMap<String, String> attrs = new LinkedHashMap<>();
            String attrsKey = null;
            int keysSeen = 0;
            // nnvm reads "attrs" and "attr" into the dict, then adds "param" entries (0.8 files split them).
            for (String key : new String[] {"attrs", "attr", "param"}) {
                JsonNode a = nj.get(key);
                if (a == null) continue;
                if (!a.isObject()) throw error(at, "\"" + key + "\" is not an object");
                keysSeen++;
                if (attrsKey == null) attrsKey = key;
                for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    JsonNode v = e.getValue();
                    if (!v.isValueNode() || v.isNull()) {
                        throw error(at, "attribute \"" + e.getKey() + "\" is not a string: " + v);
                    }
                    if (key.equals("param") && attrs.containsKey(e.getKey())) continue;  // as nnvm's insert()
                    attrs.put(e.getKey(), v.asText());
                }
            }
            Node node = new Node(op.asText(), name.asText(), attrs, List.of(), 1);
            if (attrsKey != null) {
                // Several keys (MXNet 0.8 "param" + "attr") are merged as MXNet does and written as "attrs".
                node.setAttrsKey(keysSeen > 1 ? "attrs" : attrsKey);
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = nj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!NODE_KEYS.contains(e.getKey())) node.extraFields().put(e.getKey(), plain(e.getValue()));
            }
            return node;
        }

        private void setOutputsFromRowPtr(JsonNode rowPtr, List<Node> nodes, String where) {
            String at = prefix(where) + "node_row_ptr";
            if (!rowPtr.isArray()) throw error(at, "not an array");
            if (rowPtr.size() != nodes.size() + 1) {
                throw error(at, "has " + rowPtr.size() + " entries for " + nodes.size() + " nodes (expected "
                        + (nodes.size() + 1) + ")");
            }
            long prev = number(rowPtr.get(0), at);
            if (prev != 0) throw error(at, "must start at 0, found " + prev);
            for (int i = 0; i < nodes.size(); i++) {
                long next = number(rowPtr.get(i + 1), at);
                long count = next - prev;
                if (count < 0 || count > 1_000_000) {
                    throw error(at, "gives node " + i + " '" + nodes.get(i).name() + "' " + count + " outputs");
                }
                nodes.get(i).setNumOutputs((int) count);
                prev = next;
            }
        }

        /** Files older than MXNet 0.9 have no node_row_ptr: count the outputs that are used, BatchNorm has 3. */
        private void inferOutputs(List<JsonNode> objs, List<Node> nodes, JsonNode heads, String where) {
            LOG.warn("{}: {}no node_row_ptr (MXNet < 0.9 file); inferring output counts from use",
                    name(), prefix(where));
            int[] counts = new int[nodes.size()];
            for (int i = 0; i < nodes.size(); i++) {
                String op = nodes.get(i).op();
                counts[i] = op.startsWith("BatchNorm") || op.equals("_contrib_SyncBatchNorm") ? 3 : 1;
            }
            List<JsonNode> entries = new ArrayList<>();
            for (JsonNode o : objs) o.get("inputs").forEach(entries::add);
            heads.forEach(entries::add);
            for (JsonNode e : entries) {
                if (e.isArray() && e.size() >= 2 && e.get(0).canConvertToInt() && e.get(1).canConvertToInt()) {
                    int id = e.get(0).asInt();
                    int idx = e.get(1).asInt();
                    if (id >= 0 && id < counts.length && idx >= 0 && idx < 1_000_000) {
                        counts[id] = Math.max(counts[id], idx + 1);
                    }
                }
            }
            for (int i = 0; i < nodes.size(); i++) nodes.get(i).setNumOutputs(counts[i]);
        }

        /** An input or head entry {@code [id, index(, version)]}; inputs must refer to earlier nodes. */
        private NodeEntry entry(JsonNode e, List<Node> nodes, int limit, String at) {
            if (e == null || !e.isArray() || e.size() < 2 || e.size() > 3) {
                throw error(at, "expected [node_id, output_index, version], found " + e);
            }
            long id = number(e.get(0), at);
            long index = number(e.get(1), at);
            long version = e.size() == 3 ? number(e.get(2), at) : 0;
            if (id < 0 || id >= nodes.size()) {
                throw error(at, "refers to node " + id + ", but the graph has " + nodes.size() + " nodes");
            }
            if (id >= limit) {
                throw error(at, "refers to node " + id + " '" + nodes.get((int) id).name()
                        + "', which does not come before it (nodes must be in topological order)");
            }
            Node src = nodes.get((int) id);
            if (index < 0 || index >= src.numOutputs()) {
                throw error(at, "uses output " + index + " of node " + id + " '" + src.name() + "', which has "
                        + src.numOutputs() + " output(s)");
            }
            if (version < 0 || version > Integer.MAX_VALUE) throw error(at, "bad version " + version);
            return new NodeEntry(src, (int) index, (int) version);
        }

        private int nodeId(JsonNode v, int n, String at) {
            long id = number(v, at);
            if (id < 0 || id >= n) throw error(at, "node id " + id + " out of range (graph has " + n + " nodes)");
            return (int) id;
        }

        private long number(JsonNode v, String at) {
            if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
                throw error(at, "expected an integer, found " + v);
            }
            return v.asLong();
        }

        private String name() {
            return file == null ? "<string>" : file.toString();
        }
    }

    private static String prefix(String where) {
        return where.isEmpty() ? "" : where + ", ";
    }

    private static String nodeWhere(String where, int i, Node node) {
        return prefix(where) + "node " + i + " '" + node.name() + "'";
    }

    private static String fieldNames(JsonNode obj) {
        List<String> names = new ArrayList<>();
        obj.fieldNames().forEachRemaining(names::add);
        return names.toString();
    }

    /** A JSON value as plain Java objects, for fields we keep but do not interpret. */
    private static Object plain(JsonNode v) {
        if (v.isTextual()) return v.asText();
        if (v.isBoolean()) return v.asBoolean();
        if (v.isNull()) return null;
        if (v.isInt()) return v.intValue();
        if (v.isLong()) return v.longValue();
        if (v.isBigInteger()) return v.bigIntegerValue();
        if (v.isNumber()) return v.decimalValue();
        if (v.isArray()) {
            List<Object> out = new ArrayList<>(v.size());
            for (JsonNode e : v) out.add(plain(e));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), plain(e.getValue()));
        }
        return out;
    }

    private static void warnDuplicateNames(Symbol sym, Path source) {
        Map<String, Integer> seen = new HashMap<>();
        for (Node n : sym.nodes()) {
            if (seen.merge(n.name(), 1, Integer::sum) == 2) {
                // MXNet accepts duplicate names, but name lookups (params, internals) become ambiguous.
                LOG.warn("{}: more than one node is named '{}'; lookups by name use the first",
                        source == null ? "<string>" : source, n.name());
            }
        }
    }

    // ---------------------------------------------------------------- writing

    private static void writeGraph(MxnetJsonWriter w, Symbol symbol, boolean topLevel) {
        // nnvm writes nodes in depth-first post-order from the heads (inputs, then control deps).
        List<Node> order = Symbol.fromOutputs(symbol.heads(), Map.of()).nodes();
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < order.size(); i++) index.put(order.get(i), i);
        if (order.size() != symbol.nodes().size() && LOG.isDebugEnabled()) {
            LOG.debug("writing {} of {} nodes: the others do not feed any output", order.size(), symbol.nodes().size());
        }

        w.beginObject(true);
        w.key("nodes");
        w.beginArray(true);
        for (Node node : order) {
            w.item();
            writeNode(w, node, index);
        }
        w.endArray();

        List<Integer> argNodes = new ArrayList<>();
        List<Long> rowPtr = new ArrayList<>();
        rowPtr.add(0L);
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).isVariable()) argNodes.add(i);
            rowPtr.add(rowPtr.get(i) + order.get(i).numOutputs());
        }
        w.key("arg_nodes");
        w.numberArray(argNodes);
        w.key("node_row_ptr");
        w.numberArray(rowPtr);
        w.key("heads");
        writeEntries(w, symbol.heads(), index);

        Map<String, Object> attrs = new LinkedHashMap<>(symbol.graphAttrs());
        if (topLevel && !attrs.containsKey("mxnet_version")) {
            attrs.put("mxnet_version", List.of("int", DEFAULT_MXNET_VERSION));
        }
        if (!attrs.isEmpty()) {
            w.key("attrs");
            w.beginObject(attrs.size() > 1);
            for (Map.Entry<String, Object> e : attrs.entrySet()) {
                w.key(e.getKey());
                w.anyValue(e.getValue());
            }
            w.endObject();
        }
        w.endObject();
    }

    private static void writeNode(MxnetJsonWriter w, Node node, Map<Node, Integer> index) {
        w.beginObject(true);
        w.key("op");
        w.string(node.op());
        w.key("name");
        w.string(node.name());
        if (!node.attrs().isEmpty()) {
            w.key(node.attrsKey());
            w.stringMap(node.attrs());
        }
        w.key("inputs");
        writeEntries(w, node.inputs(), index);
        for (Map.Entry<String, Object> e : node.extraFields().entrySet()) {
            w.key(e.getKey());
            w.value(e.getValue());
        }
        if (!node.controlDeps().isEmpty()) {
            List<Integer> ids = new ArrayList<>();
            for (Node d : node.controlDeps()) ids.add(index.get(d));
            w.key("control_deps");
            w.numberArray(ids);
        }
        if (!node.subgraphs().isEmpty()) {
            w.key("subgraphs");
            w.beginArray(true);
            for (Symbol sub : node.subgraphs()) {
                w.item();
                writeGraph(w, sub, false);
            }
            w.endArray();
        }
        w.endObject();
    }

    private static void writeEntries(MxnetJsonWriter w, List<NodeEntry> entries, Map<Node, Integer> index) {
        w.beginArray(entries.size() > 10);
        for (NodeEntry e : entries) {
            Integer id = index.get(e.node());
            if (id == null) throw new IllegalStateException("entry " + e + " refers to a node outside the graph");
            w.item();
            w.beginArray(false);
            w.item();
            w.number(id);
            w.item();
            w.number(e.index());
            w.item();
            w.number(e.version());
            w.endArray();
        }
        w.endArray();
    }
}
