package org.quantize4j;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quantize4j.calib.ArrayDataIter;
import org.quantize4j.calib.CalibData;
import org.quantize4j.calib.CalibrationCollector;
import org.quantize4j.calib.CalibrationTable;
import org.quantize4j.calib.Histogram;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.data.DataIter;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.ApplyCalibration;
import org.quantize4j.passes.CalibrationTarget;
import org.quantize4j.passes.QuantizingRegistry;
import org.testng.annotations.Test;

/** The {@link Quantization} facade end to end on the Fashion-MNIST models. */
public class QuantizationTest {
    static Model model(String name) {
        return Model.load(TestFiles.prefix(name));
    }

    static QuantizeOptions options() {
        return QuantizeOptions.defaults().registry(QuantizingRegistry.standard());
    }

    @Test
    public void defaultsAreMxnets() {
        QuantizeOptions o = QuantizeOptions.defaults();
        assertEquals(o.dataNames(), List.of("data"));
        assertEquals(o.labelNames(), List.of("softmax_label"));
        assertEquals(o.excludedSymNames(), Set.of());
        assertEquals(o.excludedOpNames(), Set.of());
        assertEquals(o.calibMode(), CalibMode.ENTROPY);
        assertNull(o.calibData());
        assertNull(o.numCalibExamples());
        assertEquals(o.quantizedDtype(), QuantizedDtype.INT8);
        assertEquals(o.quantizeMode(), QuantizeMode.SMART);
        assertNull(o.collector());
        assertEquals(CalibMode.fromName("Entropy"), CalibMode.ENTROPY);
        assertEquals(QuantizedDtype.fromName("auto"), QuantizedDtype.AUTO);
        assertEquals(QuantizeMode.fromName("full"), QuantizeMode.FULL);
        expectThrows(IllegalArgumentException.class, () -> QuantizedDtype.fromName("int4"));
        expectThrows(IllegalArgumentException.class, () -> o.numCalibExamples(0));
    }

