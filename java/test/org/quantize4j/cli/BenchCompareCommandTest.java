package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.passes.fusion.FusionPass;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.testng.annotations.Test;

/**
 * {@code bench --int8 / --fp32-unfused / --int8-unfused / --profile / --zoo}: the rows, the speedup field,
 * the profile's steps, option validation. Structure and consistency only, never timings.
 */
public class BenchCompareCommandTest {
    private static final Path MODELS = Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    private static final String RESNET20 = MODELS.resolve("fmnist_resnet20_v1").toString();
    private static final String CALIB = MODELS.resolve("fashion-mnist/train320-images-idx3-ubyte.gz").toString();
    private static final String[] FAST = {"--seconds", "0.05", "--warmup", "0", "--rounds", "2", "--quiet"};
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CliRunner bench(String... args) {
        List<String> all = new ArrayList<>(List.of("bench"));
        all.addAll(List.of(args));
        all.addAll(List.of(FAST));
        return CliRunner.run(all.toArray(new String[0]));
    }

    private static List<JsonNode> jsonLines(CliRunner r) throws IOException {
        assertEquals(r.exitCode(), 0, r.toString());
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) out.add(JSON.readTree(line));
        return out;
    }

    private static void assertUsageError(CliRunner r, String expectedInMessage) {
        assertEquals(r.exitCode(), 2, r.toString());
        assertTrue(r.err().contains(expectedInMessage), "expected '" + expectedInMessage + "' in " + r);
        assertEquals(r.out(), "", r.toString());
    }

    /** The speedup on a row equals its images/s over the fp32 row's of the same batch and threads. */
    private static void assertSpeedups(List<JsonNode> rows) {
        for (JsonNode o : rows) {
            String v = o.get("variant").asText();
            if (v.equals("fp32")) {
                assertNull(o.get("speedup"), o.toString());
                continue;
            }
            JsonNode fp32 = null;
            for (JsonNode f : rows) {
                if (f.get("variant").asText().equals("fp32") && f.get("batch").equals(o.get("batch"))
                        && f.get("threads").equals(o.get("threads"))) {
                    assertNull(fp32, "one fp32 row per (batch, threads)");
                    fp32 = f;
                }
            }
            assertNotNull(fp32, "no fp32 row for " + o);
            double expected = o.get("images_per_second").asDouble() / fp32.get("images_per_second").asDouble();
            assertTrue(o.has("speedup"), o.toString());
            assertEquals(o.get("speedup").asDouble(), expected, 1e-12 * expected, o.toString());
            assertEquals(o.get("speedup_vs").asText(), "fp32");
        }
    }

    @Test
    public void int8OnCalibrationDataGivesFp32AndInt8RowsWithTheirRatio() throws IOException {
        CliRunner r = bench("--model", RESNET20, "--data-shape", "1,28,28", "--batch", "1,2", "--threads", "1",
                "--int8", "--calib-mode", "naive", "--calib-data", CALIB, "--num-calib-examples", "32",
                "--mean", "0.2860", "--std", "0.3530", "--json");
        List<JsonNode> rows = jsonLines(r);
        assertEquals(rows.size(), 4, r.toString());
        String[] variants = {"fp32", "int8", "fp32", "int8"};
        int[] batches = {1, 1, 2, 2};
        for (int i = 0; i < rows.size(); i++) {
            JsonNode o = rows.get(i);
            assertEquals(o.get("variant").asText(), variants[i], o.toString());
            assertEquals(o.get("batch").asInt(), batches[i], o.toString());
            assertEquals(o.get("threads").asInt(), 1, o.toString());
            assertEquals(o.get("shape").toString(), "[" + batches[i] + ",1,28,28]", o.toString());
            assertEquals(o.get("model").asText(), RESNET20);
            assertFalse(o.get("random_weights").asBoolean());
            assertTrue(o.get("images_per_second").asDouble() > 0, o.toString());
            assertTrue(o.get("iterations").asLong() > 0, o.toString());
            assertNull(o.get("profile"), "no profile unless asked");
            if (variants[i].equals("int8")) {
                assertEquals(o.get("calib_mode").asText(), "naive");
                assertEquals(o.get("quantized_dtype").asText(), "auto");
            }
        }
        assertSpeedups(rows);
    }

    @Test
    public void allFourVariantsWithRandomWeightsAndAHumanTable() throws IOException {
        CliRunner r = bench("--model", RESNET20, "--random-weights", "--shape", "1,1,28,28", "--threads", "1",
                "--int8", "--fp32-unfused", "--int8-unfused", "--calib-mode", "none", "--json");
        List<JsonNode> rows = jsonLines(r);
        List<String> names = new ArrayList<>();
        for (JsonNode o : rows) names.add(o.get("variant").asText());
        assertEquals(names, List.of("fp32", "fp32-unfused", "int8", "int8-unfused"), r.toString());
        for (JsonNode o : rows) assertTrue(o.get("random_weights").asBoolean(), o.toString());
        assertSpeedups(rows);

        CliRunner table = bench("--model", RESNET20, "--random-weights", "--shape", "1,1,28,28", "--threads", "1",
                "--int8", "--num-calib-examples", "8");
        assertEquals(table.exitCode(), 0, table.toString());
        String[] lines = table.out().strip().split("\n");
        assertTrue(lines[0].startsWith("variant") && lines[0].contains("images/s") && lines[0].contains("speedup"),
                table.toString());
        assertTrue(lines[1].startsWith("fp32 "), table.toString());
        assertTrue(lines[2].startsWith("int8 ") && lines[2].strip().endsWith("x"), table.toString());
        assertTrue(lines[3].strip().matches("int8/fp32 = [0-9.]+x \\(batch 1, threads 1\\)"), table.toString());
    }

    @Test
    public void profileListsEveryStepOfEachVariantWithTimesThatAddUp() throws IOException {
        CliRunner r = bench("--model", RESNET20, "--random-weights", "--shape", "2,1,28,28", "--threads", "1",
                "--int8", "--calib-mode", "none", "--profile", "--profile-iterations", "3", "--json");
        List<JsonNode> rows = jsonLines(r);
        assertEquals(rows.size(), 2, r.toString());

        // The same graphs, built independently (the weights do not change the steps; calibration none
        // has no data): the profile must have one entry per executor step.
        Model m = Model.load(RESNET20);
        Map<String, long[]> shape = Map.of("data", new long[] {2, 1, 28, 28});
        int fp32Steps;
        try (Executor ex = Executor.create(FusionPass.fuse(m.symbol()), m.allParams(), shape, new ExecutorOptions(1))) {
            fp32Steps = ex.numSteps();
        }
        QuantizedModel q = Quantization.quantizeModelMkldnn(m.symbol(), m.argParams(), m.auxParams(),
                QuantizeOptions.defaults().calibMode(CalibMode.NONE).quantizedDtype(QuantizedDtype.AUTO));
        int int8Steps;
        try (Executor ex = Executor.create(q.symbol(), q.toModel().allParams(), shape, new ExecutorOptions(1))) {
            int8Steps = ex.numSteps();
        }

        for (JsonNode o : rows) {
            JsonNode p = o.get("profile");
            assertNotNull(p, o.toString());
            int expectedSteps = o.get("variant").asText().equals("fp32") ? fp32Steps : int8Steps;
            assertEquals(p.get("num_steps").asInt(), expectedSteps, o.toString());
            assertEquals(p.get("iterations").asInt(), 3);
            JsonNode steps = p.get("steps");
            assertEquals(steps.size(), expectedSteps, o.toString());
            Set<Integer> indices = new HashSet<>();
            double sumMs = 0;
            double sumPercent = 0;
            double previous = Double.MAX_VALUE;
            int reorders = 0;
            int inside = 0;
            for (JsonNode s : steps) {
                indices.add(s.get("index").asInt());
                assertEquals(s.get("calls").asInt(), 3, s.toString());
                assertFalse(s.get("impl").asText().isBlank(), s.toString());
                assertFalse(s.get("node").asText().isBlank(), s.toString());
                double ms = s.get("total_ms").asDouble();
                assertTrue(ms <= previous, "sorted slowest first: " + steps);
                previous = ms;
                assertEquals(s.get("ms_per_iteration").asDouble(), ms / 3, 1e-9, s.toString());
                sumMs += ms;
                sumPercent += s.get("percent").asDouble();
                if (s.get("kind").asText().equals("reorder")) {
                    reorders++;
                    if (!s.get("boundary").asBoolean()) inside++;
                }
            }
            assertEquals(indices.size(), expectedSteps, "every step once");
            assertEquals(sumPercent, 100.0, 1e-6);
            assertEquals(sumMs, p.get("steps_total_ms").asDouble(), 1e-6 * sumMs);
            // The steps cover the forward passes: only the loop and the clock are outside them.
            double total = p.get("total_ms").asDouble();
            assertTrue(sumMs <= total * (1 + 1e-9) && sumMs >= 0.9 * total, sumMs + " vs " + total);
            assertEquals(p.get("reorders").asInt(), reorders);
            assertEquals(p.get("reorders_inside").asInt(), inside);
            assertTrue(p.get("layout_reorders_inside").asInt() <= inside);
        }
        // The quantized fused graph's convolutions appear under their fused names.
        boolean fusedConv = false;
        for (JsonNode s : rows.get(1).get("profile").get("steps")) {
            if (s.get("op").asText().equals("_sg_mkldnn_conv") && s.get("kind").asText().equals("convolution")) fusedConv = true;
        }
        assertTrue(fusedConv, rows.get(1).toString());

        CliRunner text = bench("--model", RESNET20, "--random-weights", "--shape", "1,1,28,28", "--threads", "1",
                "--profile", "--profile-iterations", "2");
        assertEquals(text.exitCode(), 0, text.toString());
        assertTrue(text.out().contains("profile of model, batch 1, threads 1: 2 iterations"), text.toString());
        assertTrue(text.out().contains("ms/iter") && text.out().contains("impl"), text.toString());
    }

    @Test
    public void zooShortcutBuildsTheArchitectureInMemory() throws IOException {
        CliRunner r = bench("--zoo", "resnet18_v1", "--classes", "10", "--data-shape", "3,32,32", "--batch", "1",
                "--threads", "1", "--int8", "--num-calib-examples", "4", "--calib-batch", "2", "--json");
        List<JsonNode> rows = jsonLines(r);
        assertEquals(rows.size(), 2, r.toString());
        for (JsonNode o : rows) {
            assertEquals(o.get("model").asText(), "zoo:resnet18_v1");
            assertEquals(o.get("shape").toString(), "[1,3,32,32]");
            assertTrue(o.get("random_weights").asBoolean());
        }
        assertEquals(rows.get(0).get("variant").asText(), "fp32");
        assertEquals(rows.get(1).get("variant").asText(), "int8");
        assertSpeedups(rows);
    }

    @Test
    public void usageErrors() {
        assertUsageError(CliRunner.run("bench", "--shape", "1,3,8,8"), "--model");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--zoo", "resnet18_v1"), "not both");
        assertUsageError(CliRunner.run("bench", "--zoo", "resnet7_v9"), "--zoo: unknown model 'resnet7_v9'");
        assertUsageError(CliRunner.run("bench", "--zoo", "resnet18_v1", "--classes", "0"), "--classes");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--int8"), "--calib-data");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--calib-data", CALIB), "needs --int8");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--calib-mode", "entropy"), "needs --int8");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--int8", "--random-weights",
                "--calib-mode", "kl"), "--calib-mode");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--int8", "--random-weights",
                "--calib-mode", "customize"), "API-only");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--int8", "--random-weights",
                "--quantized-dtype", "int4"), "--quantized-dtype");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--data-shape", "3,9,9"), "disagree");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--profile-iterations", "0"),
                "--profile-iterations");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--rounds", "0"), "--rounds");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--int8", "--random-weights",
                "--calib-batch", "0"), "--calib-batch");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,8,8", "--int8", "--random-weights",
                "--num-calib-examples", "0"), "--num-calib-examples");
    }

    @Test
    public void modelThatCannotBeQuantizedIsARuntimeErrorNamingIt() {
        Path missing = Path.of(System.getProperty("java.io.tmpdir"), "no-such-model-q4j-bench");
        CliRunner r = CliRunner.run("bench", "--model", missing.toString(), "--shape", "1,3,8,8", "--int8",
                "--random-weights", "-q");
        assertEquals(r.exitCode(), 1, r.toString());
        assertTrue(r.err().contains(missing + "-symbol.json"), r.toString());
    }

    @Test
    public void helpDocumentsTheComparisonExamplesAndExitCodes() {
        CliRunner r = CliRunner.run("bench", "--help");
        assertEquals(r.exitCode(), 0, r.toString());
        for (String s : new String[] {"--int8", "--fp32-unfused", "--int8-unfused", "--calib-mode", "--calib-data",
                "--profile", "--zoo", "--classes", "--data-shape", "speedup", "Examples:", "bench --zoo",
                "Exit codes: 0 success, 1 runtime failure, 2 usage error."}) {
            assertTrue(r.out().contains(s), "missing '" + s + "' in\n" + r.out());
        }
    }
}
