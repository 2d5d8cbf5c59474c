package org.quantize4j.gluon;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.quantize4j.TestFiles;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.IdxDataset;
import org.quantize4j.data.Normalization;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.GlobalAvgPool2D;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.Npy;
import org.quantize4j.ndarray.ParamsFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.Test;

/**
 * A small residual network written with the API (the Fashion-MNIST ResNet-20 the fixtures were trained
 * with): its hybridized symbol is MXNet's file byte for byte, MXNet's trained weights load into it by name,
 * it reaches MXNet's FP32 accuracy (0.9299) on the 10,000 test images, and its export equals MXNet's.
 */
public class ResNet20Test {
    private static final Logger LOG = LoggerFactory.getLogger(ResNet20Test.class);
    static final String MODEL = "fmnist_resnet20_v1";

    /** Residual block: body (conv-BN-ReLU-conv-BN), optional 1x1 downsample, sum, ReLU block. */
    static final class ResidualBlock extends Block {
        private final HybridSequential body;
        private final HybridSequential downsample;
        private final Activation relu;

        ResidualBlock(int channels, int stride, int inChannels) {
            super("");
            body = register("body", new HybridSequential(""));
            body.add(Conv2D.builder(channels, 3).strides(stride).padding(1).useBias(false).inChannels(inChannels).build(),
                    new BatchNorm(), new Activation("relu"),
                    Conv2D.builder(channels, 3).padding(1).useBias(false).inChannels(channels).build(), new BatchNorm());
            if (stride != 1 || channels != inChannels) {
                downsample = register("downsample", new HybridSequential(""));
                downsample.add(Conv2D.builder(channels, 1).strides(stride).useBias(false).inChannels(inChannels).build(),
                        new BatchNorm());
            } else {
                downsample = null;
            }
            relu = register("relu", new Activation("relu"));
        }

        @Override
        public Sym hybridForward(Sym x) {
            Sym residual = downsample == null ? x : null;
            Sym y = body.call(x);
            if (downsample != null) residual = downsample.call(x);
            return relu.call(y.plus(residual));
        }
    }

    /** ResNet-20 for 28x28 grey images: 3x3 stem, three stages of three blocks (16/32/64), pool, dense. */
    static final class ResNet20V1 extends Block {
        private final HybridSequential features;
        private final Dense output;

        ResNet20V1(String prefix) {
            super(prefix);
            try (NameScope s = nameScope()) {
                features = register("features", new HybridSequential(""));
                features.add(Conv2D.builder(16, 3).padding(1).useBias(false).inChannels(1).build(), new BatchNorm(),
                        new Activation("relu"));
                int in = 16;
                int[] channels = {16, 32, 64};
                for (int stage = 0; stage < 3; stage++) {
                    HybridSequential layer = new HybridSequential("stage" + (stage + 1) + "_");
                    try (NameScope ls = layer.nameScope()) {
                        for (int b = 0; b < 3; b++) {
                            layer.add(new ResidualBlock(channels[stage], b == 0 && stage > 0 ? 2 : 1, b == 0 ? in : channels[stage]));
                        }
                    }
                    features.add(layer);
                    in = channels[stage];
                }
                features.add(new GlobalAvgPool2D());
                output = register("output", Dense.builder(10).inUnits(64).build());
            }
        }

        @Override
        public Sym hybridForward(Sym x) {
            return output.call(features.call(x));
        }
    }

    static Path fixture(String suffix) {
        return TestFiles.testModel(MODEL + suffix);
    }

    @Test
    public void automaticNamesAndSymbolEqualMxnetFile() throws IOException {
        Block net;
        try (NameScope s = NameManager.fresh()) {
            net = new ResNet20V1(null);
        }
        assertEquals(net.prefix(), "resnet20v10_");
        String expected = Files.readString(fixture("-symbol.json"), StandardCharsets.UTF_8);
        ZooSymbolTest.assertSameGraph(net.hybridize(), SymbolJson.parse(expected), "", "");
        assertEquals(SymbolJson.toJson(net.hybridize()), expected);
    }

