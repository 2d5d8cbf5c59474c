package org.quantize4j.passes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.TestFiles;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ops.OpRegistry;
import org.quantize4j.ops.Quantizability;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** The quantize pass: structure, SMART's no-island property, exclusions, and MXNet's own output as oracle. */
public class QuantizePassTest {
    private static final Set<String> MUST_QUANTIZED_OPS = Set.of("_contrib_quantized_conv", "_contrib_quantized_fully_connected");

    /** Every FP32 symbol of test-models (fmnist_* and zoo), not the fused or quantized ones. */
    @DataProvider
    public static Object[][] fp32Symbols() {
        List<Object[]> out = new ArrayList<>();
        for (Path p : TestFiles.symbolJsons()) {
            String f = p.getFileName().toString();
            if (f.contains("-fused-") || f.contains("-quantized-")) continue;
            out.add(new Object[] {p});
        }
        return out.toArray(new Object[0][]);
    }

    static QuantizePass.Result run(Symbol sym, QuantizeMode mode, QuantizedDtype dtype, Set<String> excludedNames,
                                   Set<String> excludedOps, OpRegistry registry) {
        Set<String> offline = new HashSet<>(sym.listInputs());
        offline.remove("data");
        return QuantizePass.run(sym, new QuantizePass.Options(excludedNames, excludedOps, mode, dtype, offline, registry, null));
    }

    static QuantizePass.Result run(Symbol sym, QuantizeMode mode, Set<String> excludedNames, Set<String> excludedOps) {
        return run(sym, mode, QuantizedDtype.INT8, excludedNames, excludedOps, QuantizingRegistry.standard());
    }

    @Test(dataProvider = "fp32Symbols")
    public void smartLeavesNoIslandsAndQuantizesEveryConvAndFc(Path file) {
        Symbol sym = SymbolJson.read(file);
        Symbol q = run(sym, QuantizeMode.SMART, Set.of(), Set.of()).symbol();
        checkWellFormed(q, file.toString());
        checkNoIslands(q, file.toString());
        assertEquals(count(q, "_contrib_quantized_conv"), count(sym, "Convolution"), file + ": conv count");
        assertEquals(count(q, "_contrib_quantized_fully_connected"), count(sym, "FullyConnected"), file + ": FC count");
        assertEquals(count(q, "Convolution") + count(q, "FullyConnected"), 0, file + ": FP32 conv/FC left");
    }

    @Test(dataProvider = "fp32Symbols")
    public void fullModeIsWellFormedAndQuantizesAtLeastAsMuchAsSmart(Path file) {
        Symbol sym = SymbolJson.read(file);
        QuantizePass.Result full = run(sym, QuantizeMode.FULL, Set.of(), Set.of());
        QuantizePass.Result smart = run(sym, QuantizeMode.SMART, Set.of(), Set.of());
        checkWellFormed(full.symbol(), file.toString());
        assertTrue(full.quantizedNodes().containsAll(smart.quantizedNodes()), file.toString());
        // FULL quantizes every candidate: every op node the registry gives a quantized kernel to.
        for (QuantizePass.Decision d : full.decisions().values()) {
            if (d.quantizability() != Quantizability.NONE && !d.reason().startsWith("no quantized kernel")
                    && !d.reason().startsWith("no INT8")) {
                assertTrue(d.quantized(), file + ": " + d);
            }
        }
    }

