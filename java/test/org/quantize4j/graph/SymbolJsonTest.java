package org.quantize4j.graph;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertSame;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;
import static org.testng.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.quantize4j.ModelFormatException;
import org.quantize4j.TestFiles;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

public class SymbolJsonTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    @DataProvider
    public Object[][] symbolFiles() {
        List<Path> files = TestFiles.symbolJsons();
        assertTrue(files.size() >= 40, "expected the fmnist and zoo symbol files, found " + files.size());
        return files.stream().map(p -> new Object[] {p}).toArray(Object[][]::new);
    }

    /** MXNet wrote these files; writing what we read must give back the very same bytes. */
    @Test(dataProvider = "symbolFiles")
    public void writesMxnetFilesBackByteForByte(Path file) throws IOException {
        String original = Files.readString(file, StandardCharsets.UTF_8);
        String written = SymbolJson.toJson(SymbolJson.read(file));
        if (!written.equals(original)) {
            int i = 0;
            while (i < Math.min(written.length(), original.length()) && written.charAt(i) == original.charAt(i)) i++;
            fail(file + " differs at char " + i + ": expected ..."
                    + original.substring(Math.max(0, i - 80), Math.min(original.length(), i + 40)) + "... got ..."
                    + written.substring(Math.max(0, i - 80), Math.min(written.length(), i + 40)));
        }
    }

    /** read -> write -> read gives the same graph, and the JSON tree (arg_nodes, node_row_ptr...) is the file's. */
    @Test(dataProvider = "symbolFiles")
    public void roundTripKeepsGraphAndIndexArrays(Path file) throws IOException {
        Symbol first = SymbolJson.read(file);
        Path out = Files.createTempFile("symbol", ".json");
        try {
            SymbolJson.write(first, out);
            Symbol second = SymbolJson.read(out);
            assertSameGraph(second, first, file.getFileName().toString());

            JsonNode fileTree = JACKSON.readTree(file.toFile());
            JsonNode ourTree = JACKSON.readTree(out.toFile());
            assertEquals(ourTree.get("arg_nodes"), fileTree.get("arg_nodes"), "arg_nodes of " + file);
            assertEquals(ourTree.get("node_row_ptr"), fileTree.get("node_row_ptr"), "node_row_ptr of " + file);
            assertEquals(ourTree, fileTree, "JSON tree of " + file);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Checks our reading of each file against an independent walk of Jackson's tree. */
    @Test(dataProvider = "symbolFiles")
    public void readMatchesIndependentJsonWalk(Path file) throws IOException {
        Symbol sym = SymbolJson.read(file);
        checkAgainstTree(sym, JACKSON.readTree(file.toFile()), file.toString());
    }

    private static void checkAgainstTree(Symbol sym, JsonNode tree, String where) {
        JsonNode nodes = tree.get("nodes");
        assertEquals(sym.nodes().size(), nodes.size(), where);
        JsonNode rowPtr = tree.get("node_row_ptr");
        for (int i = 0; i < nodes.size(); i++) {
            Node n = sym.nodes().get(i);
            JsonNode j = nodes.get(i);
            assertEquals(n.op(), j.get("op").asText(), where);
            assertEquals(n.name(), j.get("name").asText(), where);
            assertEquals(n.numOutputs(), rowPtr.get(i + 1).asInt() - rowPtr.get(i).asInt(), where + " " + n);
            List<String> keys = new ArrayList<>();
            if (j.has("attrs")) j.get("attrs").fieldNames().forEachRemaining(keys::add);
            assertEquals(new ArrayList<>(n.attrs().keySet()), keys, where + " attr order of " + n);
            for (String k : keys) assertEquals(n.attr(k), j.get("attrs").get(k).asText());
            for (int k = 0; k < n.inputs().size(); k++) {
                NodeEntry e = n.inputs().get(k);
                JsonNode je = j.get("inputs").get(k);
                assertSame(e.node(), sym.nodes().get(je.get(0).asInt()), where + " input " + k + " of " + n);
                assertEquals(e.index(), je.get(1).asInt());
                assertEquals(e.version(), je.get(2).asInt());
            }
            JsonNode subs = j.get("subgraphs");
            assertEquals(n.subgraphs().size(), subs == null ? 0 : subs.size(), where + " subgraphs of " + n);
            for (int s = 0; s < n.subgraphs().size(); s++) {
                checkAgainstTree(n.subgraphs().get(s), subs.get(s), where + "/" + n.name() + "/" + s);
            }
        }
        assertEquals(sym.heads().size(), tree.get("heads").size());
        for (int h = 0; h < sym.heads().size(); h++) {
            assertSame(sym.heads().get(h).node(), sym.nodes().get(tree.get("heads").get(h).get(0).asInt()));
        }
    }

    @Test
    public void readsMlpSymbol() {
        Symbol s = SymbolJson.read(TestFiles.testModel("fmnist_mlp-symbol.json"));
        assertEquals(s.nodes().size(), 14);
        Node fc = s.require("mlp0_dense0_fwd");
        assertEquals(fc.op(), "FullyConnected");
        assertEquals(new ArrayList<>(fc.attrs().keySet()), List.of("flatten", "no_bias", "num_hidden"));
        assertEquals(Attrs.integer(fc.attr("num_hidden"), 0), 256);
        assertTrue(Attrs.bool(fc.attr("flatten")));
        assertEquals(fc.inputs().size(), 3);
        assertEquals(fc.input(1).node().name(), "mlp0_dense0_weight");
        assertEquals(Attrs.longTuple(fc.input(1).node().attr("__shape__")), new long[] {256, 784});
        assertEquals(s.require("mlp0_dropout0_fwd").numOutputs(), 2);  // node_row_ptr 6 -> 8
        assertEquals(s.listInputs(), List.of("data", "mlp0_dense0_weight", "mlp0_dense0_bias", "mlp0_dense1_weight",
                "mlp0_dense1_bias", "mlp0_dense2_weight", "mlp0_dense2_bias"));
        assertEquals(s.graphAttrs().get("mxnet_version"), List.of("int", 10900));
    }

    @Test
    public void internalsAreAddressableByName() {
        Symbol s = SymbolJson.read(TestFiles.testModel("fmnist_resnet20_v1-symbol.json"));
        Map<String, NodeEntry> internals = s.internals();
        // BatchNorm shows one output (mean/var hidden), named <node>_output like MXNet's get_internals().
        Node bn = s.nodes().stream().filter(n -> n.op().equals("BatchNorm")).findFirst().orElseThrow();
        assertEquals(bn.numOutputs(), 3);
        assertTrue(internals.containsKey(bn.name() + "_output"));
        assertFalse(internals.containsKey(bn.name() + "_output0"));
        assertFalse(internals.containsKey(bn.name() + "_mean"));
        Node conv = s.nodes().stream().filter(n -> n.op().equals("Convolution")).findFirst().orElseThrow();
        Symbol sub = s.internal(conv.name() + "_output");
        assertEquals(sub.heads().size(), 1);
        assertSame(sub.heads().get(0).node(), conv);
        assertEquals(sub.listOutputs(), List.of(conv.name() + "_output"));
        // The sub-symbol holds exactly the nodes the conv depends on, inputs first.
        assertSame(sub.nodes().get(sub.nodes().size() - 1), conv);
        assertTrue(sub.nodes().size() < s.nodes().size());
        // Visible outputs: one per node except for none here; variables by their own name.
        assertTrue(internals.containsKey("data"));
        assertEquals(internals.size(), s.nodes().size());
        assertEquals(s.getInternals().heads().size(), internals.size());
        assertEquals(s.listOutputs().size(), 1);
        expectThrows(IllegalArgumentException.class, () -> s.internal("no_such_output"));
    }

    @Test
    public void quantizedOutputsHaveMxnetNames() {
        Symbol s = SymbolJson.read(TestFiles.testModel("fmnist_inception-quantized-naive-symbol.json"));
        Node fused = s.require("quantized_sg_mkldnn_conv_bn_act_0");
        assertEquals(fused.numOutputs(), 3);
        Map<String, NodeEntry> internals = s.internals();
        assertEquals(internals.get("quantized_sg_mkldnn_conv_bn_act_0_output").index(), 0);
        assertEquals(internals.get("quantized_sg_mkldnn_conv_bn_act_0_min_output").index(), 1);
        assertEquals(internals.get("quantized_sg_mkldnn_conv_bn_act_0_max_output").index(), 2);
        // Pooling has a hidden oneDNN workspace output.
        Node pool = s.nodes().stream().filter(n -> n.op().equals("Pooling")).findFirst().orElse(null);
        if (pool != null) {
            assertEquals(new NodeEntry(pool, 0).outputName(), pool.name() + "_output");
        }
    }

    @Test
    public void parsesFusedSubgraphs() {
        Symbol s = SymbolJson.read(TestFiles.testModel("fmnist_inception-quantized-naive-symbol.json"));
        Node fused = s.require("quantized_sg_mkldnn_conv_bn_act_0");
        assertEquals(fused.op(), "_sg_mkldnn_conv");
        assertEquals(fused.attr("with_bn"), "true");
        assertEquals(fused.subgraphs().size(), 1);
        Symbol sub = fused.subgraphs().get(0);
        assertEquals(sub.nodes().size(), 9);
        assertEquals(sub.nodes().get(2).op(), "Convolution");
        assertEquals(sub.nodes().get(7).op(), "BatchNorm");
        assertEquals(sub.nodes().get(7).numOutputs(), 3);
        assertEquals(sub.heads().size(), 1);
        assertEquals(sub.heads().get(0).node().op(), "Activation");
        assertTrue(sub.graphAttrs().isEmpty());
        // Inputs with version 1 (the BN moving stats, mutated) are kept.
        assertEquals(fused.input(4).version(), 1);
    }

    @Test
    public void readsLegacyKeysAndKeepsUnknownFields() {
        String json = "{\"nodes\": ["
                + "{\"op\": \"null\", \"name\": \"data\", \"inputs\": [], \"backward_source_id\": -1},"
                + "{\"op\": \"null\", \"name\": \"w\", \"attr\": {\"__lr_mult__\": \"2\"}, \"inputs\": []},"
                + "{\"op\": \"Convolution\", \"name\": \"conv\", \"param\": {\"num_filter\": \"8\", \"kernel\": \"(3, 3)\","
                + " \"no_bias\": \"True\"}, \"inputs\": [[0, 0], [1, 0]], \"custom_field\": {\"a\": [1, 2]}},"
                + "{\"op\": \"BatchNorm\", \"name\": \"bn\", \"inputs\": [[2, 0]]}"
                + "], \"arg_nodes\": [0, 1], \"heads\": [[3, 0]],"
                + " \"attrs\": {\"mxnet_version\": [\"int\", 800], \"note\": [\"str\", \"kept\"]}}";
        Symbol s = SymbolJson.parse(json);
        Node conv = s.require("conv");
        assertEquals(conv.attrsKey(), "param");
        assertEquals(new ArrayList<>(conv.attrs().keySet()), List.of("num_filter", "kernel", "no_bias"));
        assertEquals(s.require("w").attrsKey(), "attr");
        assertEquals(s.require("w").attr("__lr_mult__"), "2");
        assertEquals(s.require("data").extraFields().get("backward_source_id"), -1);
        assertEquals(conv.extraFields().get("custom_field"), Map.of("a", List.of(1, 2)));
        // No node_row_ptr: output counts are inferred (BatchNorm has 3).
        assertEquals(s.require("bn").numOutputs(), 3);
        assertEquals(conv.numOutputs(), 1);

        String written = SymbolJson.toJson(s);
        assertTrue(written.contains("\"param\": {"), written);
        assertTrue(written.contains("\"attr\": {\"__lr_mult__\": \"2\"}"), written);
        assertTrue(written.contains("\"custom_field\": {\"a\": [1, 2]}"), written);
        assertTrue(written.contains("\"note\": [\"str\", \"kept\"]"), written);
        assertTrue(written.contains("\"node_row_ptr\": [0, 1, 2, 3, 6]"), written);
        assertTrue(written.contains("\"mxnet_version\": [\"int\", 800]"), written);
        Symbol again = SymbolJson.parse(written);
        assertSameGraph(again, s, "legacy");
        assertEquals(again.graphAttrs(), s.graphAttrs());
    }

    @Test
    public void writesGraphsBuiltInCode() {
        Node data = Node.variable("data");
        Node w = Node.variable("fc_weight");
        Node b = Node.variable("fc_bias");
        LinkedHashMap<String, String> attrs = new LinkedHashMap<>();
        attrs.put("num_hidden", "10");
        attrs.put("flatten", "True");
        Node fc = Node.op("FullyConnected", "fc", attrs, List.of(data.output(0), w.output(0), b.output(0)));
        Node unused = Node.variable("unused");
        Symbol s = new Symbol(List.of(data, w, b, unused, fc), List.of(fc.output(0)), Map.of());
        String json = SymbolJson.toJson(s);
        String expected = "{\n"
                + "  \"nodes\": [\n"
                + "    {\n"
                + "      \"op\": \"null\", \n"
                + "      \"name\": \"data\", \n"
                + "      \"inputs\": []\n"
                + "    }, \n"
                + "    {\n"
                + "      \"op\": \"null\", \n"
                + "      \"name\": \"fc_weight\", \n"
                + "      \"inputs\": []\n"
                + "    }, \n"
                + "    {\n"
                + "      \"op\": \"null\", \n"
                + "      \"name\": \"fc_bias\", \n"
                + "      \"inputs\": []\n"
                + "    }, \n"
                + "    {\n"
                + "      \"op\": \"FullyConnected\", \n"
                + "      \"name\": \"fc\", \n"
                + "      \"attrs\": {\n"
                + "        \"num_hidden\": \"10\", \n"
                + "        \"flatten\": \"True\"\n"
                + "      }, \n"
                + "      \"inputs\": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]\n"
                + "    }\n"
                + "  ], \n"
                + "  \"arg_nodes\": [0, 1, 2], \n"
                + "  \"node_row_ptr\": [0, 1, 2, 3, 4], \n"
                + "  \"heads\": [[3, 0, 0]], \n"
                + "  \"attrs\": {\"mxnet_version\": [\"int\", 10901]}\n"
                + "}";
        assertEquals(json, expected);
        Symbol back = SymbolJson.parse(json);
        assertEquals(back.nodes().size(), 4, "the unused variable is dropped, as MXNet does");
    }

    @Test
    public void writesControlDepsAndEscapes() {
        Node a = Node.variable("a\"quoted\"\\name");
        Node c = Node.op("_copy", "c", Map.of("note", "line1\nline2\ttab"), List.of(a.output(0)));
        Node d = Node.op("_copy", "d", Map.of(), List.of(a.output(0)));
        d.controlDeps().add(c);
        Symbol s = new Symbol(List.of(a, c, d), List.of(d.output(0)), Map.of());
        String json = SymbolJson.toJson(s);
        assertTrue(json.contains("\"control_deps\": [1]"), json);
        Symbol back = SymbolJson.parse(json);
        assertEquals(back.nodes().get(0).name(), "a\"quoted\"\\name");
        assertEquals(back.require("c").attr("note"), "line1\nline2\ttab");
        assertEquals(back.require("d").controlDeps().get(0).name(), "c");
        assertEquals(SymbolJson.toJson(back), json);
    }

    @Test
    public void writeIsAtomicAndLeavesNoTempFiles() throws IOException {
        Path dir = Files.createTempDirectory("symjson");
        try {
            Path target = dir.resolve("m-symbol.json");
            Files.writeString(target, "old");
            Symbol s = SymbolJson.read(TestFiles.testModel("fmnist_mlp-symbol.json"));
            SymbolJson.write(s, target);
            assertEquals(Files.readString(target), Files.readString(TestFiles.testModel("fmnist_mlp-symbol.json")));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(files.count(), 1L);
            }
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    public void duplicateNamesAreAllowed() {
        String json = "{\"nodes\": [{\"op\": \"null\", \"name\": \"x\", \"inputs\": []},"
                + "{\"op\": \"relu\", \"name\": \"x\", \"inputs\": [[0, 0, 0]]}],"
                + " \"arg_nodes\": [0], \"node_row_ptr\": [0, 1, 2], \"heads\": [[1, 0, 0]]}";
        Symbol s = SymbolJson.parse(json);
        assertEquals(s.nodes().size(), 2);
        assertSame(s.find("x"), s.nodes().get(0));
    }

    // ------------------------------------------------------------------ bad input

    @Test
    public void rejectsTextThatIsNotJson() throws IOException {
        Path f = writeTemp("garbage-symbol.json", "{\"nodes\": [ this is not json");
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> SymbolJson.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        assertEquals(e.file(), f);
        Files.delete(f);
    }

    @Test
    public void rejectsBinaryFile() {
        Path params = TestFiles.testModel("fmnist_mlp-0000.params");
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> SymbolJson.read(params));
        assertTrue(e.getMessage().contains(params.toString()), e.getMessage());
    }

    @Test
    public void rejectsJsonThatIsNotASymbol() {
        Path calib = TestFiles.testModel("fmnist_mlp-calib-naive.json");
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> SymbolJson.read(calib));
        assertTrue(e.getMessage().contains(calib.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not an MXNet symbol JSON"), e.getMessage());

        assertBad("[1, 2, 3]", "not an MXNet symbol JSON");
        assertBad("{\"nodes\": []}", "missing \"heads\"");
        assertBad("{\"heads\": []}", "missing \"nodes\"");
        assertBad("{\"nodes\": {}, \"heads\": []}", "\"nodes\" is not an array");
        assertBad("", "empty");
    }

    @Test
    public void rejectsBadNodes() {
        assertBad(graph("{\"name\": \"a\", \"inputs\": []}", "[[0, 0, 0]]"), "node 0: missing string field \"op\"");
        assertBad(graph("{\"op\": \"null\", \"inputs\": []}", "[[0, 0, 0]]"), "node 0: missing string field \"name\"");
        assertBad(graph("{\"op\": \"null\", \"name\": \"a\"}", "[[0, 0, 0]]"), "node 0 'a': missing array field \"inputs\"");
        assertBad(graph("{\"op\": \"null\", \"name\": \"a\", \"attrs\": {\"k\": {\"x\": 1}}, \"inputs\": []}", "[[0, 0, 0]]"),
                "node 0 'a': attribute \"k\" is not a string");
    }

    @Test
    public void rejectsBadReferences() {
        String a = "{\"op\": \"null\", \"name\": \"a\", \"inputs\": []}";
        // Input to a node id out of range.
        assertBad(graph(a + ", {\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[5, 0, 0]]}", "[[1, 0, 0]]"),
                "node 1 'r', input 0: refers to node 5, but the graph has 2 nodes");
        // Input to a later node (or itself).
        assertBad(graph(a + ", {\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[1, 0, 0]]}", "[[1, 0, 0]]"),
                "node 1 'r', input 0: refers to node 1 'r', which does not come before it");
        // Output index the source node does not have.
        assertBad("{\"nodes\": [" + a + ", {\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[0, 1, 0]]}],"
                + " \"node_row_ptr\": [0, 1, 2], \"heads\": [[1, 0, 0]]}",
                "node 1 'r', input 0: uses output 1 of node 0 'a', which has 1 output(s)");
        // Malformed entry.
        assertBad(graph(a + ", {\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[0]]}", "[[1, 0, 0]]"),
                "node 1 'r', input 0: expected [node_id, output_index, version]");
        assertBad(graph(a + ", {\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[\"x\", 0, 0]]}", "[[1, 0, 0]]"),
                "expected an integer");
        // Head out of range.
        assertBad(graph(a, "[[3, 0, 0]]"), "head 0: refers to node 3");
        // node_row_ptr of the wrong length, arg_nodes naming an operator.
        assertBad("{\"nodes\": [" + a + "], \"node_row_ptr\": [0], \"heads\": [[0, 0, 0]]}",
                "node_row_ptr: has 1 entries for 1 nodes");
        assertBad("{\"nodes\": [" + a + ", {\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[0, 0, 0]]}],"
                + " \"arg_nodes\": [1], \"heads\": [[1, 0, 0]]}", "arg_nodes lists node 1 'r', which is an operator");
    }

    @Test
    public void errorsInsideSubgraphsNameTheFusedNode() {
        String sub = "{\"nodes\": [{\"op\": \"null\", \"name\": \"d0\", \"inputs\": []}], \"heads\": [[4, 0, 0]]}";
        String json = "{\"nodes\": [{\"op\": \"null\", \"name\": \"d\", \"inputs\": []},"
                + "{\"op\": \"_sg_mkldnn_conv\", \"name\": \"fused\", \"inputs\": [[0, 0, 0]], \"subgraphs\": [" + sub + "]}],"
                + " \"heads\": [[1, 0, 0]]}";
        assertBad(json, "node 1 'fused', subgraph 0, head 0: refers to node 4");
    }

    private static String graph(String nodes, String heads) {
        return "{\"nodes\": [" + nodes + "], \"heads\": " + heads + "}";
    }

    private static void assertBad(String json, String expectedMessagePart) {
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> SymbolJson.parse(json));
        assertTrue(e.getMessage().contains(expectedMessagePart),
                "message '" + e.getMessage() + "' should contain '" + expectedMessagePart + "'");
    }

    private static Path writeTemp(String name, String content) throws IOException {
        Path dir = Files.createTempDirectory("symjson");
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        f.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return f;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((x, y) -> y.compareTo(x)).toList()) Files.deleteIfExists(p);
        }
    }

    /** Same ops, names, attrs (with order), inputs, outputs counts, heads, subgraphs and extra fields. */
    static void assertSameGraph(Symbol actual, Symbol expected, String where) {
        assertEquals(actual.nodes().size(), expected.nodes().size(), where + ": node count");
        Map<Node, Integer> ia = index(actual);
        Map<Node, Integer> ie = index(expected);
        for (int i = 0; i < expected.nodes().size(); i++) {
            Node a = actual.nodes().get(i);
            Node e = expected.nodes().get(i);
            String at = where + " node " + i + " " + e;
            assertEquals(a.op(), e.op(), at);
            assertEquals(a.name(), e.name(), at);
            assertEquals(new ArrayList<>(a.attrs().entrySet()), new ArrayList<>(e.attrs().entrySet()), at);
            assertEquals(a.attrsKey(), e.attrsKey(), at);
            assertEquals(a.numOutputs(), e.numOutputs(), at);
            assertEquals(a.extraFields(), e.extraFields(), at);
            assertEquals(a.inputs().size(), e.inputs().size(), at);
            for (int k = 0; k < e.inputs().size(); k++) {
                assertEquals(ia.get(a.input(k).node()), ie.get(e.input(k).node()), at + " input " + k);
                assertEquals(a.input(k).index(), e.input(k).index(), at);
                assertEquals(a.input(k).version(), e.input(k).version(), at);
            }
            assertEquals(a.subgraphs().size(), e.subgraphs().size(), at);
            for (int s = 0; s < e.subgraphs().size(); s++) {
                assertSameGraph(a.subgraphs().get(s), e.subgraphs().get(s), at + " subgraph " + s);
            }
        }
        assertEquals(actual.heads().size(), expected.heads().size(), where);
        for (int h = 0; h < expected.heads().size(); h++) {
            assertEquals(ia.get(actual.heads().get(h).node()), ie.get(expected.heads().get(h).node()), where);
            assertEquals(actual.heads().get(h).index(), expected.heads().get(h).index(), where);
        }
        Set<String> keys = new HashSet<>(expected.graphAttrs().keySet());
        keys.remove("mxnet_version");
        for (String k : keys) assertNotNull(actual.graphAttrs().get(k), where + " graph attr " + k);
    }

    private static Map<Node, Integer> index(Symbol s) {
        Map<Node, Integer> m = new IdentityHashMap<>();
        for (int i = 0; i < s.nodes().size(); i++) m.put(s.nodes().get(i), i);
        return m;
    }
}
