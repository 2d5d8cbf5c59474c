package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.testng.annotations.Test;

/** Smoke tests of {@code bench}: fields and structure only, never timings. */
public class BenchCommandTest {
    private static final Path MODELS = Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> jsonLines(CliRunner r) throws IOException {
        assertEquals(r.exitCode(), 0, r.toString());
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().strip().split("\n")) out.add(JSON.readTree(line));
        return out;
    }

    private static void assertPositiveFields(JsonNode o) {
        for (String f : new String[] {"batch", "threads", "images_per_second", "latency_ms_p50", "latency_ms_p90",
                "latency_ms_p99", "iterations"}) {
            assertTrue(o.has(f), "missing " + f + " in " + o);
            assertTrue(o.get(f).asDouble() > 0, f + " must be positive in " + o);
        }
        assertTrue(o.get("latency_ms_p50").asDouble() <= o.get("latency_ms_p90").asDouble(), o.toString());
        assertTrue(o.get("latency_ms_p90").asDouble() <= o.get("latency_ms_p99").asDouble(), o.toString());
        assertTrue(o.has("model"), o.toString());
    }

    @Test
    public void oneJsonObjectPerBatchAndThreadCount() throws IOException {
        CliRunner r = CliRunner.run("bench", "--model", MODELS.resolve("fmnist_mlp").toString(), "--shape", "1,1,28,28",
                "--batch", "1,8", "--threads", "1,2", "--seconds", "0.05", "--warmup", "0", "--json", "--quiet");
        List<JsonNode> rows = jsonLines(r);
        assertEquals(rows.size(), 4, r.toString());
        int[][] expected = {{1, 1}, {1, 2}, {8, 1}, {8, 2}};
        for (int i = 0; i < 4; i++) {
            JsonNode o = rows.get(i);
            assertPositiveFields(o);
            assertEquals(o.get("batch").asInt(), expected[i][0], o.toString());
            assertEquals(o.get("threads").asInt(), expected[i][1], o.toString());
        }
        assertEquals(r.err(), "", r.toString());
    }

    @Test
    public void randomWeightsAndHumanTable() {
        CliRunner r = CliRunner.run("bench", "--model", MODELS.resolve("fmnist_resnet20_v1-symbol.json").toString(),
                "--random-weights", "--shape", "2,1,28,28", "--threads", "1", "--seconds", "0.05", "--warmup", "0");
        assertEquals(r.exitCode(), 0, r.toString());
        String[] lines = r.out().strip().split("\n");
        assertEquals(lines.length, 2, r.toString());
        assertTrue(lines[0].contains("images/s") && lines[0].contains("p99 ms"), r.toString());
        assertTrue(lines[1].trim().startsWith("2 "), r.toString());
        assertTrue(r.err().contains("bench: "), "progress expected on stderr: " + r);
    }

    @Test
    public void symbolWithoutParamsNeedsRandomWeights() {
        CliRunner r = CliRunner.run("bench", "--model", MODELS.resolve("zoo/resnet50_v1").toString(),
                "--shape", "1,3,224,224", "-q");
        assertEquals(r.exitCode(), 1, r.toString());
        assertTrue(r.err().contains("--random-weights"), r.toString());
    }

    @Test(groups = "slow")
    public void zooResnet50WithRandomWeights() throws IOException {
        CliRunner r = CliRunner.run("bench", "--model", MODELS.resolve("zoo/resnet50_v1").toString(), "--random-weights",
                "--shape", "1,3,224,224", "--seconds", "1", "--json", "--quiet");
        List<JsonNode> rows = jsonLines(r);
        assertEquals(rows.size(), 1, r.toString());
        assertPositiveFields(rows.get(0));
    }
}
