package org.quantize4j.passes.fusion;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.quantize4j.Model;
import org.quantize4j.TestFiles;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.RandomParams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * A fused FP32 graph computes what the unfused one does (max over images of max |fused - unfused| /
 * max |unfused| per image at most 1e-4): the trained Fashion-MNIST models on 64 test images, every zoo
 * architecture with random weights at batch 1 (large ones in group "slow"), MXNet's own fused files run
 * with the original parameters, and a fused graph saved and reloaded.
 */
public class FusionNumericTest {
    private static final Logger LOG = LoggerFactory.getLogger(FusionNumericTest.class);
    private static final double TOLERANCE = 1e-4;
    private static final int IMAGES = 64;

    @BeforeClass
    public void register() {
        FusionTestSupport.registerFusedOps();
    }

    static float[] fmnistImages(int count) throws IOException {
        Path file = TestFiles.testModel("fashion-mnist/t10k-images-idx3-ubyte.gz");
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            assertEquals(in.readInt(), 0x803, "IDX3 magic");
            in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] px = new byte[count * rows * cols];
            in.readFully(px);
            float[] x = new float[px.length];
            for (int i = 0; i < x.length; i++) x[i] = ((px[i] & 0xff) / 255f - 0.2860f) / 0.3530f;
            return x;
        }
    }

    static int countFused(Symbol s) {
        int n = 0;
        for (Node node : s.nodes()) if (node.op().startsWith("_sg_mkldnn_")) n++;
        return n;
    }

    @DataProvider
    public Object[][] fmnist() {
        Object[][] out = new Object[TestFiles.FMNIST_MODELS.size()][];
        for (int i = 0; i < out.length; i++) out[i] = new Object[] {TestFiles.FMNIST_MODELS.get(i)};
        return out;
    }

    @Test(dataProvider = "fmnist")
    public void fmnistFusedEqualsUnfused(String model) throws IOException {
        Model m = Model.load(TestFiles.prefix(model));
        Symbol fused = FusionPass.fuse(m.symbol(), FusionOptions.defaults());
        assertTrue(countFused(fused) > 0, model + ": nothing fused");
        long[] shape = {IMAGES, 1, 28, 28};
        float[] x = fmnistImages(IMAGES);
        float[] want = FusionTestSupport.run(m.symbol(), m.allParams(), shape, x);
        float[] got = FusionTestSupport.run(fused, m.allParams(), shape, x);
        double err = FusionTestSupport.maxRelError(got, want, 10);
        LOG.info("{}: {} fused nodes, max relative error fused vs unfused over {} images = {}", model, countFused(fused), IMAGES, err);
        assertTrue(err <= TOLERANCE, model + ": fused differs from unfused by " + err);
        // Same predictions.
        for (int i = 0; i < IMAGES; i++) assertEquals(argmax(got, i * 10, 10), argmax(want, i * 10, 10), model + " image " + i);
    }

    @Test
    public void savedFusedGraphReloadsAndRuns() throws IOException {
        Model m = Model.load(TestFiles.prefix("fmnist_resnet20_v1"));
        Symbol fused = FusionPass.fuse(m.symbol(), FusionOptions.defaults());
        Path dir = Files.createTempDirectory("fusion");
        Path file = dir.resolve("fused-symbol.json");
        SymbolJson.write(fused, file);
        Symbol back = SymbolJson.read(file);
        assertEquals(SymbolJson.toJson(back), SymbolJson.toJson(fused));
        long[] shape = {8, 1, 28, 28};
        float[] x = fmnistImages(8);
        float[] a = FusionTestSupport.run(fused, m.allParams(), shape, x);
        float[] b = FusionTestSupport.run(back, m.allParams(), shape, x);
        assertEquals(b, a);
        float[] want = FusionTestSupport.run(m.symbol(), m.allParams(), shape, x);
        assertTrue(FusionTestSupport.maxRelError(b, want, 10) <= TOLERANCE);
        Files.delete(file);
        Files.delete(dir);
    }

    @DataProvider
    public Object[][] smallZoo() {
        return new Object[][] {{"resnet18_v1", 224}, {"resnet18_v2", 224}, {"mobilenet1.0", 224}, {"mobilenetv2_1.0", 224},
            {"squeezenet1.0", 224}};
    }

    @DataProvider
    public Object[][] largeZoo() {
        return new Object[][] {{"resnet50_v1", 224}, {"resnet50_v2", 224}, {"inceptionv3", 299}, {"vgg16", 224}};
    }

    @Test(dataProvider = "smallZoo")
    public void smallZooFusedEqualsUnfused(String arch, int size) {
        zoo(arch, size);
    }

    @Test(dataProvider = "largeZoo", groups = "slow")
    public void largeZooFusedEqualsUnfused(String arch, int size) {
        zoo(arch, size);
    }

    private static void zoo(String arch, int size) {
        Symbol sym = SymbolJson.read(TestFiles.testModel("zoo/" + arch + "-symbol.json"));
        long[] shape = {1, 3, size, size};
        Map<String, NDArray> params = RandomParams.forSymbol(sym, Map.of("data", shape), 11);
        float[] x = FusionTestSupport.random(3L * size * size, 5);
        float[] want = FusionTestSupport.run(sym, params, shape, x);
        Symbol fused = FusionPass.fuse(sym, FusionOptions.defaults());
        float[] got = FusionTestSupport.run(fused, params, shape, x);
        double err = FusionTestSupport.maxRelError(got, want, want.length);
        String line = arch + ": " + countFused(fused) + " fused nodes, max relative error fused vs unfused = " + err;
        // MXNet's own fused file (same parameter names except the v2 ResNets' gluon prefix) runs with the original params.
        if (!arch.startsWith("resnet18_v2") && !arch.startsWith("resnet50_v2")) {
            Symbol mx = SymbolJson.read(TestFiles.testModel("zoo/" + arch + "-fused-fp32-symbol.json"));
            float[] mxOut = FusionTestSupport.run(mx, params, shape, x);
            double mxErr = FusionTestSupport.maxRelError(mxOut, want, want.length);
            line += ", MXNet's fused file vs unfused = " + mxErr;
            assertTrue(mxErr <= TOLERANCE, arch + ": MXNet's fused graph differs from unfused by " + mxErr);
        }
        LOG.info(line);
        assertTrue(err <= TOLERANCE, arch + ": fused differs from unfused by " + err);
    }

    private static int argmax(float[] v, int from, int n) {
        int best = from;
        for (int i = from + 1; i < from + n; i++) if (v[i] > v[best]) best = i;
        return best - from;
    }
}
