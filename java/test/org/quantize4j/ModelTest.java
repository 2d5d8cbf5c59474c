package org.quantize4j;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.ParamsFile;
import org.testng.annotations.AfterClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

public class ModelTest {
    private final Path tmp;

    public ModelTest() throws IOException {
        tmp = Files.createTempDirectory("model");
    }

    @AfterClass(alwaysRun = true)
    public void cleanUp() throws IOException {
        try (var s = Files.walk(tmp)) {
            for (Path p : s.sorted((a, b) -> b.compareTo(a)).toList()) Files.deleteIfExists(p);
        }
    }

    @DataProvider
    public Object[][] prefixes() {
        List<Object[]> out = new ArrayList<>();
        for (String m : TestFiles.FMNIST_MODELS) {
            out.add(new Object[] {m});
            out.add(new Object[] {m + "-quantized-naive"});
            out.add(new Object[] {m + "-quantized-entropy"});
        }
        return out.toArray(Object[][]::new);
    }

    /**
     * MXNet decided arg vs aux when it saved the params; our symbol decides independently from the graph
     * (BatchNorm moving stats, also inside fused subgraphs). Both must agree, and nothing may be missing.
     */
    @Test(dataProvider = "prefixes")
    public void loadsCheckpointAndSplitsArgAndAux(String model) {
        Model m = Model.load(TestFiles.prefix(model));
        Map<String, NDArray> raw = ParamsFile.load(Model.paramsPath(TestFiles.prefix(model), 0));
        assertEquals(m.argParams().size() + m.auxParams().size(), raw.size());
        for (String k : m.argParams().keySet()) assertTrue(raw.containsKey("arg:" + k), k);
        for (String k : m.auxParams().keySet()) assertTrue(raw.containsKey("aux:" + k), k);
        assertEquals(new HashSet<>(m.auxParams().keySet()), new HashSet<>(m.symbol().listAuxiliaryStates()), model);
        assertEquals(m.missingParams(List.of("data")), List.of(), model);
        assertEquals(m.allParams().size(), raw.size());
        assertEquals(m.symbol().listInputs().size(), raw.size() + 1, model + ": every input but data is a param");
    }

    @Test
    public void resnetHasBatchNormAuxStates() {
        Model m = Model.load(TestFiles.prefix("fmnist_resnet20_v1"), 0);
        assertEquals(m.auxParams().size(), 42);
        assertTrue(m.auxParams().containsKey("resnet20v10_batchnorm0_running_mean"));
        assertTrue(m.argParams().containsKey("resnet20v10_conv0_weight"));
        assertEquals(m.allParams().get("resnet20v10_batchnorm0_running_var").dtype(), DType.FLOAT32);
    }

    @Test
    public void saveThenLoadGivesTheSameModel() throws IOException {
        Model m = Model.load(TestFiles.prefix("fmnist_inception-quantized-naive"));
        String prefix = tmp.resolve("sub/copy").toString();
        m.save(prefix, 3);
        assertTrue(Files.exists(Path.of(prefix + "-0003.params")));
        assertEquals(Files.readString(Path.of(prefix + "-symbol.json")),
                Files.readString(TestFiles.testModel("fmnist_inception-quantized-naive-symbol.json")));
        Model back = Model.load(prefix, 3);
        assertEquals(back.argParams().keySet(), m.argParams().keySet());
        assertEquals(back.auxParams().keySet(), m.auxParams().keySet());
        for (Map.Entry<String, NDArray> e : m.allParams().entrySet()) {
            NDArray b = back.allParams().get(e.getKey());
            assertEquals(b.dtype(), e.getValue().dtype());
            assertEquals(b.shape(), e.getValue().shape());
            assertEquals(b.buffer(), e.getValue().buffer(), e.getKey());
        }
        assertEquals(SymbolJson.toJson(back.symbol()), SymbolJson.toJson(m.symbol()));
    }

