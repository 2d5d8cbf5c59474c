package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.quantize4j.TestFiles;
import org.testng.annotations.Test;

/**
 * {@code quickstart} end to end on the bundled model (naive calibration and a 500-image evaluation to stay quick; CI
 * also runs the README command with entropy): the JSON has FP32 and INT8 top-1 and images/s, INT8 accuracy is close to
 * FP32's, the INT8 file is the compact one (several times smaller), and the report and model files exist.
 */
public class QuickstartCommandTest {
    @Test
    public void quickstartQuantizesEvaluatesAndBenchmarks() throws Exception {
        Path out = Files.createTempDirectory("q4j-quickstart");
        CliRunner r = CliRunner.run("quickstart", "--models", TestFiles.testModels().toString(), "--out", out.toString(),
                "--calib-mode", "naive", "--limit", "500", "--seconds", "0.3", "--batch", "16", "--json", "--quiet");
        assertEquals(r.exitCode(), 0, r.err());
        JsonNode j = new ObjectMapper().readTree(r.out().trim());
        for (String v : new String[] {"fp32", "int8"}) {
            assertTrue(j.get(v).get("top1").asDouble() > 0.85, v + " top-1: " + j);
            assertTrue(j.get(v).get("images_per_second").asDouble() > 0, v + " images/s: " + j);
        }
        assertEquals(j.get("test_images").asInt(), 500);
        assertTrue(Math.abs(j.get("top1_drop").asDouble()) <= 0.01, "INT8 within 1 pt of FP32 on 500 images: " + j);
        assertEquals(j.get("speedup").asDouble(),
                j.get("int8").get("images_per_second").asDouble() / j.get("fp32").get("images_per_second").asDouble(), 1e-9);
        assertTrue(j.get("size_ratio").asDouble() > 3, "compact INT8 params: " + j);
        assertTrue(Files.isRegularFile(Path.of(j.get("report").asText())));
        assertTrue(Files.isRegularFile(Path.of(j.get("int8").get("symbol").asText())));
        assertTrue(r.err().isEmpty(), "--quiet prints nothing on stderr: " + r.err());
    }

    @Test
    public void missingBundledFilesAreAClearError() throws Exception {
        Path empty = Files.createTempDirectory("q4j-no-models");
        CliRunner r = CliRunner.run("quickstart", "--models", empty.toString(), "--out", empty.resolve("o").toString(), "--quiet");
        assertEquals(r.exitCode(), 1);
        assertTrue(r.err().contains("fmnist_resnet20_v1") && r.err().contains("--models"), r.err());
    }
}
