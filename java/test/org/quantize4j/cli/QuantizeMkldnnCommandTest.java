package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.quantize4j.QuantizedModel;
import org.quantize4j.graph.Node;
import org.quantize4j.passes.MkldnnAttrs;
import org.testng.annotations.Test;

/** {@code quantize --mkldnn --compact --exclude-match}: the fused INT8 model on disk, one layer kept FP32. */
public class QuantizeMkldnnCommandTest {
    private static final Path MODELS = Path.of(System.getProperty("quantize4j.testModels", "test-models"));

    @Test
    public void mkldnnCompactWithExcludeMatch() throws Exception {
        Path dir = Files.createTempDirectory("q4j-cli-mkldnn");
        String out = dir.resolve("mlp-int8").toString();
        try {
            CliRunner r = CliRunner.run("quantize", "--mkldnn", "--compact", "--model", MODELS.resolve("fmnist_mlp").toString(),
                    "--calib-data", MODELS.resolve("fashion-mnist/train320-images-idx3-ubyte.gz").toString(),
                    "--mean", "0.2860", "--std", "0.3530", "--calib-mode", "naive", "--num-calib-examples", "64",
                    "--quantized-dtype", "auto", "--exclude-match", "*dense1*", "--out", out, "--json", "--quiet");
            assertEquals(r.exitCode(), 0, r.toString());
            assertTrue(r.out().contains("\"mkldnn\":true"), r.out());
            QuantizedModel q = QuantizedModel.load(out, 0);
            Node kept = q.symbol().find("sg_mkldnn_fully_connected_eltwise_1");
            assertTrue(kept != null && kept.attr("quantized") == null, "dense1's fused node stays FP32");
            int quantized = 0;
            for (Node n : q.symbol().nodes()) if (MkldnnAttrs.isQuantizedFused(n)) quantized++;
            assertEquals(quantized, 2);
            assertNull(q.argParams().get("mlp0_dense0_weight_quantize_scale"), "expanded on load");

            CliRunner bad = CliRunner.run("quantize", "--compact", "--model", MODELS.resolve("fmnist_mlp").toString(),
                    "--calib-mode", "none", "--out", out);
            assertEquals(bad.exitCode(), 2, bad.toString());
        } finally {
            for (Path p : List.of(Path.of(out + "-symbol.json"), Path.of(out + "-0000.params"), dir)) Files.deleteIfExists(p);
        }
    }
}
