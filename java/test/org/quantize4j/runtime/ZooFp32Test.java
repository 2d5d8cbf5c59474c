package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Every MXNet Gluon model-zoo FP32 architecture in test-models/zoo builds and runs at batch 1 with
 * random weights, giving finite outputs of shape (1, 1000) that depend on the input. vgg16 (0.5 GiB
 * of weights) is in the "slow" group.
 */
public class ZooFp32Test {
    private static final Logger LOG = LoggerFactory.getLogger(ZooFp32Test.class);

    @DataProvider
    public Object[][] small() {
        return new Object[][] {{"resnet18_v1", 224}, {"resnet18_v2", 224}, {"mobilenet1.0", 224}, {"mobilenetv2_1.0", 224},
            {"squeezenet1.0", 224}, {"resnet50_v1", 224}, {"resnet50_v2", 224}, {"inceptionv3", 299}};
    }

    @DataProvider
    public Object[][] large() {
        return new Object[][] {{"vgg16", 224}};   // 138M parameters: 0.5 GiB of random weights
    }

    @Test(dataProvider = "small")
    public void smallZooModelRuns(String arch, int size) {
        run(arch, size);
    }

    @Test(dataProvider = "large", groups = "slow")
    public void largeZooModelRuns(String arch, int size) {
        run(arch, size);
    }

    static void run(String arch, int size) {
        Path file = FixtureFp32Test.testModels().resolve("zoo/" + arch + "-symbol.json");
        Symbol sym = SymbolJson.read(file);
        Map<String, long[]> in = Map.of("data", new long[] {1, 3, size, size});
        Map<String, NDArray> params = RandomParams.forSymbol(sym, in, 7);
        long t0 = System.nanoTime();
        try (Executor ex = Executor.create(sym, params, in, ExecutorOptions.defaults())) {
            long t1 = System.nanoTime();
            assertEquals(ex.outputShape(0), new long[] {1, 1000});
            float[] x = new float[3 * size * size];
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
            float[] a = ex.forward(x);
            long t2 = System.nanoTime();
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
            ex.setInput("data", FloatBuffer.wrap(x));
            ex.forward();
            float[] b = ex.output(0).toFloatArray();
            assertEquals(a.length, 1000);
            boolean differs = false;
            double maxAbs = 0;
            for (int i = 0; i < 1000; i++) {
                assertTrue(Float.isFinite(a[i]) && Float.isFinite(b[i]), arch + ": output " + i + " is not finite");
                if (a[i] != b[i]) differs = true;
                maxAbs = Math.max(maxAbs, Math.abs(a[i]));
            }
            assertTrue(differs, arch + ": output does not depend on the input");
            assertTrue(maxAbs > 0, arch + ": output is all zero");
            LOG.info("{} {}x{}: build {} ms, first forward {} ms, {} steps, activations {} KiB, params {} MiB, max|out| {}",
                    arch, size, size, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, ex.numSteps(), ex.activationBytes() / 1024,
                    ex.parameterBytes() >> 20, maxAbs);
        }
    }
}
