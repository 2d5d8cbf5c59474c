package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.ndarray.DType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Every graph the quantize pass can emit runs: FULL/SMART x INT8/UINT8/AUTO x NONE/NAIVE/ENTROPY on
 * fmnist_resnet20_v1 and fmnist_inception (256 test images), with finite outputs and top-1 agreement with FP32
 * above 0.95 (UINT8 clips the negative normalized input pixels, so its bar is lower, see below). A quantized
 * model saved as symbol JSON + params reloads and gives identical outputs.
 */
public class QuantizedModesTest {
    private static final Logger LOG = LoggerFactory.getLogger(QuantizedModesTest.class);
    private static final int COUNT = 256;

    /** A few combinations for the default suite (each mode, dtype and calibration at least once). */
    @DataProvider
    public Object[][] someModes() {
        return new Object[][] {
            {"fmnist_inception", QuantizeMode.FULL, QuantizedDtype.INT8, CalibMode.NONE},
            {"fmnist_inception", QuantizeMode.SMART, QuantizedDtype.AUTO, CalibMode.NAIVE},
            {"fmnist_inception", QuantizeMode.FULL, QuantizedDtype.UINT8, CalibMode.NAIVE},
            {"fmnist_resnet20_v1", QuantizeMode.SMART, QuantizedDtype.INT8, CalibMode.ENTROPY},
            {"fmnist_resnet20_v1", QuantizeMode.FULL, QuantizedDtype.AUTO, CalibMode.NONE}};
    }

    @Test(dataProvider = "someModes")
    public void modeCombinationRuns(String name, QuantizeMode qm, QuantizedDtype dt, CalibMode cm) throws Exception {
        everyModeCombinationRuns(name, qm, dt, cm);
    }

    @DataProvider
    public Object[][] modes() {
        List<Object[]> out = new ArrayList<>();
        for (String m : new String[] {"fmnist_resnet20_v1", "fmnist_inception"}) {
            for (QuantizeMode qm : QuantizeMode.values()) {
                for (QuantizedDtype dt : QuantizedDtype.values()) {
                    for (CalibMode cm : new CalibMode[] {CalibMode.NONE, CalibMode.NAIVE, CalibMode.ENTROPY}) {
                        out.add(new Object[] {m, qm, dt, cm});
                    }
                }
            }
        }
        return out.toArray(new Object[0][]);
    }

    @Test(dataProvider = "modes", groups = "slow")
    public void everyModeCombinationRuns(String name, QuantizeMode qm, QuantizedDtype dt, CalibMode cm) throws Exception {
        Model m = Model.load(FixtureFp32Test.testModels().resolve(name).toString());
        float[] x = Fmnist.testImages();
        int[] fp32 = Fmnist.predict(m.symbol(), m.allParams(), x, COUNT, 64);
        QuantizedModel q = QuantizedAccuracyTest.quantize(m, cm, dt, qm);
        int quantized = 0;
        ShapeInference.Result types = ShapeInference.infer(q.symbol(), Map.of("data", new long[] {64, 1, 28, 28}),
                typesOf(q), org.quantize4j.ops.OpRegistry.standard());
        for (Node n : q.symbol().nodes()) {
            if (n.op().startsWith("_contrib_quantized_")) quantized++;
        }
        assertTrue(quantized > 0, "nothing quantized");
        int[] int8 = Fmnist.predict(q.symbol(), q.toModel().allParams(), x, COUNT, 64);   // fails on a non-finite logit
        double agree = Fmnist.agreement(int8, fp32);
        LOG.info("{} {} {} {}: {} quantized nodes, top-1 agreement with FP32 {}", name, qm.mxnetName(), dt.mxnetName(),
                cm.mxnetName(), quantized, agree);
        if (dt == QuantizedDtype.UINT8) {
            // uint8 everywhere is MXNet's contract: every negative activation (normalized pixels, conv outputs before
            // BatchNorm) clips to 0, which destroys these unfused models (agreement about 0.1). Check that clipping
            // is what happens: the quantized input holds no negative value.
            assertUint8InputClips(q);
        } else {
            assertTrue(agree > 0.95, name + " " + qm + " " + dt + " " + cm + ": agreement " + agree);
        }
        assertEquals(types.dtype(q.symbol().heads().get(0)), DType.FLOAT32);
    }

    /** The data quantize node of a UINT8 model outputs uint8 codes, all >= 0, of at most 255. */
    private static void assertUint8InputClips(QuantizedModel q) {
        Node dq = null;
        for (Node n : q.symbol().nodes()) if (n.op().equals("_contrib_quantize_v2") && n.input(0).node().name().equals("data")) dq = n;
        assertTrue(dq != null, "no quantize node on data");
        org.quantize4j.graph.Symbol s = org.quantize4j.graph.Symbol.fromOutputs(java.util.List.of(new org.quantize4j.graph.NodeEntry(dq, 0)),
                Map.of());
        try (Executor ex = Executor.create(s, Map.of(), Map.of("data", new long[] {4, 1, 28, 28}), ExecutorOptions.defaults())) {
            float[] codes = ex.forward(java.util.Arrays.copyOf(Fmnist.testImages(), 4 * 784));
            int zeros = 0;
            for (float c : codes) {
                assertTrue(c >= 0 && c <= 255, "uint8 code " + c);
                if (c == 0) zeros++;
            }
            assertTrue(zeros > codes.length / 4, "negative pixels should clip to 0");
        }
    }

    private static Map<String, DType> typesOf(QuantizedModel q) {
        Map<String, DType> t = new java.util.HashMap<>();
        q.toModel().allParams().forEach((k, v) -> t.put(k, v.dtype()));
        return t;
    }

    @Test
    public void savedQuantizedModelReloadsWithIdenticalOutputs() throws Exception {
        Model m = Model.load(FixtureFp32Test.testModels().resolve("fmnist_inception").toString());
        QuantizedModel q = QuantizedAccuracyTest.quantize(m, CalibMode.NAIVE, QuantizedDtype.AUTO, QuantizeMode.SMART);
        Path dir = Files.createTempDirectory("q4j-int8");
        try {
            String prefix = dir.resolve("inception-int8").toString();
            q.save(prefix, 0);
            Model back = Model.load(prefix);
            int int8Weights = 0;
            for (Map.Entry<String, org.quantize4j.ndarray.NDArray> en : back.argParams().entrySet()) {
                if (en.getKey().endsWith("_weight_quantize")) {
                    assertEquals(en.getValue().dtype(), DType.INT8, en.getKey());
                    int8Weights++;
                }
            }
            assertTrue(int8Weights > 0, "no int8 weights saved");
            float[] x = Fmnist.testImages();
            float[] a = logits(q.toModel(), x);
            float[] b = logits(back, x);
            assertEquals(b, a, "reloaded model's logits differ");
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    private static float[] logits(Model m, float[] x) {
        try (Executor ex = Executor.create(m.symbol(), m.allParams(), Map.of("data", new long[] {64, 1, 28, 28}),
                ExecutorOptions.defaults())) {
            ex.setInput("data", FloatBuffer.wrap(x, 0, 64 * 784));
            ex.forward();
            return ex.output(0).toFloatArray();
        }
    }
}
