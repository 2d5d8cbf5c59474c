package org.quantize4j.passes.fusion;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.quantize4j.TestFiles;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The fused graphs match MXNet 1.9.1's own: for the zoo architectures, {@code sym.get_backend_symbol("MKLDNN")}
 * output saved as {@code zoo/<arch>-fused-fp32-symbol.json} (compared as whole JSON documents: names,
 * numbering, attributes, input order, subgraphs); for the Fashion-MNIST models, the fused nodes of
 * MXNet's {@code quantize_model_mkldnn} output (names without the {@code quantized_} prefix, fusion
 * flags, inner ops, input producers).
 */
public class FusionStructureTest {

    @DataProvider
    public Object[][] zoo() {
        return new Object[][] {{"resnet18_v1"}, {"resnet18_v2"}, {"resnet50_v1"}, {"resnet50_v2"}, {"mobilenet1.0"},
            {"mobilenetv2_1.0"}, {"squeezenet1.0"}, {"vgg16"}, {"inceptionv3"}};
    }

    /** The gluon prefix counter differs between the exported files of the v2 ResNets (resnetv20_ vs resnetv21_). */
    private static String normalise(String json) {
        return json.replaceAll("resnetv2[01]_", "resnetv2X_");
    }

    @Test(dataProvider = "zoo")
    public void zooFusedGraphEqualsMxnets(String arch) {
        Symbol sym = SymbolJson.read(TestFiles.testModel("zoo/" + arch + "-symbol.json"));
        Symbol mx = SymbolJson.read(TestFiles.testModel("zoo/" + arch + "-fused-fp32-symbol.json"));
        Symbol ours = FusionPass.fuse(sym, FusionOptions.defaults());
        String want = normalise(SymbolJson.toJson(mx));
        String got = normalise(SymbolJson.toJson(ours));
        if (!want.equals(got)) {
            // Point at the first differing line for a readable failure.
            String[] a = got.split("\n");
            String[] b = want.split("\n");
            int i = 0;
            while (i < Math.min(a.length, b.length) && a[i].equals(b[i])) i++;
            StringBuilder ctx = new StringBuilder();
            for (int k = Math.max(0, i - 8); k < Math.min(Math.min(a.length, b.length), i + 3); k++) {
                ctx.append(k == i ? ">> " : "   ").append(a[k]).append("   |   ").append(b[k]).append('\n');
            }
            throw new AssertionError(arch + ": fused JSON differs from MXNet's at line " + (i + 1) + " (ours | MXNet):\n" + ctx);
        }
        // The test can fail: fusion changed the graph.
        assertTrue(ours.nodes().size() < sym.nodes().size());
        // Fusing a fused graph (ours or MXNet's) changes nothing.
        assertEquals(SymbolJson.toJson(FusionPass.fuse(ours, FusionOptions.defaults())), SymbolJson.toJson(ours));
        assertEquals(SymbolJson.toJson(FusionPass.fuse(mx, FusionOptions.defaults())), SymbolJson.toJson(mx));
    }

    @DataProvider
    public Object[][] fmnist() {
        Object[][] out = new Object[TestFiles.FMNIST_MODELS.size()][];
        for (int i = 0; i < out.length; i++) out[i] = new Object[] {TestFiles.FMNIST_MODELS.get(i)};
        return out;
    }

    @Test(dataProvider = "fmnist")
    public void fmnistFusedNodesEqualMxnets(String model) {
        Symbol sym = SymbolJson.read(TestFiles.testModel(model + "-symbol.json"));
        Symbol ours = FusionPass.fuse(sym, FusionOptions.defaults());
        for (String mode : new String[] {"naive", "entropy"}) {
            Symbol mx = SymbolJson.read(TestFiles.testModel(model + "-quantized-" + mode + "-symbol.json"));
            List<String> want = describe(mx, true);
            List<String> got = describe(ours, false);
            assertFalse(got.isEmpty(), model + ": nothing fused");
            assertEquals(got, want, model + " vs MXNet " + mode);
        }
    }

    /** One line per fused node: name, op, fusion flags, inner ops, and the fused nodes its inputs come from. */
    static List<String> describe(Symbol s, boolean quantized) {
        List<String> out = new ArrayList<>();
        for (Node n : s.nodes()) {
            if (!n.op().startsWith("_sg_")) continue;
            String name = quantized ? n.name().replaceFirst("^quantized_", "") : n.name();
            List<String> flags = new ArrayList<>();
            for (String k : new String[] {"with_bn", "with_act", "with_sum", "with_postsum_act", "with_eltwise"}) {
                if (n.attr(k) != null) flags.add(k + "=" + n.attr(k).toLowerCase());
            }
            List<String> inner = new ArrayList<>();
            for (Node m : n.subgraphs().get(0).nodes()) if (!m.isVariable()) inner.add(m.op() + ":" + m.name());
            List<String> fusedInputs = new ArrayList<>();
            for (NodeEntry e : n.inputs()) {
                if (e.node().op().startsWith("_sg_") && e.index() == 0) {
                    fusedInputs.add(quantized ? e.node().name().replaceFirst("^quantized_", "") : e.node().name());
                }
            }
            out.add(name + " " + n.op() + " " + flags + " " + inner + " <- " + fusedInputs);
        }
        Collections.sort(out);
        return out;
    }

    @Test
    public void inputSymbolIsNotModified() {
        Path file = TestFiles.testModel("fmnist_resnet20_v1-symbol.json");
        Symbol sym = SymbolJson.read(file);
        String before = SymbolJson.toJson(sym);
        FusionPass.fuse(sym, FusionOptions.defaults());
        assertEquals(SymbolJson.toJson(sym), before);
    }
}
