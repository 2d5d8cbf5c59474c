package org.quantize4j.gluon;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.quantize4j.CalibMode;
import org.quantize4j.CapturingLogger;
import org.quantize4j.Model;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizeNetOptions;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.TestFiles;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.IdxDataset;
import org.quantize4j.data.Normalization;
import org.quantize4j.gluon.init.Xavier;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.ParamsFile;
import org.quantize4j.passes.MkldnnAttrs;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * {@link Quantization#quantizeNet} on the ResNet-20 written with the network API ({@link ResNet20Test}), named
 * {@code resnet20v11_} so that every name differs from the trained file's, with MXNet's trained weights loaded
 * by name mapping. Oracles: {@link Quantization#quantizeModelMkldnn} on MXNet's own checkpoint with the same
 * options (same graph up to the prefix, same parameters, same accuracy on the 10,000 test images within 0.1
 * pt), the labels of the test set, and the block's own export read back by {@link SymbolBlock#imports}.
 */
public class QuantizeNetTest {
    private static final Logger LOG = LoggerFactory.getLogger(QuantizeNetTest.class);
    private static final Normalization NORM = Normalization.of(1 / 255.0, 0.2860f, 0.3530f);
    private static final String FILE_PREFIX = "resnet20v10_";

    /** quantizeModelMkldnn on MXNet's checkpoint, and quantizeNet on the API network, both naive: built once. */
    private QuantizedModel ref;
    private Block net;
    private SymbolBlock q;

    @BeforeClass
    public void quantizeBoth() throws IOException {
        ref = referenceQuantized();
        net = resnet20();
        q = Quantization.quantizeNet(net, naiveNetOptions());
    }

    @AfterClass(alwaysRun = true)
    public void closeBlocks() {
        if (q != null) q.close();
        if (net != null) net.close();
    }

    /** The API-built ResNet-20 with prefix {@code resnet20v11_} and MXNet's trained weights. */
    static Block resnet20() {
        Block net;
        try (NameScope s = NameManager.fresh()) {
            new ResNet20Test.ResNet20V1(null);
            net = new ResNet20Test.ResNet20V1(null);
        }
        String prefix = net.prefix();
        assertEquals(prefix, "resnet20v11_");
        net.collectParams().load(ResNet20Test.fixture("-0000.params"), false, false, n -> n.replace(FILE_PREFIX, prefix));
        return net;
    }

    /** The 320 calibration images, batches of 32, unlabeled, as a plain list (an Iterable of batches). */
    static List<DataBatch> calibBatches() {
        List<DataBatch> out = new ArrayList<>();
        try (DataIter it = IdxDataset.openUnlabeled(TestFiles.testModel("fashion-mnist/train320-images-idx3-ubyte.gz"))
                .iterator(32, NORM)) {
            while (it.hasNext()) out.add(it.next());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(out.size(), 10);
        return out;
    }

    /** MXNet quantize_net's defaults with naive calibration on the 320 images. */
    static QuantizeNetOptions naiveNetOptions() {
        return QuantizeNetOptions.defaults().calibMode(CalibMode.NAIVE).calibData(calibBatches()).numCalibExamples(320);
    }

    /** quantizeModelMkldnn on MXNet's checkpoint with the same options as {@link #naiveNetOptions()}. */
    static QuantizedModel referenceQuantized() throws IOException {
        Model m = Model.load(TestFiles.prefix(ResNet20Test.MODEL));
        try (DataIter it = IdxDataset.openUnlabeled(TestFiles.testModel("fashion-mnist/train320-images-idx3-ubyte.gz"))
                .iterator(32, NORM)) {
            return Quantization.quantizeModelMkldnn(m.symbol(), m.argParams(), m.auxParams(), QuantizeOptions.defaults()
                    .calibMode(CalibMode.NAIVE).calibData(it).numCalibExamples(320)
                    .quantizedDtype(QuantizedDtype.AUTO).quantizeMode(QuantizeMode.FULL));
        }
    }

    private static int quantizedFusedNodes(org.quantize4j.graph.Symbol s) {
        int n = 0;
        for (Node x : s.nodes()) if (MkldnnAttrs.isQuantizedFused(x)) n++;
        return n;
    }

    @Test
    public void quantizedNetIsQuantizeModelMkldnnsGraphWithTheNetworksNames() {
        assertEquals(q.inputNames(), List.of("data"));
        assertEquals(quantizedFusedNodes(q.hybridize()), 22, "21 convolutions and the dense layer are quantized");
        String ours = SymbolJson.toJson(q.hybridize());
        assertTrue(ours.contains("resnet20v11_stage3_conv6_weight"), "the network's own names");
        assertEquals(ours.replace(net.prefix(), FILE_PREFIX), SymbolJson.toJson(ref.symbol()),
                "same fused quantized graph, same calibrated ranges");
        Map<String, NDArray> mine = q.paramValues();
        Map<String, NDArray> theirs = ref.toModel().allParams();
        assertEquals(mine.size(), theirs.size());
        for (Map.Entry<String, NDArray> e : mine.entrySet()) {
            NDArray t = theirs.get(e.getKey().replace(net.prefix(), FILE_PREFIX));
            assertNotNull(t, e.getKey());
            assertEquals(e.getValue().dtype(), t.dtype(), e.getKey());
            assertEquals(bytes(e.getValue()), bytes(t), e.getKey());
        }
    }

    @Test
    public void int8OutputsEqualQuantizeModelMkldnnsOnTheSameImages() throws IOException {
        float[] x = testImages(0, 64);
        NDArray batch = NDArray.ofFloats(new long[] {64, 1, 28, 28}, x);
        float[] want;
        try (Executor ex = Executor.create(ref.symbol(), ref.toModel().allParams(), Map.of("data", new long[] {64, 1, 28, 28}),
                ExecutorOptions.defaults())) {
            want = ex.forward(x);
        }
        float[] got = q.forward(batch).toFloatArray();
        assertEquals(got, want, 0f, "same INT8 graph, same kernels, same logits");
    }

    /** 10,000 test images (about 8 s): INT8 top-1 of quantizeNet within 0.1 pt of quantizeModelMkldnn's, same options. */
    @Test
    public void accuracyWithinOneTenthPointOfQuantizeModelMkldnn() throws IOException {
        IdxDataset test = IdxDataset.open(TestFiles.testModel("fashion-mnist/t10k-images-idx3-ubyte.gz"));
        int refCorrect = 0;
        int netCorrect = 0;
        int seen = 0;
        try (SymbolBlock r = SymbolBlock.fromModel(ref.toModel(), List.of("data"));
             DataIter it = test.iterator(500, NORM)) {
            while (it.hasNext()) {
                DataBatch b = it.next();
                int[] a = argmax(q.forward(b.data()), b.count());
                int[] c = argmax(r.forward(b.data()), b.count());
                for (int i = 0; i < b.count(); i++) {
                    if (a[i] == b.labels()[i]) netCorrect++;
                    if (c[i] == b.labels()[i]) refCorrect++;
                }
                seen += b.count();
            }
        }
        assertEquals(seen, 10000);
        double netAcc = netCorrect / (double) seen;
        double refAcc = refCorrect / (double) seen;
        LOG.info("quantizeNet INT8 top-1 {} vs quantizeModelMkldnn {} (FP32 0.9299)", netAcc, refAcc);
        assertEquals(netAcc, refAcc, 0.001, "quantizeNet vs quantizeModelMkldnn");
        assertTrue(netAcc > 0.92, "INT8 accuracy " + netAcc + " (FP32 0.9299)");
    }

    @Test
    public void exportThenImportGivesIdenticalOutputs() throws IOException {
        Path dir = Files.createTempDirectory("q4j-quantize-net");
        String prefix = dir.resolve("r20-int8").toString();
        NDArray batch = NDArray.ofFloats(new long[] {16, 1, 28, 28}, testImages(100, 16));
        try {
            q.export(prefix, 0);
            try (SymbolBlock back = SymbolBlock.imports(Model.symbolPath(prefix), List.of("data"), Model.paramsPath(prefix, 0))) {
                assertEquals(SymbolJson.toJson(back.hybridize()), SymbolJson.toJson(q.hybridize()));
                Map<String, NDArray> a = q.paramValues();
                Map<String, NDArray> b = back.paramValues();
                assertEquals(b.keySet(), a.keySet());
                for (String k : a.keySet()) {
                    assertEquals(b.get(k).dtype(), a.get(k).dtype(), k);
                    assertEquals(bytes(b.get(k)), bytes(a.get(k)), k);
                }
                float[] want = q.forward(batch).toFloatArray();
                float[] got = back.forward(batch).toFloatArray();
                assertEquals(got, want, 0f, "re-imported INT8 block computes the same");
                int[] top = argmax(NDArray.ofFloats(new long[] {16, 10}, got), 16);
                int[] labels = testLabels(100, 16);
                int correct = 0;
                for (int i = 0; i < 16; i++) if (top[i] == labels[i]) correct++;
                assertTrue(correct >= 13, "INT8 block classifies test images: " + correct + "/16");
            }
        } finally {
            Files.deleteIfExists(Model.symbolPath(prefix));
            Files.deleteIfExists(Model.paramsPath(prefix, 0));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    public void patternMatchingNothingWarnsWithNearNamesAndPatternsExcludeOriginalNames() {
        CapturingLogger log = new CapturingLogger();
        try (Block net = resnet20()) {
            SymbolBlock all = Quantization.quantizeNet(net, QuantizeNetOptions.defaults().dataShapes(new long[] {1, 1, 28, 28}));
            SymbolBlock q = Quantization.quantizeNet(net, QuantizeNetOptions.defaults().dataShapes(new long[] {1, 1, 28, 28})
                    .excludeLayersMatch("*stage9_conv1_*", "*stage2_conv*").excludeLayers("resnet20v11_stage1_conv0_fdw")
                    .logger(log));
            List<String> warnings = log.warnings();
            LOG.info("warnings: {}", warnings);
            String pattern = find(warnings, "*stage9_conv1_*");
            assertTrue(pattern.contains("matches no node"), pattern);
            assertTrue(pattern.contains("resnet20v11_stage1_conv1_fwd"), "near names listed: " + pattern);
            assertFalse(warnings.stream().anyMatch(w -> w.contains("*stage2_conv*")), "a used pattern is not warned about");
            String name = find(warnings, "resnet20v11_stage1_conv0_fdw");
            assertTrue(name.contains("resnet20v11_stage1_conv0_fwd"), "did-you-mean listed: " + name);
            // The 7 convolutions of stage 2 (6 in the blocks, 1 downsample) stay FP32: matched by their original names.
            assertEquals(quantizedFusedNodes(q.hybridize()), quantizedFusedNodes(all.hybridize()) - 7);
            all.close();
            q.close();
        }
    }

    @Test
    public void missingShapesAndCalibrationDataAreClearErrors() {
        try (Block net = resnet20()) {
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> Quantization.quantizeNet(net, QuantizeNetOptions.defaults()));
            assertTrue(e.getMessage().contains("dataShapes"), e.getMessage());
            assertTrue(e.getMessage().contains(net.describe()), e.getMessage());

            e = expectThrows(IllegalArgumentException.class, () -> Quantization.quantizeNet(net,
                    QuantizeNetOptions.defaults().calibMode(CalibMode.NAIVE).dataShapes(new long[] {8, 1, 28, 28})));
            assertTrue(e.getMessage().contains("calibData"), e.getMessage());

            e = expectThrows(IllegalArgumentException.class, () -> Quantization.quantizeNet(net,
                    QuantizeNetOptions.defaults().dataShapes(new long[] {1, 1, 28, 28}, new long[] {1, 1, 28, 28})));
            assertTrue(e.getMessage().contains("[data]"), e.getMessage());

            e = expectThrows(IllegalArgumentException.class, () -> Quantization.quantizeNet(net,
                    QuantizeNetOptions.defaults().calibData(List.of())));
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
        }
    }

    @Test
    public void forwardThatCannotBeInferredNamesTheBlock() {
        HybridSequential net = new HybridSequential("net_");
        try (NameScope s = net.nameScope()) {
            net.add(new Conv2D(4, 3), new Activation("relu"), new Conv2D(4, 7));
        }
        net.initialize(new Xavier(), 1);
        BlockShapeException e = expectThrows(BlockShapeException.class, () -> Quantization.quantizeNet(net,
                QuantizeNetOptions.defaults().dataShapes(new long[] {1, 1, 6, 6})));
        assertTrue(e.getMessage().startsWith("quantizeNet: "), e.getMessage());
        assertTrue(e.getMessage().contains("Conv2D 'net_conv1_'"), e.getMessage());
        assertTrue(e.getMessage().contains("(1, 1, 6, 6)"), e.getMessage());
        assertTrue(e.block().contains("net_conv1_"), e.block());

        // Calibration batches give the shape when dataShapes is absent; the same error then.
        NDArray small = NDArray.zeros(new long[] {2, 1, 6, 6}, DType.FLOAT32);
        e = expectThrows(BlockShapeException.class, () -> Quantization.quantizeNet(net,
                QuantizeNetOptions.defaults().calibMode(CalibMode.NAIVE).calibDataArrays(List.of(small))));
        assertTrue(e.getMessage().contains("Conv2D 'net_conv1_'"), e.getMessage());
    }

    @Test
    public void uninitializedNetworkIsAClearError() {
        HybridSequential net = new HybridSequential("net_");
        try (NameScope s = net.nameScope()) {
            net.add(Conv2D.builder(4, 3).inChannels(1).build(), new Activation("relu"));
        }
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> Quantization.quantizeNet(net,
                QuantizeNetOptions.defaults().dataShapes(new long[] {1, 1, 8, 8})));
        assertTrue(e.getMessage().contains("net_conv0_weight"), e.getMessage());
        assertTrue(e.getMessage().contains("initialize"), e.getMessage());
    }

    private static String find(List<String> messages, String needle) {
        for (String m : messages) if (m.contains(needle)) return m;
        throw new AssertionError("no message mentions '" + needle + "': " + messages);
    }

    private static int[] argmax(NDArray logits, int rows) {
        int classes = Math.toIntExact(logits.dim(1));
        int[] out = new int[rows];
        for (int i = 0; i < rows; i++) {
            int arg = 0;
            for (int k = 1; k < classes; k++) {
                if (logits.getFloat((long) i * classes + k) > logits.getFloat((long) i * classes + arg)) arg = k;
            }
            out[i] = arg;
        }
        return out;
    }

    /** {@code count} normalized test images from {@code start}. */
    private static float[] testImages(int start, int count) throws IOException {
        IdxDataset test = IdxDataset.open(TestFiles.testModel("fashion-mnist/t10k-images-idx3-ubyte.gz"));
        float[] out = new float[count * 784];
        int done = 0;
        int seen = 0;
        try (DataIter it = test.iterator(count, NORM)) {
            while (it.hasNext() && done < count) {
                DataBatch b = it.next();
                float[] all = b.data().toFloatArray();
                for (int i = 0; i < b.count() && done < count; i++, seen++) {
                    if (seen < start) continue;
                    System.arraycopy(all, i * 784, out, done * 784, 784);
                    done++;
                }
            }
        }
        assertEquals(done, count);
        return out;
    }

    private static int[] testLabels(int start, int count) throws IOException {
        IdxDataset test = IdxDataset.open(TestFiles.testModel("fashion-mnist/t10k-images-idx3-ubyte.gz"));
        int[] out = new int[count];
        int done = 0;
        int seen = 0;
        try (DataIter it = test.iterator(count, NORM)) {
            while (it.hasNext() && done < count) {
                DataBatch b = it.next();
                for (int i = 0; i < b.count() && done < count; i++, seen++) {
                    if (seen < start) continue;
                    out[done++] = b.labels()[i];
                }
            }
        }
        return out;
    }

    private static byte[] bytes(NDArray a) {
        ByteBuffer b = a.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