    @Test
    public void missingParamsListsVariablesWithoutValues() {
        Model full = Model.load(TestFiles.prefix("fmnist_mlp"));
        Map<String, NDArray> args = new LinkedHashMap<>(full.argParams());
        args.remove("mlp0_dense1_bias");
        Model partial = new Model(full.symbol(), args, full.auxParams());
        assertEquals(partial.missingParams(List.of("data")), List.of("mlp0_dense1_bias"));
        assertEquals(partial.missingParams(List.of()), List.of("data", "mlp0_dense1_bias"));
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> partial.requireComplete(List.of("data")));
        assertTrue(e.getMessage().contains("[mlp0_dense1_bias]"), e.getMessage());
        full.requireComplete(List.of("data"));
    }

    @Test
    public void labelInputsOfLossOpsAreNotRequired() {
        String json = "{\"nodes\": [{\"op\": \"null\", \"name\": \"data\", \"inputs\": []},"
                + "{\"op\": \"null\", \"name\": \"softmax_label\", \"inputs\": []},"
                + "{\"op\": \"SoftmaxOutput\", \"name\": \"softmax\", \"inputs\": [[0, 0, 0], [1, 0, 0]]}],"
                + " \"arg_nodes\": [0, 1], \"node_row_ptr\": [0, 1, 2, 3], \"heads\": [[2, 0, 0]]}";
        Model m = new Model(SymbolJson.parse(json), Map.of(), Map.of());
        assertEquals(m.missingParams(List.of("data")), List.of("softmax_label"));
        m.requireComplete(List.of("data"));
        expectThrows(IllegalArgumentException.class, () -> m.requireComplete(List.of()));
    }

    @Test
    public void unprefixedNamesAreArguments() throws IOException {
        Path params = tmp.resolve("gluon.params");
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("mlp0_dense0_weight", NDArray.ofFloats(new long[] {1}, new float[] {1}));
        m.put("aux:stat", NDArray.ofFloats(new long[] {1}, new float[] {2}));
        ParamsFile.save(params, m);
        Model model = Model.load(TestFiles.testModel("fmnist_mlp-symbol.json"), params);
        assertEquals(model.argParams().keySet(), Set.of("mlp0_dense0_weight"));
        assertEquals(model.auxParams().keySet(), Set.of("stat"));
    }

    @Test
    public void duplicateParameterIsAnError() throws IOException {
        Path params = tmp.resolve("dup.params");
        Map<String, NDArray> m = new LinkedHashMap<>();
        m.put("arg:w", NDArray.ofFloats(new long[] {1}, new float[] {1}));
        m.put("aux:w", NDArray.ofFloats(new long[] {1}, new float[] {2}));
        ParamsFile.save(params, m);
        ModelFormatException e = expectThrows(ModelFormatException.class,
                () -> Model.load(TestFiles.testModel("fmnist_mlp-symbol.json"), params));
        assertTrue(e.getMessage().contains(params.toString()) && e.getMessage().contains("'w' appears twice"), e.getMessage());
    }

    @Test
    public void errorsNameTheFile() throws IOException {
        ModelFormatException e = expectThrows(ModelFormatException.class, () -> Model.load(tmp.resolve("nothing").toString()));
        assertTrue(e.getMessage().contains("nothing-symbol.json") && e.getMessage().contains("does not exist"), e.getMessage());

        Path sym = TestFiles.testModel("fmnist_mlp-symbol.json");
        e = expectThrows(ModelFormatException.class, () -> Model.load(sym, tmp.resolve("absent-0000.params")));
        assertTrue(e.getMessage().contains("absent-0000.params"), e.getMessage());

        // Swapped files.
        Path params = TestFiles.testModel("fmnist_mlp-0000.params");
        e = expectThrows(ModelFormatException.class, () -> Model.load(params, sym));
        assertTrue(e.getMessage().contains(params.toString()), e.getMessage());

        // Corrupt params: truncated in the middle of a tensor.
        byte[] bytes = Files.readAllBytes(params);
        Path cut = tmp.resolve("cut-0000.params");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        e = expectThrows(ModelFormatException.class, () -> Model.load(sym, cut));
        assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("array #"), e.getMessage());

        expectThrows(IllegalArgumentException.class, () -> Model.paramsPath("x", -1));
        assertEquals(Model.paramsPath("a/b", 12).toString(), "a/b-0012.params");
    }

    @Test
    public void paramsAreReadOnlyMaps() {
        Model m = Model.load(TestFiles.prefix("fmnist_mlp"));
        expectThrows(UnsupportedOperationException.class,
                () -> m.argParams().put("x", NDArray.zeros(new long[] {1}, DType.FLOAT32)));
        ByteBuffer b = m.argParams().get("mlp0_dense0_weight").buffer();
        assertTrue(b.isDirect());
    }
}
