package org.quantize4j.runtime;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;

/** Test helper: the Fashion-MNIST test set and top-1 predictions of a model over it. */
final class Fmnist {
    static final int TEST_COUNT = 10_000;
    private static float[] images;
    private static int[] labels;

    private Fmnist() {
    }

    /** The 10,000 test images, (p/255 - 0.2860) / 0.3530, cached. */
    static synchronized float[] testImages() {
        if (images == null) {
            try {
                images = FixtureFp32Test.loadImages(FixtureFp32Test.testModels().resolve("fashion-mnist/t10k-images-idx3-ubyte.gz"),
                        TEST_COUNT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return images;
    }

    static synchronized int[] testLabels() {
        if (labels == null) {
            Path f = FixtureFp32Test.testModels().resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz");
            try (InputStream raw = Files.newInputStream(f); DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
                if (in.readInt() != 0x801) throw new IllegalStateException("not IDX1: " + f);
                int n = in.readInt();
                byte[] b = new byte[n];
                in.readFully(b);
                labels = new int[n];
                for (int i = 0; i < n; i++) labels[i] = b[i] & 0xff;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return labels;
    }

    /** Top-1 classes of the first {@code count} images (count a multiple of batch). */
    static int[] predict(Symbol sym, Map<String, NDArray> params, float[] x, int count, int batch) {
        int[] out = new int[count];
        float[] logits = new float[batch * 10];
        try (Executor ex = Executor.create(sym, params, Map.of("data", new long[] {batch, 1, 28, 28}), ExecutorOptions.defaults())) {
            for (int start = 0; start < count; start += batch) {
                ex.setInput("data", FloatBuffer.wrap(x, start * 784, batch * 784));
                ex.forward();
                ex.output(0).floatView().get(logits);
                for (int i = 0; i < batch; i++) {
                    int arg = 0;
                    for (int k = 1; k < 10; k++) {
                        float v = logits[i * 10 + k];
                        if (!Float.isFinite(v)) throw new AssertionError("non-finite logit for image " + (start + i));
                        if (v > logits[i * 10 + arg]) arg = k;
                    }
                    out[start + i] = arg;
                }
            }
        }
        return out;
    }

    static double accuracy(int[] pred, int[] labels) {
        int ok = 0;
        for (int i = 0; i < pred.length; i++) if (pred[i] == labels[i]) ok++;
        return ok / (double) pred.length;
    }

    static double agreement(int[] a, int[] b) {
        int ok = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) ok++;
        return ok / (double) a.length;
    }
}
