package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** End-to-end: {@code eval} in-process on the bundled MLP against MXNet's own FP32 accuracy. */
public class EvalCommandTest {
    private static final Path MODELS = Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    private static final String MODEL = MODELS.resolve("fmnist_mlp").toString();
    private static final String IMAGES = MODELS.resolve("fashion-mnist/t10k-images-idx3-ubyte.gz").toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static double mxnetAccuracy() throws IOException {
        return mxnetAccuracy("fmnist_mlp");
    }

    private static double mxnetAccuracy(String model) throws IOException {
        return JSON.readTree(MODELS.resolve(model + "-results.json").toFile()).get("fp32_acc").asDouble();
    }

    private static JsonNode evalJson(String... extra) throws IOException {
        return evalJsonOf(MODEL, extra);
    }

    private static JsonNode evalJsonOf(String model, String... extra) throws IOException {
        String[] base = {"eval", "--model", model, "--data", IMAGES, "--mean", "0.2860", "--std", "0.3530", "--json", "--quiet"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliRunner r = CliRunner.run(args);
        assertEquals(r.exitCode(), 0, r.toString());
        assertEquals(r.err(), "", "--quiet must keep stderr empty: " + r);
        String[] lines = r.out().strip().split("\n");
        assertEquals(lines.length, 1, "one JSON object expected: " + r.out());
        return JSON.readTree(lines[0]);
    }

    @Test
    public void top1MatchesMxnetFp32Accuracy() throws IOException {
        double expected = mxnetAccuracy();   // 0.8909
        JsonNode o = evalJson();
        assertEquals(o.get("count").asLong(), 10000);
        double top1 = o.get("top1").asDouble();
        double top5 = o.get("top5").asDouble();
        assertEquals(top1, expected, 0.0003, o.toString());
        assertTrue(top5 >= top1 && top5 <= 1.0, o.toString());
        assertEquals(o.get("correct_top1").asLong(), Math.round(top1 * 10000));
        assertTrue(o.get("images_per_second").asDouble() > 0, o.toString());
    }

    /** A convolutional model checks the NCHW layout of the fed images, which the MLP's Flatten would hide. */
    @Test
    public void convolutionalModelMatchesMxnet() throws IOException {
        JsonNode o = evalJsonOf(MODELS.resolve("fmnist_inception").toString(), "--batch", "100");
        assertEquals(o.get("count").asLong(), 10000);
        assertEquals(o.get("top1").asDouble(), mxnetAccuracy("fmnist_inception"), 0.0003, o.toString());
    }

    @DataProvider
    public Object[][] slowModels() {
        return new Object[][] {{"fmnist_resnet20_v1"}, {"fmnist_mobilenet_v2"}};
    }

    @Test(dataProvider = "slowModels")
    public void otherModelsMatchMxnet(String model) throws IOException {
        JsonNode o = evalJsonOf(MODELS.resolve(model).toString());
        assertEquals(o.get("top1").asDouble(), mxnetAccuracy(model), 0.0003, o.toString());
    }

    @Test
    public void partialLastBatchCountsOnlyRealImages() throws IOException {
        // 10000 = 10 * 999 + 10: the last batch is mostly padding.
        JsonNode o = evalJson("--batch", "999", "--threads", "1");
        assertEquals(o.get("count").asLong(), 10000);
        assertEquals(o.get("top1").asDouble(), mxnetAccuracy(), 0.0003, o.toString());
        JsonNode limited = evalJson("--batch", "64", "--limit", "100");
        assertEquals(limited.get("count").asLong(), 100);
    }

    @Test
    public void humanOutputAndProgress() {
        CliRunner r = CliRunner.run("eval", "--model", MODEL, "--data", IMAGES, "--labels",
                MODELS.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz").toString(),
                "--mean", "0.2860", "--std", "0.3530", "--limit", "500");
        assertEquals(r.exitCode(), 0, r.toString());
        assertTrue(r.out().contains("top-1") && r.out().contains("top-5") && r.out().contains("/500)"), r.toString());
        assertTrue(r.err().contains("eval: "), "progress expected on stderr: " + r);
    }

    @Test
    public void wrongInputNameFailsWithExit1() {
        CliRunner r = CliRunner.run("eval", "--model", MODEL, "--data", IMAGES, "--data-name", "pixels", "-q", "--limit", "10");
        assertEquals(r.exitCode(), 1, r.toString());
        assertTrue(r.err().contains("error"), r.toString());
    }

    @Test
    public void modelWhoseParamsDoNotFitNamesFilesNodeAndTensor() throws IOException {
        // The MLP's symbol with resnet20's params: every MLP weight is missing.
        Path dir = Files.createTempDirectory("q4j-mismatch");
        Files.copy(MODELS.resolve("fmnist_mlp-symbol.json"), dir.resolve("x-symbol.json"));
        Files.copy(MODELS.resolve("fmnist_resnet20_v1-0000.params"), dir.resolve("x-0000.params"));
        CliRunner r = CliRunner.run("eval", "--model", dir.resolve("x").toString(), "--data", IMAGES, "-q", "--limit", "10");
        assertEquals(r.exitCode(), 1, r.toString());
        assertTrue(r.err().contains("x-0000.params"), "error should name the params file: " + r);
        assertTrue(r.err().contains("mlp0_dense0_weight") && r.err().contains("mlp0_dense0_fwd"),
                "error should name the tensor and node: " + r);
    }
}
