package org.quantize4j.passes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.TestFiles;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.graph.Attrs;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.testng.annotations.Test;

/**
 * Concat scale alignment: every calibrated producer of a {@code _contrib_quantized_concat} (directly or through
 * nested concats) carries the same range, the union (min of mins, max of maxes) of what calibration gave those
 * producers, and the same output type, so the concat needs no rescale.
 */
public class ConcatAlignmentTest {
    /** Calibrated producers feeding concat {@code c}, through nested concats. */
    static List<Node> producers(Node c) {
        List<Node> out = new ArrayList<>();
        int k = Attrs.integer(c.attr("num_args"), 0);
        for (int i = 0; i < k; i++) {
            NodeEntry e = c.input(i);
            Node p = e.node();
            if (p.op().equals(MkldnnAttrs.QUANTIZED_CONCAT)) out.addAll(producers(p));
            else if (p.attr("min_calib_range") != null) out.add(p);
        }
        return out;
    }

    static void assertAligned(Symbol s, String what) {
        int concats = 0;
        for (Node c : s.nodes()) {
            if (!c.op().equals(MkldnnAttrs.QUANTIZED_CONCAT)) continue;
            concats++;
            List<Node> ps = producers(c);
            assertFalse(ps.isEmpty(), what + " " + c.name());
            for (Node p : ps) {
                assertEquals(p.attr("min_calib_range"), ps.get(0).attr("min_calib_range"), what + " " + c.name() + " <- " + p.name());
                assertEquals(p.attr("max_calib_range"), ps.get(0).attr("max_calib_range"), what + " " + c.name() + " <- " + p.name());
                assertEquals(p.attr("out_type"), ps.get(0).attr("out_type"), what + " " + c.name() + " <- " + p.name());
            }
        }
        assertTrue(concats > 0, what + " has no quantized concat");
    }

    @Test
    public void fmnistInceptionProducersShareOneRangeAsInMxnet() {
        Symbol ours = MkldnnFixtures.fmnistNaive("fmnist_inception").model().symbol();
        assertAligned(ours, "fmnist_inception");
        // MXNet's own file is aligned the same way (and NaiveCalibrationVsMxnetTest compares the values).
        assertAligned(SymbolJson.read(TestFiles.testModel("fmnist_inception-quantized-naive-symbol.json")), "MXNet");
    }

    @Test
    public void inceptionV3UnionOfDistinctRangesWithNestedConcats() {
        Symbol fp32 = SymbolJson.read(TestFiles.testModel("zoo/inceptionv3-symbol.json"));
        // A distinct range per tensor; about one in five signed.
        Map<String, TensorRange> given = new HashMap<>();
        QuantizeOptions o = MkldnnFixtures.mxnet19().quantizedDtype(QuantizedDtype.AUTO);
        Symbol ours = MkldnnFixtures.structureOnly(fp32, o, t -> given.computeIfAbsent(t, k -> {
            int h = Math.abs(k.hashCode());
            float max = 1f + (h % 1000) / 100f;
            return new TensorRange(h % 5 == 0 ? -max / 2 : 0f, max);
        }));
        assertAligned(ours, "inceptionv3");
        // Each aligned range is the union of the calibrated ranges of its group, and int8 iff a member was signed.
        int checked = 0;
        for (Node c : ours.nodes()) {
            if (!c.op().equals(MkldnnAttrs.QUANTIZED_CONCAT)) continue;
            List<Node> ps = producers(c);
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (Node p : ps) {
                TensorRange r = given.get(p.name().replaceFirst("^quantized_", "") + "_output");
                assertNotNull(r, p.name());
                min = Math.min(min, r.min());
                max = Math.max(max, r.max());
            }
            // Nested groups may be wider (a group spans every concat it touches), never narrower.
            float gotMin = Float.parseFloat(ps.get(0).attr("min_calib_range"));
            float gotMax = Float.parseFloat(ps.get(0).attr("max_calib_range"));
            assertTrue(gotMin <= min && gotMax >= max, c.name());
            if (!nested(c)) {
                assertEquals(gotMin, min, c.name());
                assertEquals(gotMax, max, c.name());
            }
            // Every producer here ends in relu: unsigned by construction, whatever the (synthetic) calibrated sign.
            assertEquals(ps.get(0).attr("out_type"), "uint8", c.name());
            checked++;
        }
        assertEquals(checked, 15);
    }

    @Test
    public void signedAndUnsignedProducersBecomeOneInt8Range() {
        // data -> conv_a -> relu ┐
        //      -> conv_b ────────┴ concat -> conv_c
        Node data = Node.variable("data");
        Node convA = conv("conv_a", data);
        Node relu = Node.op("Activation", "relu_a", Map.of("act_type", "relu"), List.of(new NodeEntry(convA, 0)));
        Node convB = conv("conv_b", data);
        Node concat = Node.op("Concat", "concat0", Map.of("dim", "1", "num_args", "2"),
                List.of(new NodeEntry(relu, 0), new NodeEntry(convB, 0)));
        Node convC = conv("conv_c", concat);
        Symbol fp32 = Symbol.fromOutputs(List.of(new NodeEntry(convC, 0)), Map.of());
        Map<String, TensorRange> given = Map.of("data", new TensorRange(-1f, 1f),
                "sg_mkldnn_conv_act_0_output", new TensorRange(0f, 2f),
                "sg_mkldnn_conv_1_output", new TensorRange(-1f, 3f),
                "sg_mkldnn_conv_2_output", new TensorRange(-5f, 5f));
        Symbol ours = MkldnnFixtures.structureOnly(fp32, MkldnnFixtures.mxnet19(), given::get);
        Node a = ours.find("quantized_sg_mkldnn_conv_act_0");
        Node b = ours.find("quantized_sg_mkldnn_conv_1");
        assertNotNull(a);
        assertNotNull(b);
        for (Node p : List.of(a, b)) {
            assertEquals(Float.parseFloat(p.attr("min_calib_range")), -1f, p.name());
            assertEquals(Float.parseFloat(p.attr("max_calib_range")), 3f, p.name());
            assertEquals(p.attr("out_type"), "int8", p.name());   // the relu conv gives up uint8 for one scale
        }
        assertAligned(ours, "two-branch graph");
    }

    private static Node conv(String name, Node in) {
        Node w = Node.variable(name + "_weight");
        return Node.op("Convolution", name, Map.of("kernel", "(1, 1)", "num_filter", "4", "no_bias", "True"),
                List.of(new NodeEntry(in, 0), new NodeEntry(w, 0)));
    }

    /** Whether {@code c} shares producers with another concat (then its group is the union of both). */
    private static boolean nested(Node c) {
        int k = Attrs.integer(c.attr("num_args"), 0);
        for (int i = 0; i < k; i++) if (c.input(i).node().op().equals(MkldnnAttrs.QUANTIZED_CONCAT)) return true;
        return c.name().contains("E1_concat") || c.name().contains("E2_concat");
    }
}
