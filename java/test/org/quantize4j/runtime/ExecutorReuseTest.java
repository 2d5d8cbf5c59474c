package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

import org.quantize4j.Model;
import org.testng.annotations.Test;

/** One executor serves many batches: results depend only on the current input. */
public class ExecutorReuseTest {
    @Test
    public void sameInputSameOutputDifferentInputDifferentOutput() throws Exception {
        Model m = Model.load(FixtureFp32Test.testModels().resolve("fmnist_inception").toString());
        float[] all = FixtureFp32Test.loadImages(FixtureFp32Test.testModels().resolve("fashion-mnist/t10k-images-idx3-ubyte.gz"), 16);
        float[] a = Arrays.copyOfRange(all, 0, 8 * 784);
        float[] b = Arrays.copyOfRange(all, 8 * 784, 16 * 784);
        Map<String, long[]> shape = Map.of("data", new long[] {8, 1, 28, 28});
        float[] outA;
        float[] outB;
        try (Executor ex = Executor.create(m.symbol(), m.allParams(), shape, new ExecutorOptions(1))) {
            assertEquals(ex.inputNames(), java.util.List.of("data"));
            assertEquals(ex.inputShape("data"), new long[] {8, 1, 28, 28});
            assertEquals(ex.numOutputs(), 1);
            outA = ex.forward(a);
            outB = ex.forward(b);
            float[] outA2 = ex.forward(a);
            assertEquals(outA2, outA, "same batch twice on one executor");
            assertNotEquals(outB, outA);
            ex.setInput("data", FloatBuffer.wrap(b));
            ex.forward();
            assertEquals(ex.output(0).toFloatArray(), outB);
        }
        try (Executor fresh = Executor.create(m.symbol(), m.allParams(), shape, ExecutorOptions.defaults())) {
            float[] freshB = fresh.forward(b);
            for (int i = 0; i < freshB.length; i++) assertEquals(freshB[i], outB[i], 1e-4f * (1 + Math.abs(outB[i])));
        }
    }
}
