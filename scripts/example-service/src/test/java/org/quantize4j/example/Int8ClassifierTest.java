package org.quantize4j.example;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.IdxDataset;
import org.quantize4j.data.Normalization;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * The library as a service uses it: quantize the trained Fashion-MNIST ResNet-20 (quantizeModelMkldnn, naive
 * calibration on 320 images), save it compact, load it once into an {@link Int8Classifier} with 2 executors, and
 * serve 4 request threads x 500 requests at once. Every concurrent answer must equal, bit for bit, the answer of
 * a plain single-threaded executor on the same image; top-1 accuracy on the first 1000 test images must be sane.
 */
public class Int8ClassifierTest {
    private static final Logger LOG = LoggerFactory.getLogger(Int8ClassifierTest.class);
    private static final Normalization NORM = Normalization.of(1 / 255.0, 0.2860f, 0.3530f);
    private static final long[] ONE_IMAGE = {1, 1, 28, 28};
    private static final int IMAGES = 1000;
    private static final int THREADS = 4;
    private static final int REQUESTS_PER_THREAD = 500;

    private Path dir;
    private String prefix;
    private float[][] images;
    private int[] labels;

    private static Path testModels() {
        return Path.of(System.getProperty("quantize4j.testModels", "../../test-models"));
    }

    @BeforeClass
    public void quantizeAndSave() throws IOException {
        Model fp32 = Model.load(testModels().resolve("fmnist_resnet20_v1").toString());
        QuantizedModel q;
        try (DataIter calib = IdxDataset.openUnlabeled(testModels().resolve("fashion-mnist/train320-images-idx3-ubyte.gz"))
                .iterator(32, NORM)) {
            q = Quantization.quantizeModelMkldnn(fp32.symbol(), fp32.argParams(), fp32.auxParams(), QuantizeOptions.defaults()
                    .calibMode(CalibMode.NAIVE).calibData(calib).numCalibExamples(320).quantizedDtype(QuantizedDtype.AUTO));
        }
        dir = Files.createTempDirectory("q4j-example-service");
        prefix = dir.resolve("resnet20-int8").toString();
        q.save(prefix, 0, true);

        images = new float[IMAGES][];
        labels = new int[IMAGES];
        int n = 0;
        try (DataIter it = IdxDataset.open(testModels().resolve("fashion-mnist/t10k-images-idx3-ubyte.gz")).iterator(100, NORM)) {
            while (it.hasNext() && n < IMAGES) {
                DataBatch b = it.next();
                float[] all = b.data().toFloatArray();
                for (int i = 0; i < b.count() && n < IMAGES; i++, n++) {
                    images[n] = Arrays.copyOfRange(all, i * 784, (i + 1) * 784);
                    labels[n] = b.labels()[i];
                }
            }
        }
        assertEquals(n, IMAGES);
    }

    @AfterClass(alwaysRun = true)
    public void deleteFiles() throws IOException {
        if (dir == null) return;
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.delete(p);
        }
        Files.delete(dir);
    }

    /** The reference: one plain executor on this thread, one image at a time. */
    private float[][] singleThreadedScores() {
        QuantizedModel q = QuantizedModel.load(prefix, 0);
        float[][] out = new float[IMAGES][];
        try (Executor ex = Executor.create(q.symbol(), q.toModel().allParams(), Map.of("data", ONE_IMAGE), new ExecutorOptions(1))) {
            for (int i = 0; i < IMAGES; i++) out[i] = ex.forward(images[i]);
        }
        return out;
    }

    @Test
    public void concurrentRequestsGetTheSingleThreadedAnswers() throws Exception {
        float[][] expected = singleThreadedScores();
        int correct = 0;
        for (int i = 0; i < IMAGES; i++) {
            int best = 0;
            for (int k = 1; k < 10; k++) if (expected[i][k] > expected[i][best]) best = k;
            if (best == labels[i]) correct++;
        }
        double accuracy = correct / (double) IMAGES;
        LOG.info("INT8 top-1 on {} test images: {}", IMAGES, accuracy);
        assertTrue(accuracy > 0.85, "INT8 accuracy " + accuracy + " on the first " + IMAGES + " test images");

        ExecutorService requests = Executors.newFixedThreadPool(THREADS);
        long start = System.nanoTime();
        try (Int8Classifier classifier = Int8Classifier.load(prefix, ONE_IMAGE, 2)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 1000 + t;
                results.add(requests.submit(() -> {
                    go.await();
                    Random r = new Random(seed);
                    int mismatches = 0;
                    for (int k = 0; k < REQUESTS_PER_THREAD; k++) {
                        int i = r.nextInt(IMAGES);
                        Int8Classifier.Prediction p = classifier.predict(images[i]);
                        boolean same = Arrays.equals(p.scores(), expected[i]);
                        if (!same) {
                            mismatches++;
                            LOG.error("image {}: concurrent scores {} differ from single-threaded {}", i,
                                    Arrays.toString(p.scores()), Arrays.toString(expected[i]));
                        }
                    }
                    return mismatches;
                }));
            }
            go.countDown();
            int mismatches = 0;
            for (Future<Integer> f : results) mismatches += f.get(5, TimeUnit.MINUTES);
            assertEquals(mismatches, 0, "concurrent answers that differ from the single-threaded ones");
        } finally {
            requests.shutdownNow();
        }
        LOG.info("{} threads x {} requests in {} ms", THREADS, REQUESTS_PER_THREAD, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    public void badRequestsAndUseAfterCloseAreClearErrors() {
        Int8Classifier c = Int8Classifier.load(prefix, ONE_IMAGE, 1);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> c.predict(new float[10]));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
        assertEquals(c.predict(images[0]).scores().length, 10);
        c.close();
        expectThrows(IllegalStateException.class, () -> c.predict(images[0]));
        c.close();   // idempotent
    }
}