    @Test
    public void trainedWeightsByNameMappingGiveMxnetAccuracy() throws IOException {
        Block net;
        try (NameScope s = NameManager.fresh()) {
            new ResNet20V1(null);
            net = new ResNet20V1(null);            // resnet20v11_: names differ from the file's
        }
        assertEquals(net.prefix(), "resnet20v11_");
        String prefix = net.prefix();
        net.collectParams().load(fixture("-0000.params"), false, false, n -> n.replace("resnet20v10_", prefix));
        assertEquals(net.collectParams().size(), 21 * 5 + 2);

        IdxDataset test = IdxDataset.open(TestFiles.testModel("fashion-mnist/t10k-images-idx3-ubyte.gz"));
        assertEquals(test.count(), 10000);
        NDArray mxnetPredictions = Npy.read(fixture("-fp32-predictions.npy"));
        float[] mx = mxnetPredictions.toFloatArray();
        int correct = 0;
        int agree = 0;
        int seen = 0;
        try (net; DataIter it = test.iterator(200, Normalization.of(1 / 255.0, 0.2860f, 0.3530f))) {
            while (it.hasNext()) {
                DataBatch b = it.next();
                NDArray logits = net.forward(b.data());
                assertEquals(logits.shape(), new long[] {200, 10});
                for (int i = 0; i < b.count(); i++) {
                    int arg = 0;
                    for (int k = 1; k < 10; k++) if (logits.getFloat(i * 10L + k) > logits.getFloat(i * 10L + arg)) arg = k;
                    if (arg == b.labels()[i]) correct++;
                    if (seen + i < mx.length && arg == (int) mx[seen + i]) agree++;
                }
                seen += b.count();
            }
        }
        double acc = correct / (double) seen;
        LOG.info("ResNet-20 written with the network API: accuracy {} (MXNet 0.9299), agreement with MXNet {}/{}",
                acc, agree, Math.min(seen, mx.length));
        assertEquals(seen, 10000);
        assertEquals(acc, 0.9299, 0.0002, "FP32 accuracy");
        assertTrue(agree >= Math.min(seen, mx.length) - 2, "agreement with MXNet's predictions: " + agree);
    }

    @Test
    public void exportEqualsMxnetExport() throws IOException {
        Block net;
        try (NameScope s = NameManager.fresh()) {
            net = new ResNet20V1(null);
        }
        net.collectParams().load(fixture("-0000.params"), false, false);
        Path dir = Files.createTempDirectory("gluon-export");
        String out = dir.resolve("resnet20").toString();
        net.export(out, 0);
        assertEquals(Files.readString(Path.of(out + "-symbol.json")), Files.readString(fixture("-symbol.json")));
        assertEquals(ParamsFile.load(Path.of(out + "-0000.params")).keySet().stream().toList(),
                ParamsFile.load(fixture("-0000.params")).keySet().stream().toList(), "names and order");
        assertTrue(Arrays.equals(Files.readAllBytes(Path.of(out + "-0000.params")), Files.readAllBytes(fixture("-0000.params"))),
                "params file bytes equal MXNet's export");
    }

    @Test
    public void symbolBlockImportRunsAndReExportsUnchanged() throws IOException {
        SymbolBlock imported = SymbolBlock.imports(fixture("-symbol.json"), List.of("data"), fixture("-0000.params"));
        Block net;
        try (NameScope s = NameManager.fresh()) {
            net = new ResNet20V1(null);
        }
        net.collectParams().load(fixture("-0000.params"), false, false);
        NDArray x = NDArray.zeros(new long[] {4, 1, 28, 28}, org.quantize4j.ndarray.DType.FLOAT32);
        for (int i = 0; i < x.size(); i++) x.floatView().put(i, (float) Math.sin(i * 0.01));
        try (imported; net) {
            float[] a = imported.forward(x).toFloatArray();
            float[] b = net.forward(x).toFloatArray();
            assertEquals(a, b, 0f, "imported symbol block and the API-built network compute the same");
        }
        Path dir = Files.createTempDirectory("gluon-import");
        imported.export(dir.resolve("again").toString(), 0);
        assertEquals(Files.readString(dir.resolve("again-symbol.json")), Files.readString(fixture("-symbol.json")));
        Map<String, NDArray> want = ParamsFile.load(fixture("-0000.params"));
        Map<String, NDArray> got = ParamsFile.load(dir.resolve("again-0000.params"));
        assertEquals(got.keySet(), want.keySet());
        for (String k : want.keySet()) assertEquals(got.get(k).toFloatArray(), want.get(k).toFloatArray(), 0f, k);
    }
}
