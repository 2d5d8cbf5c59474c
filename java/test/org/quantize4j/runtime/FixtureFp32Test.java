package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.quantize4j.Model;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.Npy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The key proof that the FP32 runtime is right: the four Fashion-MNIST models give MXNet 1.9.1's own
 * logits (fixtures {@code <model>-fp32-logits-test256.npy}) on the first 256 test images.
 *
 * <p>Metric: for each image, max over the 10 logits of |ours - MXNet| divided by max |MXNet logit| of
 * that image; the test asserts the maximum over all images is at most 1e-4 and that the predicted
 * classes agree.
 */
public class FixtureFp32Test {
    private static final Logger LOG = LoggerFactory.getLogger(FixtureFp32Test.class);
    static final int COUNT = 256;

    static Path testModels() {
        return Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    }

    /** The first {@code count} images of an IDX3 file, normalised as the fixtures were: (p/255 - 0.2860)/0.3530. */
    static float[] loadImages(Path file, int count) throws IOException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            int magic = in.readInt();
            assertEquals(magic, 0x00000803, "IDX3 magic");
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            assertTrue(n >= count);
            byte[] pixels = new byte[count * rows * cols];
            in.readFully(pixels);
            float[] x = new float[pixels.length];
            for (int i = 0; i < x.length; i++) {
                float v = (pixels[i] & 0xff) / 255f;
                x[i] = (v - 0.2860f) / 0.3530f;
            }
            return x;
        }
    }

    @DataProvider
    public Object[][] models() {
        return new Object[][] {{"fmnist_mlp"}, {"fmnist_resnet20_v1"}, {"fmnist_mobilenet_v2"}, {"fmnist_inception"}};
    }

    @Test(dataProvider = "models")
    public void logitsMatchMxnet(String name) throws IOException {
        Path dir = testModels();
        Model m = Model.load(dir.resolve(name).toString());
        NDArray expected = Npy.read(dir.resolve(name + "-fp32-logits-test256.npy"));
        assertEquals(expected.shape(), new long[] {COUNT, 10});
        float[] x = loadImages(dir.resolve("fashion-mnist/t10k-images-idx3-ubyte.gz"), COUNT);
        float[] want = expected.toFloatArray();
        // Two batch sizes: all at once, and in batches of 64 reusing one executor.
        for (int batch : new int[] {COUNT, 64}) {
            float[] got = new float[COUNT * 10];
            try (Executor ex = Executor.create(m.symbol(), m.allParams(), Map.of("data", new long[] {batch, 1, 28, 28}),
                    ExecutorOptions.defaults())) {
                assertEquals(ex.outputShape(0), new long[] {batch, 10});
                for (int start = 0; start < COUNT; start += batch) {
                    ex.setInput("data", FloatBuffer.wrap(x, start * 784, batch * 784));
                    ex.forward();
                    ex.output(0).floatView().get(got, start * 10, batch * 10);
                }
            }
            double worst = 0;
            int disagree = 0;
            for (int i = 0; i < COUNT; i++) {
                double maxAbs = 0;
                double maxErr = 0;
                int argGot = 0;
                int argWant = 0;
                for (int k = 0; k < 10; k++) {
                    float w = want[i * 10 + k];
                    float g = got[i * 10 + k];
                    maxAbs = Math.max(maxAbs, Math.abs(w));
                    maxErr = Math.max(maxErr, Math.abs(w - g));
                    if (g > got[i * 10 + argGot]) argGot = k;
                    if (w > want[i * 10 + argWant]) argWant = k;
                }
                worst = Math.max(worst, maxErr / Math.max(maxAbs, 1e-12));
                if (argGot != argWant) disagree++;
            }
            LOG.info("{} batch {}: max relative error (per-row max |logit|) = {}, argmax disagreements {}", name, batch, worst, disagree);
            assertTrue(worst <= 1e-4, name + " batch " + batch + ": max relative error " + worst);
            assertEquals(disagree, 0, name + ": predicted classes differ");
        }
    }
}
