package org.quantize4j.gluon;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.quantize4j.Model;
import org.quantize4j.cli.ZooCommand;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.gluon.init.Xavier;
import org.quantize4j.gluon.zoo.ModelZoo;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.ParamsFile;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;
import picocli.CommandLine;

/** Every zoo model builds and infers shapes; export and re-import are lossless; the zoo CLI. */
public class ZooExportTest {
    @DataProvider
    public Object[][] allModels() {
        return ModelZoo.names().stream().map(n -> new Object[] {n}).toArray(Object[][]::new);
    }

    @Test(dataProvider = "allModels")
    public void everyModelHybridizesAndInfersShapes(String name) {
        Block net = ModelZoo.get(name, 10);
        Symbol sym = net.hybridize();
        ShapeInference.Result r = ShapeInference.infer(sym, Map.of("data", ModelZoo.inputShape(name, 2)));
        assertEquals(r.shape(sym.heads().get(0)), new long[] {2, 10}, name);
        Map<String, long[]> shapes = r.variableShapes();
        for (Parameter p : net.collectParams()) assertTrue(shapes.containsKey(p.name()), name + ": " + p.name() + " unused");
        assertEquals(sym.listInputs().size(), net.collectParams().size() + 1, name + ": one data input, the rest parameters");
    }

    @Test
    public void zooKnowsTheArchitecturesMxnetPublishedInt8ResultsFor() {
        for (String n : List.of("resnet18_v1", "resnet34_v1", "resnet50_v1", "resnet101_v1", "resnet152_v1", "resnet18_v2",
                "resnet34_v2", "resnet50_v2", "resnet101_v2", "resnet152_v2", "mobilenet1.0", "mobilenet0.5",
                "mobilenetv2_1.0", "mobilenetv2_0.5", "inceptionv3", "vgg16", "vgg19", "squeezenet1.0", "squeezenet1.1",
                "densenet121")) {
            assertTrue(ModelZoo.names().contains(n), n);
        }
        IllegalArgumentException e = org.testng.Assert.expectThrows(IllegalArgumentException.class,
                () -> ModelZoo.get("resnet19_v1", 10));
        assertTrue(e.getMessage().contains("resnet18_v1"), e.getMessage());
    }

    @DataProvider
    public Object[][] smallFixtures() {
        return new Object[][] {{"squeezenet1.0"}, {"mobilenet1.0"}, {"resnet18_v2"}};
    }

    /** Export with random weights equals MXNet's symbol file; importing and exporting again changes nothing. */
    @Test(dataProvider = "smallFixtures")
    public void exportThenImportIsLossless(String name) throws IOException {
        Path fixture = ZooSymbolTest.fixture(name);
        String expectedJson = Files.readString(fixture, StandardCharsets.UTF_8);
        Block net = ModelZoo.get(name, 1000, ZooSymbolTest.fixturePrefix(SymbolJson.parse(expectedJson)));
        net.initialize(new Xavier(), 11);
        net.inferShape(ModelZoo.inputShape(name, 1));
        Path dir = Files.createTempDirectory("zoo-export");
        String first = dir.resolve(name).toString();
        net.export(first, 0);
        assertEquals(Files.readString(Model.symbolPath(first)), expectedJson, name + ": exported symbol");

        SymbolBlock imported = SymbolBlock.imports(Model.symbolPath(first), List.of("data"), Model.paramsPath(first, 0));
        String second = dir.resolve(name + "-again").toString();
        imported.export(second, 3);
        assertEquals(Files.readString(Model.symbolPath(second)), expectedJson, name + ": re-exported symbol");
        Map<String, NDArray> a = ParamsFile.load(Model.paramsPath(first, 0));
        Map<String, NDArray> b = ParamsFile.load(Model.paramsPath(second, 3));
        assertEquals(b.keySet(), a.keySet());
        for (String k : a.keySet()) {
            assertEquals(b.get(k).shape(), a.get(k).shape(), k);
            assertEquals(b.get(k).buffer(), a.get(k).buffer(), k);
        }
        // MXNet's loader view: every argument and aux state of the symbol has a value.
        Model m = Model.load(first);
        m.requireComplete(List.of("data"));
        assertEquals(m.auxParams().size() + m.argParams().size(), net.collectParams().size());
    }

