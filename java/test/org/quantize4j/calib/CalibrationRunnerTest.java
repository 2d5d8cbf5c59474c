package org.quantize4j.calib;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeGraphResult;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.TestFiles;
import org.quantize4j.data.DataIter;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.CalibrationTarget;
import org.quantize4j.passes.QuantizingRegistry;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Calibration over the FP32 models: naive ranges against a plain loop over independently computed FP32
 * tensors and against MXNet's calibration tables, entropy thresholds against {@link KlThreshold} on
 * independently built histograms, example counts, and bad input.
 */
public class CalibrationRunnerTest {
    private static final Map<String, Map<String, List<float[]>>> TENSORS = new HashMap<>();

    @DataProvider
    public static Object[][] models() {
        return new Object[][] {{"fmnist_mlp"}, {"fmnist_resnet20_v1"}, {"fmnist_inception"}, {"fmnist_mobilenet_v2"}};
    }

    static Model model(String name) {
        return Model.load(TestFiles.prefix(name));
    }

    static QuantizeGraphResult graph(Model m, CalibMode mode, QuantizedDtype dtype) {
        return Quantization.quantizeGraph(m.symbol(), m.argParams(), m.auxParams(), QuantizeOptions.defaults()
                .calibMode(mode).quantizedDtype(dtype).registry(QuantizingRegistry.standard()));
    }

    static List<String> names(QuantizeGraphResult g) {
        List<String> out = new ArrayList<>();
        for (CalibrationTarget t : g.targets()) out.add(t.tensorName());
        return out;
    }

    /**
     * Each calibration tensor, batch by batch (32 images, valid rows only), computed with one executor per tensor
     * over {@code sym.internal(name)} fed with images decoded by a plain loop, not through the runner.
     */
    static synchronized Map<String, List<float[]>> referenceTensors(String modelName) {
        return TENSORS.computeIfAbsent(modelName, k -> {
            Model m = model(modelName);
            QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
            float[] images = CalibData.plainImages();
            int per = 28 * 28;
            Map<String, List<float[]>> out = new LinkedHashMap<>();
            for (String t : names(g)) {
                List<float[]> batches = new ArrayList<>();
                if (t.equals("data")) {
                    for (int b = 0; b < CalibData.COUNT; b += 32) {
                        float[] x = new float[32 * per];
                        System.arraycopy(images, b * per, x, 0, 32 * per);
                        batches.add(x);
                    }
                } else {
                    try (Executor e = Executor.create(m.symbol().internal(t), m.allParams(),
                            Map.of("data", new long[] {32, 1, 28, 28}), ExecutorOptions.defaults())) {
                        for (int b = 0; b < CalibData.COUNT; b += 32) {
                            float[] x = new float[32 * per];
                            System.arraycopy(images, b * per, x, 0, 32 * per);
                            e.setInput("data", FloatBuffer.wrap(x));
                            e.forward();
                            batches.add(e.output(0).toFloatArray());
                        }
                    }
                }
                out.put(t, batches);
            }
            return out;
        });
    }

    static NDArray direct(float[] v) {
        return NDArray.ofFloats(new long[] {v.length}, v);
    }

    @DataProvider
    public static Object[][] fastModels() {
        return new Object[][] {{"fmnist_mlp"}, {"fmnist_resnet20_v1"}};
    }

    @DataProvider
    public static Object[][] otherModels() {
        return new Object[][] {{"fmnist_inception"}, {"fmnist_mobilenet_v2"}};
    }

    @Test(dataProvider = "fastModels")
    public void naiveRangesAreTheMinMaxOfTheFp32Tensors(String name) {
        checkNaiveRanges(name);
    }

    /** Slow: one reference executor per tensor. */
    @Test(dataProvider = "otherModels", groups = "slow")
    public void naiveRangesAreTheMinMaxOfTheFp32TensorsOtherModels(String name) {
        checkNaiveRanges(name);
    }

