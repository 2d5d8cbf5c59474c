package org.quantize4j.report;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quantize4j.CalibMode;
import org.quantize4j.MkldnnQuantizeResult;
import org.quantize4j.Model;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.TestFiles;
import org.quantize4j.calib.CalibData;
import org.quantize4j.data.DataIter;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/** Per-layer INT8 vs FP32 errors of fmnist_resnet20_v1 (naive calibration on the 320 images). */
public class LayerErrorsTest {
    private static final ExecutorOptions ONE_THREAD = new ExecutorOptions(1);
    private static final String LOGITS = "resnet20v10_dense0_fwd";

    private Model fp32;
    private QuantizedModel q;
    private CalibrationRecorder recorder;

    static QuantizedModel quantize(Model m, CalibrationRecorder rec, String... excluded) {
        try (DataIter it = CalibData.iterator(32)) {
            return Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), QuantizeOptions.defaults()
                    .calibMode(CalibMode.NAIVE).quantizedDtype(QuantizedDtype.AUTO).calibData(it)
                    .excludedSymNames(excluded).executorOptions(ONE_THREAD).calibrationListener(rec));
        }
    }

    static List<LayerError> measure(Model m, QuantizedModel q, Integer examples) {
        try (DataIter it = CalibData.iterator(32)) {
            return LayerErrors.measure(m.symbol(), m.allParams(), q.symbol(), q.toModel().allParams(), Map.of(), "data",
                    it, examples, ONE_THREAD, null);
        }
    }

    @BeforeClass
    public void quantizeOnce() {
        fp32 = Model.load(TestFiles.prefix("fmnist_resnet20_v1"));
        recorder = new CalibrationRecorder(CalibMode.NAIVE);
        q = quantize(fp32, recorder);
    }

    /** Runs a whole model (its own outputs) on the 320 images; the logits of every example, concatenated. */
    private static float[] logits(Model m) {
        float[] out = new float[320 * 10];
        try (DataIter it = CalibData.iterator(32);
             Executor ex = Executor.create(m.symbol(), m.allParams(), Map.of("data", new long[] {32, 1, 28, 28}), ONE_THREAD)) {
            int row = 0;
            while (it.hasNext()) {
                ex.setInput("data", it.next().data().floatView());
                ex.forward();
                FloatBuffer b = ex.output(0).floatView();
                b.get(0, out, row * 10, 320);
                row += 32;
            }
        }
        return out;
    }

    @Test
    public void everyQuantizedLayerFiniteSortedAndTheLogitsErrorIsThatOfTheDeployedModels() {
        List<LayerError> errors = measure(fp32, q, null);
        // Every quantized node is a row, or (a BatchNorm read only by a relu) stands in its relu's row.
        Set<String> quantized = new java.util.TreeSet<>();
        for (Node n : q.symbol().nodes()) if (n.op().startsWith("_contrib_quantized_")) quantized.add(n.name().substring(10));
        Set<String> covered = new java.util.TreeSet<>();
        for (LayerError e : errors) {
            covered.add(e.layer());
            covered.addAll(e.originalNodes());
            if (e.originalNodes().size() > 1) {
                assertEquals(e.op(), "Activation", e.toString());
                assertEquals(e.originalNodes().size(), 2, e.toString());
                assertTrue(e.originalNodes().get(0).contains("batchnorm"), e.toString());
                assertEquals(e.originalNodes().get(1), e.layer());
            }
        }
        assertEquals(covered, quantized);
        assertEquals(quantized.size(), 72);
        assertEquals(errors.size(), 62, "10 BatchNorms are read only by a relu");
        for (int i = 0; i < errors.size(); i++) {
            LayerError e = errors.get(i);
            assertTrue(Double.isFinite(e.relativeL2()) && e.relativeL2() >= 0, e.toString());
            assertTrue(e.cosine() >= -1 && e.cosine() <= 1, e.toString());
            assertTrue(Double.isFinite(e.maxAbsError()) && Double.isFinite(e.fp32Rms()), e.toString());
            if (i > 0) assertTrue(errors.get(i - 1).relativeL2() >= e.relativeL2(), "worst first at " + i);
        }
        // Independent route: the two models run whole, as deployed (the INT8 model's own output is the dequantized
        // logits), compared with a plain loop.
        double[] whole = relL2AndCosine(logits(fp32), logits(q.toModel()));
        LayerError dense = errors.stream().filter(e -> e.layer().equals(LOGITS)).findFirst().orElseThrow();
        assertEquals(dense.values(), 320L * 10);
        assertEquals(dense.relativeL2(), whole[0], 1e-9 * whole[0]);
        assertEquals(dense.cosine(), whole[1], 1e-12);
        assertTrue(dense.relativeL2() > 0, "INT8 is not exact");
    }

    private static double[] relL2AndCosine(float[] a, float[] b) {
        double diff = 0, ref = 0, dot = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            diff += ((double) b[i] - a[i]) * ((double) b[i] - a[i]);
            ref += (double) a[i] * a[i];
            dot += (double) a[i] * b[i];
            bb += (double) b[i] * b[i];
        }
        return new double[] {Math.sqrt(diff / ref), dot / Math.sqrt(ref * bb)};
    }

    @Test
    public void fusedGraphLayersAndTheirLogitsError() {
        MkldnnQuantizeResult r;
        try (DataIter it = CalibData.iterator(32)) {
            r = Quantization.quantizeMkldnn(fp32.symbol(), fp32.argParams(), fp32.auxParams(), QuantizeOptions.defaults()
                    .calibMode(CalibMode.NAIVE).quantizedDtype(QuantizedDtype.AUTO).calibData(it).executorOptions(ONE_THREAD));
        }
        QuantizedModel fq = r.model();
        Model fusedFp32 = new Model(r.fusion().symbol(), fp32.argParams(), fp32.auxParams());
        List<LayerError> errors;
        try (DataIter it = CalibData.iterator(32)) {
            errors = LayerErrors.measure(fusedFp32.symbol(), fusedFp32.allParams(), fq.symbol(), fq.toModel().allParams(),
                    LayerErrors.originalsByFusedName(r.fusion().fusedNameOf()), "data", it, null, ONE_THREAD, null);
        }
        int quantized = 0;
        for (Node n : fq.symbol().nodes()) {
            if (n.op().startsWith("_contrib_quantized_") || org.quantize4j.passes.MkldnnAttrs.isQuantizedFused(n)) quantized++;
        }
        assertEquals(errors.size(), quantized);
        LayerError fc = null;
        for (LayerError e : errors) {
            assertTrue(Double.isFinite(e.relativeL2()) && e.cosine() >= -1 && e.cosine() <= 1, e.toString());
            if (e.op().equals("_sg_mkldnn_fully_connected")) fc = e;
            if (e.op().equals("_sg_mkldnn_conv")) assertTrue(e.originalNodes().size() >= 2, "conv + bn (+ act) " + e);
        }
        assertTrue(fc != null && fc.originalNodes().contains(LOGITS), String.valueOf(fc));
        double[] whole = relL2AndCosine(logits(fusedFp32), logits(fq.toModel()));
        assertEquals(fc.relativeL2(), whole[0], 1e-9 * whole[0]);
        assertEquals(fc.cosine(), whole[1], 1e-12);
    }

    @Test
    public void anExcludedLayerIsNotListed() {
        String excluded = "resnet20v10_stage2_conv1_fwd";
        QuantizedModel partial = quantize(fp32, null, excluded);
        List<LayerError> errors = measure(fp32, partial, 64);
        List<String> names = new ArrayList<>();
        for (LayerError e : errors) names.add(e.layer());
        assertFalse(names.contains(excluded), names.toString());
        assertTrue(names.contains("resnet20v10_stage2_conv0_fwd"), names.toString());
        for (LayerError e : errors) assertEquals(e.values() % 64, 0L, "64 examples");
    }

    @Test
    public void fp32AgainstItselfHasNoError() {
        Symbol s = fp32.symbol();
        List<LayerErrors.Pair> pairs = new ArrayList<>();
        for (Node n : s.nodes()) {
            if (n.isVariable()) continue;
            pairs.add(new LayerErrors.Pair(n.name(), n.op(), List.of(n.name()), n.name(), new NodeEntry(n, 0), new NodeEntry(n, 0)));
        }
        List<ErrorStats> stats;
        try (DataIter it = CalibData.iterator(32)) {
            // A small budget: several passes over the data, each with a group of the tensors.
            stats = LayerErrors.compare(s, fp32.allParams(), s, fp32.allParams(), pairs, "data", it, 96, ONE_THREAD,
                    null, 8L << 20);
        }
        assertEquals(stats.size(), 72);
        for (int i = 0; i < stats.size(); i++) {
            assertEquals(stats.get(i).relativeL2(), 0.0, pairs.get(i).layer());
            assertEquals(stats.get(i).cosine(), 1.0, 1e-12, pairs.get(i).layer());
            assertTrue(stats.get(i).count() > 0);
        }
    }

    @Test
    public void recorderSawTheCalibrationData() {
        float[] x = CalibData.plainImages();
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        List<TensorReport> tensors = recorder.tensors(List.of(), 50);
        assertEquals(tensors.size(), recorder.table().ranges().size());
        assertEquals(Set.copyOf(tensors.stream().map(TensorReport::name).toList()), recorder.table().ranges().keySet());
        TensorReport data = tensors.stream().filter(t -> t.name().equals("data")).findFirst().orElseThrow();
        assertEquals(data.seenMin(), min);
        assertEquals(data.seenMax(), max);
        assertEquals(data.values(), x.length);
        assertEquals(data.histogram().total(), x.length);
        assertEquals(data.histogram().numBins(), 50);
        assertEquals(data.klDivergence(), null);
    }
}
