package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.quantize4j.Model;
import org.quantize4j.graph.Node;
import org.quantize4j.passes.CalibrationTarget;
import org.quantize4j.passes.QuantizeNames;
import org.testng.annotations.Test;

/**
 * {@code quantize --report DIR} on fmnist_resnet20_v1 with the 320 calibration images: the report lists exactly the
 * tensors the written INT8 model carries calibrated ranges for, each with its range, histogram and one plot, and
 * every quantized layer of the written model with a finite error, worst first.
 */
public class QuantizeReportCommandTest {
    private static final Path MODELS = Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    private static final String CALIB = MODELS.resolve("fashion-mnist/train320-images-idx3-ubyte.gz").toString();

    private static CliRunner quantize(String mode, Path out, Path report, String... extra) {
        List<String> args = new ArrayList<>(List.of("quantize", "--model", MODELS.resolve("fmnist_resnet20_v1").toString(),
                "--calib-data", CALIB, "--mean", "0.2860", "--std", "0.3530", "--calib-mode", mode,
                "--quantized-dtype", "auto", "--threads", "1", "--out", out.toString(), "--report", report.toString()));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(new String[0]));
    }

    /** The FP32 tensors whose ranges the written model holds, read off its nodes (not from the report). */
    private static Set<String> calibratedTensors(Model q) {
        Set<String> out = new LinkedHashSet<>();
        for (Node n : q.symbol().nodes()) {
            if (n.attr("min_calib_range") == null) continue;
            String t = CalibrationTarget.tensorOf(n);
            if (t == null && n.name().startsWith(QuantizeNames.QUANTIZED_PREFIX)) {
                // A quantized BatchNorm carries the range of its own FP32 output.
                t = n.name().substring(QuantizeNames.QUANTIZED_PREFIX.length()) + "_output";
            }
            assertNotNull(t, "calibrated node " + n.name() + " (" + n.op() + ")");
            out.add(t);
        }
        return out;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }

    private static JsonNode check(String mode, Path dir, CliRunner r) throws IOException {
        assertEquals(r.exitCode(), 0, r.toString());
        assertEquals(r.err(), "", "--quiet: nothing on stderr");
        Path reportDir = dir.resolve("report/nested");
        try (Stream<Path> files = Files.list(reportDir)) {
            assertEquals(files.map(p -> p.getFileName().toString()).sorted().toList(), List.of("report.html", "report.json"),
                    "only the two report files, no temporary files left");
        }
        JsonNode stdout = new ObjectMapper().readTree(r.out());
        assertEquals(stdout.path("report_html").asText(), reportDir.resolve("report.html").toString());
        JsonNode json = new ObjectMapper().readTree(reportDir.resolve("report.json").toFile());
        String html = Files.readString(reportDir.resolve("report.html"));
        assertEquals(json.path("format").asText(), "quantize4j-calibration-report");
        assertEquals(json.path("settings").path("calib_mode").asText(), mode);
        assertEquals(json.path("calib_examples").asLong(), 320);

        Model q = Model.load(dir.resolve("int8").toString());
        Set<String> expected = calibratedTensors(q);
        assertEquals(expected.size(), 53, "resnet20: 32 quantize/requantize inputs + 21 BatchNorm outputs");
        Set<String> listed = new LinkedHashSet<>();
        for (JsonNode t : json.path("tensors")) {
            String name = t.path("name").asText();
            listed.add(name);
            double seenMin = t.path("seen_min").asDouble();
            double seenMax = t.path("seen_max").asDouble();
            double lo = t.path("calib_min").asDouble();
            double hi = t.path("calib_max").asDouble();
            assertTrue(seenMin <= seenMax && lo <= hi, name);
            assertEquals(t.path("threshold").asDouble(), Math.max(Math.abs(lo), Math.abs(hi)), 1e-6, name);
            long values = t.path("values").asLong();
            long binned = 0;
            for (JsonNode c : t.path("histogram").path("counts")) binned += c.asLong();
            assertEquals(binned, values, name + ": every value is in the plotted histogram");
            assertTrue(values > 0 && values % 320 == 0, name + ": values of 320 examples, got " + values);
            double clipped = t.path("clipped_fraction").asDouble();
            assertTrue(clipped >= 0 && clipped <= 1, name);
            if (mode.equals("naive")) {
                assertTrue(t.path("kl_divergence").isNull(), name + ": naive has no KL divergence");
                assertEquals(lo, seenMin, 1e-6, name + ": naive range = min / max");
                assertEquals(hi, seenMax, 1e-6, name);
                assertEquals(clipped, 0.0, name);
            } else {
                assertTrue(t.path("kl_divergence").isNumber() && t.path("kl_divergence").asDouble() >= 0, name);
                assertTrue(hi <= Math.max(Math.abs(seenMin), Math.abs(seenMax)) * 1.001 + 1e-6, name + ": threshold within the values seen");
            }
            assertTrue(html.contains("id=\"t-" + name + "\""), name + " has a plot in the HTML");
            assertTrue(t.path("used_by").size() > 0, name + ": the nodes taking its range");
            for (JsonNode u : t.path("used_by")) assertNotNull(q.symbol().find(u.asText()), u.asText());
        }
        assertEquals(listed, expected, "the report lists exactly the calibrated tensors");
        assertEquals(count(html, "<svg"), expected.size(), "one plot per tensor");
        JsonNode data = json.path("tensors").get(0);
        assertEquals(data.path("name").asText(), "data", "graph order: the input first");
        assertEquals(data.path("values").asLong(), 320L * 28 * 28);

        // Per-layer errors: every quantized node of the written model, finite, worst first.
        Set<String> quantized = new LinkedHashSet<>();
        for (Node n : q.symbol().nodes()) {
            if (n.op().startsWith("_contrib_quantized_")) quantized.add(n.name().substring(QuantizeNames.QUANTIZED_PREFIX.length()));
        }
        assertEquals(quantized.size(), 72);
        Set<String> layers = new LinkedHashSet<>();
        double previous = Double.POSITIVE_INFINITY;
        for (JsonNode e : json.path("layers")) {
            layers.add(e.path("layer").asText());
            for (JsonNode o : e.path("original_nodes")) layers.add(o.asText());   // a BatchNorm shown with its relu
            double rel = e.path("relative_l2").asDouble(Double.NaN);
            double cos = e.path("cosine").asDouble(Double.NaN);
            assertTrue(e.path("relative_l2").isNumber() && Double.isFinite(rel) && rel > 0 && rel < 0.5, e.toString());
            assertTrue(e.path("cosine").isNumber() && cos >= -1 && cos <= 1 && cos > 0.9, e.toString());
            assertTrue(rel <= previous, "sorted worst first at " + e);
            previous = rel;
            assertEquals(e.path("values").asLong() % 320, 0L, e.toString());
        }
        assertEquals(layers, quantized, "every quantized node is compared");
        // The HTML's summary names the worst layer with the option that excludes it.
        String worst = json.path("layers").get(0).path("layer").asText();
        assertTrue(html.contains("--exclude " + worst), "summary suggests excluding " + worst);
        assertTrue(html.indexOf("id=\"summary\"") < html.indexOf("id=\"layers\"")
                && html.indexOf("id=\"layers\"") < html.indexOf("id=\"tensors\""), "summary, layers, then tensors");
        return json;
    }

    @Test
    public void naiveReport() throws Exception {
        Path dir = Files.createTempDirectory("q4j-report-naive");
        CliRunner r = quantize("naive", dir.resolve("int8"), dir.resolve("report/nested"), "--quiet", "--json");
        check("naive", dir, r);
    }

    @Test(groups = "slow")
    public void entropyReport() throws Exception {
        Path dir = Files.createTempDirectory("q4j-report-entropy");
        CliRunner r = quantize("entropy", dir.resolve("int8"), dir.resolve("report/nested"), "--quiet", "--json");
        JsonNode json = check("entropy", dir, r);
        // The input's entropy threshold is MXNet's (test-models' calibration table: data_quantize max 2.022663).
        JsonNode data = json.path("tensors").get(0);
        JsonNode mx = new ObjectMapper().readTree(MODELS.resolve("fmnist_resnet20_v1-calib-entropy.json").toFile());
        for (JsonNode n : mx.path("nodes")) {
            if (n.path("name").asText().equals("data_quantize")) {
                assertEquals(data.path("calib_max").asDouble(), n.path("max_calib_range").asDouble(), 1e-6);
            }
        }
    }

    @Test
    public void mkldnnReportNamesTheFusedLayersOriginalNodes() throws Exception {
        Path dir = Files.createTempDirectory("q4j-report-mkldnn");
        CliRunner r = quantize("naive", dir.resolve("int8"), dir.resolve("r"), "--mkldnn", "--quiet", "--json");
        assertEquals(r.exitCode(), 0, r.toString());
        assertEquals(r.err(), "");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("r/report.json").toFile());
        Model q = Model.load(dir.resolve("int8").toString());
        int calibrated = 0;
        for (Node n : q.symbol().nodes()) if (n.attr("min_calib_range") != null) calibrated++;
        List<String> unused = new ArrayList<>();
        int used = 0;
        for (JsonNode t : json.path("tensors")) {
            if (t.path("used_by").isEmpty()) unused.add(t.path("name").asText());
            else used++;
            for (JsonNode u : t.path("used_by")) assertNotNull(q.symbol().find(u.asText()), u.asText());
        }
        assertEquals(used, calibrated, "each calibrated node of the written model has its tensor");
        // Calibrated, then not needed: the last FullyConnected absorbed its dequantize and writes float.
        assertEquals(unused, List.of("sg_mkldnn_fully_connected_0_output"));
        assertTrue(Files.readString(dir.resolve("r/report.html")).contains("not used by the written model"));
        Set<String> originals = new LinkedHashSet<>();
        for (JsonNode e : json.path("layers")) {
            assertTrue(Double.isFinite(e.path("relative_l2").asDouble(Double.NaN)), e.toString());
            assertNotNull(q.symbol().find(e.path("quantized_node").asText()), e.toString());
            for (JsonNode o : e.path("original_nodes")) originals.add(o.asText());
        }
        // Every conv / BatchNorm / FC of the original model is inside some compared fused layer.
        Model fp32 = Model.load(MODELS.resolve("fmnist_resnet20_v1").toString());
        for (Node n : fp32.symbol().nodes()) {
            if (n.op().equals("Convolution") || n.op().equals("BatchNorm") || n.op().equals("FullyConnected")) {
                assertTrue(originals.contains(n.name()), n.name() + " in " + originals);
            }
        }
        assertEquals(json.path("settings").path("graph").asText(), "fused for oneDNN (quantize_model_mkldnn)");
    }

    @Test
    public void progressUnlessQuiet() throws Exception {
        Path dir = Files.createTempDirectory("q4j-report-progress");
        CliRunner r = CliRunner.run("quantize", "--model", MODELS.resolve("fmnist_mlp").toString(), "--calib-data", CALIB,
                "--mean", "0.2860", "--std", "0.3530", "--calib-mode", "naive", "--threads", "1",
                "--out", dir.resolve("int8").toString(), "--report", dir.resolve("r").toString());
        assertEquals(r.exitCode(), 0, r.toString());
        assertTrue(r.err().contains("calibrating: 320/320 images (100%)"), r.err());
        assertTrue(r.err().contains("layer errors: 320/320 images (100%)"), r.err());
        assertFalse(r.err().contains("\r"), "not a terminal: plain lines");
        Matcher m = Pattern.compile("report +(\\S+report\\.html) \\((\\d+) tensors, (\\d+) layers\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(Files.isRegularFile(Path.of(m.group(1))));
    }

    @Test
    public void reportUsageErrors() throws Exception {
        Path dir = Files.createTempDirectory("q4j-report-usage");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliRunner noData = CliRunner.run("quantize", "--model", MODELS.resolve("fmnist_mlp").toString(),
                "--calib-mode", "none", "--out", dir.resolve("o").toString(), "--report", dir.resolve("r").toString());
        assertEquals(noData.exitCode(), 2, noData.toString());
        assertTrue(noData.err().contains("--report needs --calib-data"), noData.err());
        CliRunner onFile = quantize("naive", dir.resolve("o"), file);
        assertEquals(onFile.exitCode(), 2, onFile.toString());
        assertTrue(onFile.err().contains("is a file"), onFile.err());
        assertFalse(Files.exists(dir.resolve("o-symbol.json")), "nothing written after a usage error");
    }
}