    @Test
    public void naiveAutoModelCarriesExactRangesAndSavesRoundTrip() throws Exception {
        Model m = model("fmnist_resnet20_v1");
        QuantizedModel q;
        try (DataIter it = CalibData.iterator(32)) {
            q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), options()
                    .calibMode(CalibMode.NAIVE).calibData(it).quantizedDtype(QuantizedDtype.AUTO));
        }
        // Independent route: quantizeGraph + calibrate gives the table the attributes must hold.
        QuantizeOptions o2 = options().calibMode(CalibMode.NAIVE).quantizedDtype(QuantizedDtype.AUTO);
        QuantizeGraphResult g = Quantization.quantizeGraph(m.symbol(), m.argParams(), m.auxParams(), o2);
        CalibrationTable table;
        try (DataIter it = CalibData.iterator(64)) {
            table = Quantization.calibrate(m.symbol(), m.argParams(), m.auxParams(), g, o2.calibData(it));
        }
        assertEquals(table.numExamples(), 320);
        int calibrated = 0;
        for (Node n : q.symbol().nodes()) {
            String tensor = CalibrationTarget.tensorOf(n);
            if (tensor == null) continue;
            TensorRange r = table.ranges().get(tensor);
            assertNotNull(r, tensor);
            float min = Float.parseFloat(n.attr("min_calib_range"));
            float max = Float.parseFloat(n.attr("max_calib_range"));
            // Batch 32 vs 64 can differ in the last bits of oneDNN's sums.
            assertEquals(min, r.min(), 1e-5 * Math.max(1, Math.abs(r.min())), n.name());
            assertEquals(max, r.max(), 1e-5 * Math.max(1, Math.abs(r.max())), n.name());
            assertEquals(n.attr("out_type"), min >= 0 ? "uint8" : "int8", n.name());
            calibrated++;
        }
        // Quantized BatchNorms take the range of their own FP32 output (MXNet's FNeedCalibrateOutput).
        for (CalibrationTarget t : ApplyCalibration.batchNormTargets(q.symbol())) {
            TensorRange r = table.ranges().get(t.tensorName());
            assertNotNull(r, t.tensorName());
            Node bn = q.symbol().find(t.nodes().get(0));
            assertEquals(Float.parseFloat(bn.attr("min_calib_range")), r.min(), 1e-5 * Math.max(1, Math.abs(r.min())), bn.name());
            assertEquals(Float.parseFloat(bn.attr("max_calib_range")), r.max(), 1e-5 * Math.max(1, Math.abs(r.max())), bn.name());
            calibrated++;
        }
        assertEquals(calibrated, g.targets().size());
        assertEquals(Float.parseFloat(q.symbol().find("data_quantize").attr("min_calib_range")), -0.810198f, 1e-6);

        Path dir = Files.createTempDirectory("q4j-quant");
        String prefix = dir.resolve("resnet20-int8").toString();
        try {
            q.save(prefix, 0);
            Model back = Model.load(prefix);
            assertEquals(SymbolJson.toJson(back.symbol()), SymbolJson.toJson(q.symbol()));
            assertEquals(back.argParams().keySet(), q.argParams().keySet());
            int int8 = 0;
            for (Map.Entry<String, NDArray> e : back.argParams().entrySet()) {
                if (e.getKey().endsWith("_weight_quantize")) {
                    assertEquals(e.getValue().dtype(), DType.INT8, e.getKey());
                    int8++;
                }
                // FP32 conv/FC weights are not kept: the quantized graph does not use them.
                assertFalse(e.getKey().endsWith("_weight") && back.symbol().find(e.getKey()) == null, e.getKey());
            }
            assertEquals(int8, 22, "21 convs + 1 FC");
            assertEquals(back.auxParams().keySet(), m.auxParams().keySet());
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Test
    public void quantizeGraphThenOwnLoopThenCalibGraphEqualsQuantizeModel() {
        Model m = model("fmnist_mlp");
        QuantizedModel direct;
        try (DataIter it = CalibData.iterator(32)) {
            direct = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(),
                    options().calibMode(CalibMode.ENTROPY).calibData(it).numCalibExamples(160));
        }
        QuantizeGraphResult g = Quantization.quantizeGraph(m.symbol(), m.argParams(), m.auxParams(),
                options().calibMode(CalibMode.ENTROPY));
        try (DataIter it = CalibData.iterator(32)) {
            org.quantize4j.calib.CalibrationRunner.run(m.symbol(), m.allParams(), "data",
                    g.targets().stream().map(CalibrationTarget::tensorName).toList(), it, 160, g.collector(),
                    org.quantize4j.runtime.ExecutorOptions.defaults(), null);
        }
        // calibGraph takes the original FP32 arguments, as MXNet's does.
        QuantizedModel viaGraph = Quantization.calibGraph(g.symbol(), m.argParams(), m.auxParams(), g.collector(),
                CalibMode.ENTROPY, QuantizedDtype.INT8);
        assertEquals(SymbolJson.toJson(viaGraph.symbol()), SymbolJson.toJson(direct.symbol()));
        assertEquals(viaGraph.argParams().keySet(), direct.argParams().keySet());
        for (String k : direct.argParams().keySet()) {
            assertEquals(viaGraph.argParams().get(k).buffer(), direct.argParams().get(k).buffer(), k);
        }
        // And with the already-quantized arguments of quantizeGraph.
        QuantizedModel viaQargs = Quantization.calibGraph(g.symbol(), g.argParams(), g.auxParams(), g.collector(),
                CalibMode.ENTROPY, QuantizedDtype.INT8);
        assertEquals(viaQargs.argParams().keySet(), direct.argParams().keySet());
    }

    @Test
    public void calibModeNoneWritesNoRangesAndNeedsNoData() {
        Model m = model("fmnist_inception");
        QuantizedModel q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(),
                options().calibMode(CalibMode.NONE).quantizedDtype(QuantizedDtype.AUTO));
        int nodes = 0;
        for (Node n : q.symbol().nodes()) {
            assertNull(n.attr("min_calib_range"), n.name());
            if (CalibrationTarget.tensorOf(n) != null) {
                assertEquals(n.attr("out_type"), "int8", n.name());
                nodes++;
            }
        }
        assertTrue(nodes > 5);
    }

    @Test
    public void customCollectorSeesOnlyTheTargetsAndItsRangesAreUsed() {
        Model m = model("fmnist_mlp");
        Set<String> seen = new LinkedHashSet<>();
        CalibrationCollector custom = new CalibrationCollector() {
            @Override
            public void collect(String name, String opName, NDArray array) {
                seen.add(name);
            }

            @Override
            public Map<String, TensorRange> postCollect() {
                Map<String, TensorRange> out = new LinkedHashMap<>();
                for (String s : seen) out.put(s, new TensorRange(-0.25f, 0.75f));
                return out;
            }
        };
        QuantizedModel q;
        try (DataIter it = CalibData.iterator(32)) {
            q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(),
                    options().calibMode(CalibMode.CUSTOMIZE).collector(custom).calibData(it).numCalibExamples(32));
        }
        Set<String> targets = new LinkedHashSet<>();
        for (CalibrationTarget t : CalibrationTarget.of(q.symbol())) targets.add(t.tensorName());
        assertEquals(seen, targets);
        for (Node n : q.symbol().nodes()) {
            if (CalibrationTarget.tensorOf(n) == null) continue;
            assertEquals(n.attr("min_calib_range"), "-0.25");
            assertEquals(n.attr("max_calib_range"), "0.75");
        }
    }

    @Test
    public void badOptionsAreClearErrors() {
        Model m = model("fmnist_mlp");
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> Quantization.quantizeModel(
                m.symbol(), m.argParams(), m.auxParams(), options().calibMode(CalibMode.NAIVE)));
        assertTrue(e.getMessage().contains("calibration data"), e.getMessage());
        e = expectThrows(IllegalArgumentException.class, () -> Quantization.quantizeModel(m.symbol(), m.argParams(),
                m.auxParams(), options().calibMode(CalibMode.CUSTOMIZE).calibData(CalibData.iterator(32))));
        assertTrue(e.getMessage().contains("collector"), e.getMessage());
        e = expectThrows(IllegalArgumentException.class, () -> Quantization.quantizeModel(m.symbol(), m.argParams(),
                m.auxParams(), options().calibMode(CalibMode.NAIVE).dataNames("images").calibData(CalibData.iterator(32))));
        assertTrue(e.getMessage().contains("'images'"), e.getMessage());
        e = expectThrows(IllegalArgumentException.class, () -> Quantization.quantizeModel(m.symbol(), m.argParams(),
                m.auxParams(), options().calibMode(CalibMode.NAIVE)
                        .calibData(new ArrayDataIter(new float[0], new long[] {1, 28, 28}, 4))));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    public void unknownExcludedNameWarnsAndQuantizesAnyway() {
        Model m = model("fmnist_mlp");
        QuantizedModel q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(),
                options().calibMode(CalibMode.NONE).excludedSymNames("mlp0_dense0").excludedOpNames("Nope"));
        int fc = 0;
        for (Node n : q.symbol().nodes()) if (n.op().equals("_contrib_quantized_fully_connected")) fc++;
        assertEquals(fc, 3);
    }

    @Test
    public void excludingTheLastDenseKeepsItFp32() {
        Model m = model("fmnist_mlp");
        String last = null;
        for (Node n : m.symbol().nodes()) if (n.op().equals("FullyConnected")) last = n.name();
        QuantizedModel q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(),
                options().calibMode(CalibMode.NONE).excludedSymNames(last));
        Node n = q.symbol().find(last);
        assertEquals(n.op(), "FullyConnected");
        // Its weights stay FP32 parameters.
        assertEquals(q.argParams().get(n.input(1).node().name()).dtype(), DType.FLOAT32);
        String producer = n.input(0).node().op();
        assertFalse(producer.startsWith("_contrib_"), "FP32 input expected, got " + producer);
        assertTrue(q.symbol().nodes().stream().anyMatch(x -> x.op().equals("_contrib_dequantize")));
    }

    @Test
    public void combineHistogramDelegatesToMxnetSemantics() {
        NDArray first = NDArray.ofFloats(new long[] {4}, new float[] {-1, 0, 0.5f, 1});
        NDArray next = NDArray.ofFloats(new long[] {3}, new float[] {-3, 0.25f, 2});
        Histogram h = Histogram.ofFirstBatch(first.floatView(), 11);
        Histogram c = Quantization.combineHistogram(h, next, -3, 2, 3);
        assertEquals(c, Histogram.combineHistogram(h, next.floatView(), -3, 2, 3));
        assertEquals(c.totalCount(), 7);
        assertTrue(c.th() >= 3 && c.numBins() > 11, c.toString());
        assertEquals(c.min(), -3f);
    }

    /** The CLI command on the MLP (runs the library with the standard registry). */
    @Test
    public void quantizeCommandWritesTheModel() throws Exception {
        Path dir = Files.createTempDirectory("q4j-cli");
        String out = dir.resolve("mlp-int8").toString();
        try {
            java.io.StringWriter so = new java.io.StringWriter();
            java.io.StringWriter se = new java.io.StringWriter();
            picocli.CommandLine cl = new picocli.CommandLine(new org.quantize4j.cli.QuantizeCommand());
            cl.setOut(new java.io.PrintWriter(so));
            cl.setErr(new java.io.PrintWriter(se));
            int code = cl.execute("--model", TestFiles.prefix("fmnist_mlp"), "--calib-data", CalibData.imagesFile().toString(),
                    "--mean", "0.2860", "--std", "0.3530", "--calib-mode", "naive", "--num-calib-examples", "64",
                    "--quantized-dtype", "auto", "--quantize-mode", "smart", "--exclude", "no_such_node", "--out", out,
                    "--json", "--quiet");
            assertEquals(code, 0, so + "\n" + se);
            com.fasterxml.jackson.databind.JsonNode j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(so.toString());
            assertEquals(j.get("calib_examples").asLong(), 64);
            assertTrue(j.get("quantized_nodes").asInt() >= 3, so.toString());
            Model back = Model.load(out);
            assertEquals(back.symbol().heads().get(0).node().name(), "mlp0_dense2_fwd_dequantize");
            int calibrated = 0;
            for (Node n : back.symbol().nodes()) if (n.attr("min_calib_range") != null) calibrated++;
            assertEquals(calibrated, j.get("calibrated_nodes").asInt());
            assertTrue(calibrated >= 4, "data + 3 requantize");
            // Usage errors exit 2 with a message.
            int bad = cl.execute("--model", TestFiles.prefix("fmnist_mlp"), "--calib-mode", "naive", "--out", out);
            assertEquals(bad, 2);
            assertTrue(se.toString().contains("--calib-data"), se.toString());
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }
}
