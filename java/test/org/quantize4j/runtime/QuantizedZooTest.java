package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * MXNet 1.9.1's own non-fused quantize_model output for resnet18_v1 (which MXNet cannot run on CPU: int8
 * conv input, and quantized_batch_norm without calibrated ranges) builds and runs here, and agrees with the
 * FP32 network it came from: random weights (RandomParams on the FP32 symbol, with the 10-class head the
 * quantized file has), weights quantized to int8 by the test, batch 1 at 224x224.
 */
public class QuantizedZooTest {
    private static final Logger LOG = LoggerFactory.getLogger(QuantizedZooTest.class);

    @DataProvider
    public Object[][] graphs() {
        return new Object[][] {{"resnet18_v1-quantized-unfused-int8"}, {"resnet18_v1-quantized-unfused-auto-exclconv0"}};
    }

    @Test(dataProvider = "graphs")
    public void mxnetUnfusedQuantizedResnet18Runs(String name) {
        Symbol fp32 = SymbolJson.read(FixtureFp32Test.testModels().resolve("zoo/resnet18_v1-symbol.json"));
        for (Node n : fp32.nodes()) {
            if (!n.op().equals("FullyConnected")) continue;
            n.setAttr("num_hidden", "10");
            for (int i = 1; i < n.inputs().size(); i++) n.input(i).node().attrs().remove("__shape__");
        }
        Symbol q = SymbolJson.read(FixtureFp32Test.testModels().resolve("zoo/" + name + "-symbol.json"));
        Map<String, long[]> in = Map.of("data", new long[] {1, 3, 224, 224});
        Map<String, NDArray> params = RandomParams.forSymbol(fp32, in, 11);
        Map<String, NDArray> qparams = QuantizedWeights.of(q, params);
        float[] x = new float[3 * 224 * 224];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-2, 2.5);
        float[] want;
        try (Executor ex = Executor.create(fp32, params, in, ExecutorOptions.defaults())) {
            want = ex.forward(x);
        }
        long t0 = System.nanoTime();
        try (Executor ex = Executor.create(q, qparams, in, ExecutorOptions.defaults())) {
            long t1 = System.nanoTime();
            assertEquals(ex.outputShape(0), new long[] {1, 10});
            float[] got = ex.forward(x);
            ex.setInput("data", FloatBuffer.wrap(x));
            ex.forward();
            float[] again = ex.output(0).toFloatArray();
            assertEquals(again, got, "a second forward() on the same input differs");
            double dot = 0, na = 0, nb = 0, maxErr = 0, maxAbs = 0;
            for (int i = 0; i < 10; i++) {
                assertTrue(Float.isFinite(got[i]), name + ": output " + i + " is not finite");
                dot += (double) got[i] * want[i];
                na += (double) got[i] * got[i];
                nb += (double) want[i] * want[i];
                maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
                maxAbs = Math.max(maxAbs, Math.abs(want[i]));
            }
            double cos = dot / Math.sqrt(na * nb);
            LOG.info("{}: build {} ms, {} steps, INT8 vs FP32 logits: cosine {}, max error {} (max |logit| {})", name,
                    (t1 - t0) / 1_000_000, ex.numSteps(), cos, maxErr, maxAbs);
            assertTrue(cos > 0.98, name + ": INT8 logits differ from FP32: cosine " + cos);
        }
    }
}