    @Test(dataProvider = "fp32Symbols")
    public void excludedNodesAndOpsStayFp32InTheSavedSymbol(Path file) throws Exception {
        Symbol sym = SymbolJson.read(file);
        List<String> convs = new ArrayList<>();
        for (Node n : sym.nodes()) if (n.op().equals("Convolution") || n.op().equals("FullyConnected")) convs.add(n.name());
        if (convs.size() < 2) return;
        String first = convs.get(0);
        String last = convs.get(convs.size() - 1);
        Set<String> excludedOps = count(sym, "Pooling") > 0 ? Set.of("Pooling") : Set.of("Activation");
        Symbol q = run(sym, QuantizeMode.SMART, Set.of(first, last), excludedOps).symbol();
        Path tmp = Files.createTempFile("qpass", "-symbol.json");
        try {
            SymbolJson.write(q, tmp);
            Symbol saved = SymbolJson.read(tmp);
            for (String name : List.of(first, last)) {
                Node n = saved.find(name);
                assertNotNull(n, file + ": excluded " + name + " missing");
                assertEquals(n.op(), sym.find(name).op(), file + ": excluded " + name);
                assertNull(saved.find(QuantizeNames.quantized(name)), file + ": " + name + " was quantized");
            }
            String excludedOp = excludedOps.iterator().next();
            for (Node n : saved.nodes()) {
                Node orig = sym.find(n.name().replaceFirst("^quantized_", ""));
                if (n.op().startsWith("_contrib_quantized_") && orig != null) {
                    assertFalse(orig.op().equals(excludedOp), file + ": " + n.name() + " of excluded op " + excludedOp);
                }
            }
            assertEquals(count(saved, excludedOp), count(sym, excludedOp), file + ": " + excludedOp + " nodes");
            checkWellFormed(saved, file.toString());
            checkNoIslands(saved, file.toString());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Test(dataProvider = "fp32Symbols")
    public void quantizedSymbolSurvivesAJsonRoundTrip(Path file) {
        Symbol q = run(SymbolJson.read(file), QuantizeMode.SMART, Set.of(), Set.of()).symbol();
        String json = SymbolJson.toJson(q);
        assertEquals(SymbolJson.toJson(SymbolJson.parse(json)), json, file.toString());
    }

    /** MXNet 1.9.1's quantize_model (int8, smart) output for resnet18_v1: same nodes, ops and wiring. */
    @Test
    public void matchesMxnetUnfusedInt8Resnet18() {
        Symbol sym = SymbolJson.read(TestFiles.testModel("zoo/resnet18_v1-symbol.json"));
        Symbol mx = SymbolJson.read(TestFiles.testModel("zoo/resnet18_v1-quantized-unfused-int8-symbol.json"));
        QuantizePass.Result r = run(sym, QuantizeMode.SMART, QuantizedDtype.INT8, Set.of(), Set.of(), QuantizingRegistry.standard());
        assertEquals(wiring(r.symbol()), wiring(mx));
        assertEquals(new TreeSet<>(r.symbol().listInputs()), new TreeSet<>(mx.listInputs()));
        assertEquals(r.symbol().listOutputs(), mx.listOutputs());
        for (Node n : r.symbol().nodes()) {
            if (n.op().equals(QuantizeOps.QUANTIZE_V2) || n.op().equals(QuantizeOps.REQUANTIZE)) {
                assertEquals(n.attr("out_type"), "int8", n.name());
            }
        }
    }

    /** MXNet's quantize_model (auto, smart, conv0 excluded): the stem before stage1 stays FP32. */
    @Test
    public void matchesMxnetUnfusedAutoResnet18WithConv0Excluded() {
        Symbol sym = SymbolJson.read(TestFiles.testModel("zoo/resnet18_v1-symbol.json"));
        Symbol mx = SymbolJson.read(TestFiles.testModel("zoo/resnet18_v1-quantized-unfused-auto-exclconv0-symbol.json"));
        QuantizePass.Result r = run(sym, QuantizeMode.SMART, QuantizedDtype.AUTO, Set.of("resnetv10_conv0_fwd"), Set.of(),
                QuantizingRegistry.standard());
        assertEquals(wiring(r.symbol()), wiring(mx));
        assertEquals(new TreeSet<>(r.symbol().listInputs()), new TreeSet<>(mx.listInputs()));
        assertFalse(r.decisions().get("resnetv10_pool0_fwd").quantized());
        assertTrue(r.decisions().get("resnetv10_pool0_fwd").reason().contains("upstream"),
                r.decisions().get("resnetv10_pool0_fwd").reason());
        assertEquals(r.decisions().get("resnetv10_conv0_fwd").reason(), "excluded by name");
        // Uncalibrated AUTO: int8 until calibration says the tensor is non-negative.
        assertEquals(r.symbol().find("resnetv10_pool0_fwd_output_quantize").attr("out_type"), "int8");
    }

    @Test
    public void calibrationTargetsAreQuantizeInputsAndRequantizedOutputs() {
        Symbol sym = SymbolJson.read(TestFiles.testModel("zoo/resnet18_v1-symbol.json"));
        QuantizePass.Result r = run(sym, QuantizeMode.SMART, Set.of(), Set.of());
        Map<String, List<String>> targets = new TreeMap<>();
        for (CalibrationTarget t : r.targets()) targets.put(t.tensorName(), t.nodes());
        Map<String, List<String>> expected = new TreeMap<>();
        expected.put("data", List.of("data_quantize"));
        for (Node n : sym.nodes()) {
            if (Set.of("Convolution", "FullyConnected", "elemwise_add").contains(n.op())) {
                expected.put(n.name() + "_output", List.of("requantize_" + n.name()));
            }
        }
        assertEquals(targets, expected);
    }

    @Test
    public void mlpSmartKeepsFlattenFp32AndFullQuantizesIt() {
        Symbol sym = SymbolJson.read(TestFiles.testModel("fmnist_mlp-symbol.json"));
        Node flatten = null;
        for (Node n : sym.nodes()) if (n.op().equals("Flatten")) flatten = n;
        assertNotNull(flatten);
        QuantizePass.Result smart = run(sym, QuantizeMode.SMART, Set.of(), Set.of());
        assertFalse(smart.decisions().get(flatten.name()).quantized());
        // MXNet's name for a quantize of an op without output names: <node>_<index>_quantize.
        assertNotNull(smart.symbol().find(flatten.name() + "_0_quantize"), SymbolJson.toJson(smart.symbol()));
        QuantizePass.Result full = run(sym, QuantizeMode.FULL, Set.of(), Set.of());
        assertTrue(full.decisions().get(flatten.name()).quantized());
        assertNotNull(full.symbol().find("data_quantize"));
        assertEquals(full.symbol().find(QuantizeNames.quantized(flatten.name())).op(), "_contrib_quantized_flatten");
    }

    @Test
    public void quantizedConvInputsFollowMxnetOrder() {
        Symbol sym = SymbolJson.read(TestFiles.testModel("fmnist_mlp-symbol.json"));
        Symbol q = run(sym, QuantizeMode.SMART, Set.of(), Set.of()).symbol();
        for (Node n : q.nodes()) {
            if (!n.op().equals("_contrib_quantized_fully_connected")) continue;
            String fp32 = n.name().substring("quantized_".length());
            Node orig = sym.find(fp32);
            String w = orig.input(1).node().name();
            String b = orig.input(2).node().name();
            List<String> names = new ArrayList<>();
            for (NodeEntry e : n.inputs()) names.add(e.node().name() + ":" + e.index());
            String data = names.get(0).substring(0, names.get(0).indexOf(':'));
            assertEquals(names, List.of(data + ":0", w + "_quantize:0", b + "_quantize:0", data + ":1", data + ":2",
                    w + "_quantize_min:0", w + "_quantize_max:0", b + "_quantize_min:0", b + "_quantize_max:0"), n.name());
            assertEquals(n.numOutputs(), 3);
        }
    }

    @Test
    public void passFollowsTheRegistryNotOpNames() {
        Symbol sym = SymbolJson.read(TestFiles.testModel("fmnist_resnet20_v1-symbol.json"));
        // A registry where convolution has no INT8 kernel: only FC is quantized; BN/relu/add stay FP32 (SMART).
        OpRegistry noConv = QuantizingRegistry.overlay(
                name -> name.equals("Convolution") ? null : QuantizingRegistry.QUANTIZED_NAMES.get(name),
                name -> null, QuantizingRegistry.NEEDS_REQUANTIZE);
        QuantizePass.Result r = run(sym, QuantizeMode.SMART, QuantizedDtype.INT8, Set.of(), Set.of(), noConv);
        assertEquals(count(r.symbol(), "_contrib_quantized_conv"), 0);
        assertEquals(count(r.symbol(), "_contrib_quantized_fully_connected"), 1);
        assertEquals(count(r.symbol(), "Convolution"), count(sym, "Convolution"));
        // And one where Pooling is MUST-quantized under another name.
        OpRegistry odd = QuantizingRegistry.overlay(
                name -> name.equals("Pooling") ? "_my_int8_pool" : QuantizingRegistry.QUANTIZED_NAMES.get(name),
                name -> name.equals("Pooling") ? Quantizability.MUST : null, QuantizingRegistry.NEEDS_REQUANTIZE);
        QuantizePass.Result r2 = run(sym, QuantizeMode.SMART, QuantizedDtype.INT8, Set.of(), Set.of(), odd);
        assertEquals(count(r2.symbol(), "_my_int8_pool"), count(sym, "Pooling"));
    }

    /** The FP32 op classes declare MXNet's FQuantizedOp / FNeedRequantize (the pass's only source of op knowledge). */
    @Test(dataProvider = "fp32Symbols")
    public void standardOpsDeclareMxnetQuantizedVariants(Path file) {
        assertTrue(QuantizingRegistry.declaresQuantizedOps(OpRegistry.standard()));
        for (Node n : SymbolJson.read(file).nodes()) {
            if (n.isVariable() || OpRegistry.standard().find(n.op()) == null) continue;
            org.quantize4j.ops.BoundOp<?> b = OpRegistry.standard().bind(n);
            String canonical = b.op().name();
            String expected = b.quantizability() == Quantizability.NONE ? null : QuantizingRegistry.QUANTIZED_NAMES.get(canonical);
            if (canonical.equals("Concat") && org.quantize4j.graph.Attrs.integer(n.attr("dim"), 1) <= 0) expected = null;
            assertEquals(b.quantizedOpName(), expected, file + ": " + n);
            assertEquals(b.needsRequantize(), expected != null && QuantizingRegistry.NEEDS_REQUANTIZE.contains(canonical),
                    file + ": " + n);
        }
    }

    @Test
    public void unknownExcludedNamesAreReportedWithNearMatches() {
        Symbol sym = SymbolJson.read(TestFiles.testModel("zoo/resnet18_v1-symbol.json"));
        QuantizePass.Result r = run(sym, QuantizeMode.SMART, Set.of("resnetv10_conv0", "no_such_layer_at_all"),
                Set.of("NoSuchOp"));
        assertTrue(r.unknownExcludedSymNames().get("resnetv10_conv0").contains("resnetv10_conv0_fwd"),
                r.unknownExcludedSymNames().toString());
        assertEquals(r.unknownExcludedSymNames().get("no_such_layer_at_all"), List.of());
        assertEquals(r.unknownExcludedOpNames(), Set.of("NoSuchOp"));
        // Nothing excluded in effect: same graph as without exclusions.
        assertEquals(wiring(r.symbol()), wiring(run(sym, QuantizeMode.SMART, Set.of(), Set.of()).symbol()));
    }

    @Test
    public void nearMatchesPreferCloseNames() {
        List<String> c = List.of("conv0_fwd", "conv1_fwd", "dense0_fwd", "pool0_fwd");
        assertEquals(QuantizePass.nearMatches("conv0", c, 5).get(0), "conv0_fwd");
        assertEquals(QuantizePass.nearMatches("conv1_fw", c, 5).get(0), "conv1_fwd");
        assertEquals(QuantizePass.nearMatches("zzzzzzzzzzzz", c, 5), List.of());
    }

    @Test
    public void inputSymbolIsNotModified() {
        Symbol sym = SymbolJson.read(TestFiles.testModel("fmnist_inception-symbol.json"));
        String before = SymbolJson.toJson(sym);
        run(sym, QuantizeMode.FULL, Set.of(), Set.of());
        assertEquals(SymbolJson.toJson(sym), before);
    }

    // ---- property checks on a quantized symbol (independent of the pass's own bookkeeping) ----

    static int count(Symbol s, String op) {
        int c = 0;
        for (Node n : s.nodes()) if (n.op().equals(op)) c++;
        return c;
    }

    static boolean isQuantized(Node n) {
        return n.op().startsWith("_contrib_quantized_") || n.op().equals("_my_int8_pool");
    }

    /** The node whose quantized output an entry carries (through a requantize), or null if it is not quantized. */
    static Node quantizedSource(Node n) {
        if (isQuantized(n)) return n;
        if (n.op().equals(QuantizeOps.REQUANTIZE)) return n.input(0).node();
        return null;
    }

    /** Node name -> op and inputs, for comparing graphs regardless of attributes. */
    static Map<String, String> wiring(Symbol s) {
        Map<String, String> out = new TreeMap<>();
        for (Node n : s.nodes()) {
            if (n.isVariable()) continue;
            StringBuilder sb = new StringBuilder(n.op()).append(" <-");
            for (NodeEntry e : n.inputs()) sb.append(' ').append(e.node().name()).append(':').append(e.index());
            out.put(n.name(), sb.toString());
        }
        return out;
    }

    static void checkWellFormed(Symbol q, String what) {
        Set<String> names = new HashSet<>();
        for (Node n : q.nodes()) {
            assertTrue(names.add(n.name()), what + ": duplicate node name " + n.name());
            if (isQuantized(n) || n.op().equals(QuantizeOps.QUANTIZE_V2) || n.op().equals(QuantizeOps.REQUANTIZE)) {
                assertEquals(n.numOutputs(), 3, what + ": " + n.name());
            }
            for (NodeEntry e : n.inputs()) {
                Node p = e.node();
                boolean pInt8 = quantizedSource(p) != null || p.op().equals(QuantizeOps.QUANTIZE_V2);
                if (isQuantized(n) || n.op().equals(QuantizeOps.REQUANTIZE) || n.op().equals(QuantizeOps.DEQUANTIZE)) {
                    // INT8 nodes read INT8 producers or parameters (weights, BN statistics), never FP32 op outputs.
                    if (!p.isVariable()) assertTrue(pInt8, what + ": " + n.name() + " reads FP32 " + p.name());
                } else if (!n.op().equals(QuantizeOps.QUANTIZE_V2)) {
                    assertFalse(pInt8, what + ": FP32 node " + n.name() + " reads INT8 " + p.name());
                }
            }
        }
        for (NodeEntry h : q.heads()) {
            Node p = h.node();
            assertFalse(quantizedSource(p) != null || p.op().equals(QuantizeOps.QUANTIZE_V2),
                    what + ": graph output is INT8: " + p.name());
        }
    }

    /** No quantized SUPPORT node without a quantized producer and a quantized consumer. */
    static void checkNoIslands(Symbol q, String what) {
        Map<Node, List<Node>> consumers = new IdentityHashMap<>();
        for (Node n : q.nodes()) {
            for (NodeEntry e : n.inputs()) consumers.computeIfAbsent(e.node(), k -> new ArrayList<>()).add(n);
        }
        for (Node n : q.nodes()) {
            if (!isQuantized(n) || MUST_QUANTIZED_OPS.contains(n.op())) continue;
            boolean fromInt8Op = false;
            for (NodeEntry e : n.inputs()) {
                Node src = quantizedSource(e.node());
                if (src != null && e.index() == 0) fromInt8Op = true;
            }
            boolean toInt8Op = false;
            List<Node> outs = new ArrayList<>(consumers.getOrDefault(n, List.of()));
            for (Node c : List.copyOf(outs)) {
                if (c.op().equals(QuantizeOps.REQUANTIZE)) outs.addAll(consumers.getOrDefault(c, List.of()));
            }
            for (Node c : outs) if (isQuantized(c)) toInt8Op = true;
            if (!fromInt8Op || !toInt8Op) {
                fail(what + ": island " + n.name() + " (" + n.op() + "): quantized input " + fromInt8Op
                        + ", quantized consumer " + toInt8Op);
            }
        }
    }
}