    @Test
    public void symbolBlockComposesInsideOtherBlocks() {
        Block inner = ModelZoo.get("squeezenet1.1", 10, "sq_");
        inner.initialize(new Xavier(), 5);
        inner.inferShape(new long[] {1, 3, 224, 224});
        SymbolBlock wrapped = SymbolBlock.fromModel(inner.toModel(), List.of("data"));
        org.quantize4j.gluon.nn.HybridSequential outer = new org.quantize4j.gluon.nn.HybridSequential("outer_");
        try (NameScope s = outer.nameScope()) {
            outer.add(wrapped, new org.quantize4j.gluon.nn.Activation("sigmoid"));
        }
        Symbol sym = outer.hybridize();
        assertTrue(sym.find("sq_conv0_fwd") != null, "the wrapped graph keeps its names");
        assertEquals(sym.heads().get(0).node().name(), "outer_sigmoid0_fwd");
        assertEquals(sym.heads().get(0).node().input(0).node().name(), "sq_flatten0_flatten0");
        NDArray x = NDArray.zeros(new long[] {1, 3, 224, 224}, DType.FLOAT32);
        for (int i = 0; i < x.size(); i++) x.floatView().put(i, (float) Math.cos(i * 0.001));
        try (outer; inner) {
            float[] y = outer.forward(x).toFloatArray();
            float[] z = inner.forward(x).toFloatArray();
            for (int i = 0; i < z.length; i++) assertEquals(y[i], 1 / (1 + Math.exp(-z[i])), 1e-6, "output " + i);
        }
    }

    /** Forward through the block equals our executor on MXNet's own symbol file with the same weights. */
    @Test(dataProvider = "fixtureNames", groups = "slow")
    public void forwardMatchesMxnetSymbolWithSameWeights(String name) {
        Symbol mxnet = SymbolJson.read(ZooSymbolTest.fixture(name));
        Block net = ModelZoo.get(name, 1000, ZooSymbolTest.fixturePrefix(mxnet));
        net.initialize(new Xavier(), 21);
        long[] shape = ModelZoo.inputShape(name, 1);
        NDArray x = NDArray.zeros(shape, DType.FLOAT32);
        for (int i = 0; i < x.size(); i++) x.floatView().put(i, (float) Math.sin(i * 0.0007));
        try (net) {
            float[] got = net.forward(x).toFloatArray();
            Map<String, NDArray> params = net.collectParams().values(true);
            try (Executor ex = Executor.create(mxnet, params, Map.of("data", shape), ExecutorOptions.defaults())) {
                float[] want = ex.forward(x.toFloatArray());
                assertEquals(got, want, 0f, name);
            }
        }
    }

    @DataProvider
    public Object[][] fixtureNames() {
        return ZooSymbolTest.FIXTURES.stream().map(n -> new Object[] {n}).toArray(Object[][]::new);
    }

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new ZooCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    public void zooCommandListsAndExports() throws IOException {
        String[] list = run("--list");
        assertEquals(list[0], "0", list[2]);
        for (String n : ModelZoo.names()) assertTrue(list[1].contains(n + " "), n);
        assertTrue(list[1].contains("inceptionv3") && list[1].contains("3x299x299"), list[1]);

        Path dir = Files.createTempDirectory("zoo-cli");
        String prefix = dir.resolve("sub/sq").toString();
        String[] exp = run("--export", "squeezenet1.1", "--out", prefix, "--classes", "10", "--seed", "3");
        assertEquals(exp[0], "0", exp[2]);
        Model m = Model.load(prefix);
        assertEquals(m.symbol().nodes().get(1).name(), "squeezenet0_conv0_weight", "fresh names, as a new MXNet process");
        m.requireComplete(List.of("data"));
        ShapeInference.Result r = ShapeInference.infer(m.symbol(), Map.of("data", new long[] {1, 3, 224, 224}));
        assertEquals(r.shape(m.symbol().heads().get(0)), new long[] {1, 10});

        assertEquals(run()[0], "2");
        assertEquals(run("--export", "nosuchnet", "--out", prefix)[0], "2");
        assertEquals(run("--export", "squeezenet1.1")[0], "2");
        assertEquals(run("--list", "--export", "squeezenet1.1")[0], "2");
    }
}