    private void checkNaiveRanges(String name) {
        Model m = model(name);
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        try (DataIter it = CalibData.iterator(32)) {
            CalibrationRunner.Result r = CalibrationRunner.run(m.symbol(), m.allParams(), "data", names(g), it, null,
                    g.collector(), ExecutorOptions.defaults(), null);
            assertEquals(r.examples(), 320);
            assertEquals(r.batches(), 10);
        }
        Map<String, TensorRange> got = g.collector().postCollect();
        Map<String, List<float[]>> ref = referenceTensors(name);
        assertEquals(got.keySet(), ref.keySet());
        for (Map.Entry<String, List<float[]>> e : ref.entrySet()) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float[] b : e.getValue()) {
                for (float v : b) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            TensorRange r = got.get(e.getKey());
            assertEquals(r.min(), min, 1e-6 * Math.max(1, Math.abs(min)), name + " " + e.getKey());
            assertEquals(r.max(), max, 1e-6 * Math.max(1, Math.abs(max)), name + " " + e.getKey());
        }
    }

    /** MXNet's calibration table: the input's naive range over the same 320 images (6 decimals). */
    @Test(dataProvider = "models")
    public void naiveInputRangeMatchesMxnet(String name) {
        Model m = model(name);
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.AUTO);
        try (DataIter it = CalibData.iterator(32)) {
            CalibrationRunner.run(m.symbol(), m.allParams(), "data", names(g).subList(0, 1), it, null, g.collector(),
                    ExecutorOptions.defaults(), null);
        }
        // The first quantize_v2 quantizes the input (fmnist_mlp: the flatten of it; same values).
        TensorRange r = g.collector().postCollect().get(g.targets().get(0).tensorName());
        assertEquals(r.min(), -0.810198f, 1e-6);
        assertEquals(r.max(), 2.022663f, 1e-6);
    }

    @DataProvider
    public static Object[][] slowModels() {
        return new Object[][] {{"fmnist_resnet20_v1"}, {"fmnist_inception"}, {"fmnist_mobilenet_v2"}};
    }

    @Test
    public void entropyThresholdsAreKlThresholdsOfTheSameHistogramsMlp() {
        entropyThresholdsAreKlThresholdsOfTheSameHistograms("fmnist_mlp");
    }

    /** Slow: thousands of KL candidates over ~8k-bin histograms per tensor. */
    @Test(dataProvider = "slowModels", groups = "slow")
    public void entropyThresholdsAreKlThresholdsOfTheSameHistograms(String name) {
        Model m = model(name);
        QuantizeGraphResult g = graph(m, CalibMode.ENTROPY, QuantizedDtype.AUTO);
        try (DataIter it = CalibData.iterator(32)) {
            CalibrationRunner.run(m.symbol(), m.allParams(), "data", names(g), it, null, g.collector(),
                    ExecutorOptions.defaults(), null);
        }
        Map<String, TensorRange> got = g.collector().postCollect();
        Map<String, Histogram> hists = ((EntropyCollector) g.collector()).histograms();
        int checked = 0;
        for (Map.Entry<String, List<float[]>> e : referenceTensors(name).entrySet()) {
            Histogram h = null;
            for (float[] b : e.getValue()) {
                FloatBuffer fb = ByteBuffer.allocateDirect(b.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                fb.put(b).flip();
                h = h == null ? Histogram.ofFirstBatch(fb, 8001) : h.combine(fb);
            }
            TensorRange r = got.get(e.getKey());
            assertEquals(hists.get(e.getKey()), h, name + " " + e.getKey() + ": histogram");
            if (checked++ < 4) {   // the KL search is the expensive part: recheck a few
                KlThreshold kl = KlThreshold.optimal(h, "auto");
                assertEquals(r, new TensorRange(kl.calibMin(), kl.calibMax()), name + " " + e.getKey());
            }
            assertTrue(r.max() > 0 && r.max() <= h.th() + 1e-6, name + " " + e.getKey() + " " + r + " vs th " + h.th());
            assertEquals(r.min() == 0f, h.min() >= 0, name + " " + e.getKey() + ": (0, th) exactly when min >= 0");
        }
        // MXNet's entropy table for the input: +-2.022663.
        TensorRange in = got.get(g.targets().get(0).tensorName());
        assertEquals(in.max(), 2.022663f, 1e-6);
        assertEquals(in.min(), -2.022663f, 1e-6);
    }

    /** Counts rows per call. */
    static final class CountingCollector implements CalibrationCollector {
        final Map<String, Long> rows = new LinkedHashMap<>();

        @Override
        public void collect(String name, String opName, NDArray array) {
            rows.merge(name, array.dim(0), Long::sum);
        }

        @Override
        public Map<String, TensorRange> postCollect() { return Map.of(); }
    }

    @Test
    public void numCalibExamplesIsRespectedExactly() {
        Model m = model("fmnist_mlp");
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        for (int[] c : new int[][] {{32, 100}, {48, 320}, {48, 1}, {7, 50}}) {
            CountingCollector counter = new CountingCollector();
            try (DataIter it = CalibData.iterator(c[0])) {
                CalibrationRunner.Result r = CalibrationRunner.run(m.symbol(), m.allParams(), "data", names(g), it,
                        c[1], counter, ExecutorOptions.defaults(), null);
                assertEquals(r.examples(), c[1]);
            }
            for (String t : names(g)) assertEquals(counter.rows.get(t).longValue(), c[1], t + " batch " + c[0]);
        }
        // 320 = 6 * 48 + 32: the padded last batch contributes its 32 real rows only.
        CountingCollector all = new CountingCollector();
        try (DataIter it = CalibData.iterator(48)) {
            CalibrationRunner.run(m.symbol(), m.allParams(), "data", names(g), it, null, all, ExecutorOptions.defaults(), null);
        }
        for (String t : names(g)) assertEquals(all.rows.get(t).longValue(), 320L, t);
    }

    @Test
    public void trimmedRangesIgnoreExamplesPastTheLimit() {
        Model m = model("fmnist_resnet20_v1");
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        try (DataIter it = CalibData.iterator(32)) {
            CalibrationRunner.run(m.symbol(), m.allParams(), "data", names(g), it, 40, g.collector(),
                    ExecutorOptions.defaults(), null);
        }
        Map<String, TensorRange> got = g.collector().postCollect();
        // Reference: the first 40 examples = batch 0 and 8 rows of batch 1.
        for (Map.Entry<String, List<float[]>> e : referenceTensors("fmnist_resnet20_v1").entrySet()) {
            float[] b0 = e.getValue().get(0);
            float[] b1 = e.getValue().get(1);
            int row = b0.length / 32;
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : b0) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            for (int i = 0; i < 8 * row; i++) {
                min = Math.min(min, b1[i]);
                max = Math.max(max, b1[i]);
            }
            assertEquals(got.get(e.getKey()).min(), min, 1e-6 * Math.max(1, Math.abs(min)), e.getKey());
            assertEquals(got.get(e.getKey()).max(), max, 1e-6 * Math.max(1, Math.abs(max)), e.getKey());
        }
    }

    @Test
    public void moreExamplesThanDataUsesAllOfIt() {
        Model m = model("fmnist_mlp");
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        try (DataIter it = CalibData.iterator(32)) {
            CalibrationRunner.Result r = CalibrationRunner.run(m.symbol(), m.allParams(), "data", names(g), it, 1000,
                    g.collector(), ExecutorOptions.defaults(), null);
            assertEquals(r.examples(), 320);
        }
    }

    @Test
    public void emptyDataIsAnError() {
        Model m = model("fmnist_mlp");
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> CalibrationRunner.run(
                m.symbol(), m.allParams(), "data", names(g), new ArrayDataIter(new float[0], new long[] {1, 28, 28}, 8),
                null, g.collector(), ExecutorOptions.defaults(), null));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    public void nanInACalibrationBatchIsAnErrorNamingIt() {
        Model m = model("fmnist_mlp");
        QuantizeGraphResult g = graph(m, CalibMode.ENTROPY, QuantizedDtype.INT8);
        float[] x = new float[20 * 28 * 28];
        x[12 * 784 + 5] = Float.NaN;   // example 12 = batch 1 with batch size 8
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> CalibrationRunner.run(
                m.symbol(), m.allParams(), "data", names(g), new ArrayDataIter(x, new long[] {1, 28, 28}, 8),
                null, g.collector(), ExecutorOptions.defaults(), null));
        assertTrue(e.getMessage().contains("'data'") && e.getMessage().contains("batch 1"), e.getMessage());
        float[] inf = new float[8 * 28 * 28];
        inf[3] = Float.POSITIVE_INFINITY;
        QuantizeGraphResult g2 = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        e = expectThrows(IllegalArgumentException.class, () -> CalibrationRunner.run(m.symbol(), m.allParams(), "data",
                names(g2), new ArrayDataIter(inf, new long[] {1, 28, 28}, 8), null, g2.collector(),
                ExecutorOptions.defaults(), null));
        assertTrue(e.getMessage().contains("NaN/Inf") && e.getMessage().contains("batch 0"), e.getMessage());
    }

    @Test
    public void overflowInsideTheModelIsAnErrorNamingTheTensor() {
        Model m = model("fmnist_mlp");
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        float[] x = new float[8 * 28 * 28];
        java.util.Arrays.fill(x, 3e38f);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> CalibrationRunner.run(
                m.symbol(), m.allParams(), "data", names(g), new ArrayDataIter(x, new long[] {1, 28, 28}, 8),
                null, g.collector(), ExecutorOptions.defaults(), null));
        assertTrue(e.getMessage().contains("_output'") && e.getMessage().contains("NaN/Inf"), e.getMessage());
    }

    @Test
    public void dataShapeThatDoesNotFitIsAnError() {
        Model m = model("fmnist_resnet20_v1");
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> CalibrationRunner.run(
                m.symbol(), m.allParams(), "data", names(g),
                new ArrayDataIter(new float[4 * 3 * 28 * 28], new long[] {3, 28, 28}, 4), null, g.collector(),
                ExecutorOptions.defaults(), null));
        assertTrue(e.getMessage().contains("does not fit") && e.getMessage().contains("[4, 3, 28, 28]"), e.getMessage());
    }

    @Test
    public void unknownDataNameIsAnError() {
        Model m = model("fmnist_mlp");
        QuantizeGraphResult g = graph(m, CalibMode.NAIVE, QuantizedDtype.INT8);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> CalibrationRunner.run(
                m.symbol(), m.allParams(), "input", names(g), CalibData.iterator(32), null, g.collector(),
                ExecutorOptions.defaults(), null));
        assertTrue(e.getMessage().contains("'input'"), e.getMessage());
    }

    @Test
    public void rowsIsAViewOfTheValidRows() {
        NDArray a = NDArray.ofFloats(new long[] {4, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        NDArray r = CalibrationRunner.rows(a, 3, 4);
        assertEquals(r.shape(), new long[] {3, 2});
        assertEquals(r.toFloatArray(), new float[] {1, 2, 3, 4, 5, 6});
        a.floatView().put(0, 42f);
        assertEquals(r.getFloat(0), 42f, "a view, not a copy");
        assertTrue(r.buffer().isDirect());
    }
}
