package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.quantize4j.Model;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.ShapeInferenceException;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ops.InvalidAttributeException;
import org.quantize4j.ops.UnsupportedOperatorException;
import org.testng.annotations.Test;

/** Bad graphs and inputs fail when the executor is built, with messages naming the node/tensor at fault. */
public class ExecutorErrorsTest {
    private static final Map<String, long[]> DATA = Map.of("data", new long[] {1, 1, 28, 28});

    private static Model resnet() {
        return Model.load(FixtureFp32Test.testModels().resolve("fmnist_resnet20_v1").toString());
    }

    private static Symbol copy(Symbol s) {
        return SymbolJson.parse(SymbolJson.toJson(s));
    }

    private static Node firstOp(Symbol s, String op) {
        for (Node n : s.nodes()) if (n.op().equals(op)) return n;
        throw new AssertionError("no " + op);
    }

    @Test
    public void unknownOperatorNamesNodeAndOp() {
        Model m = resnet();
        Symbol s = copy(m.symbol());
        Node relu = firstOp(s, "Activation");
        relu.setOp("FancyActivation");
        UnsupportedOperatorException e = expectThrows(UnsupportedOperatorException.class,
                () -> Executor.create(s, m.allParams(), DATA, ExecutorOptions.defaults()));
        assertTrue(e.getMessage().contains(relu.name()) && e.getMessage().contains("FancyActivation"), e.getMessage());
        assertEquals(e.nodeName(), relu.name());
    }

    @Test
    public void unknownAttributeNamesNodeOpAndAttribute() {
        Model m = resnet();
        Symbol s = copy(m.symbol());
        Node conv = firstOp(s, "Convolution");
        conv.setAttr("num_filters", "16");
        InvalidAttributeException e = expectThrows(InvalidAttributeException.class,
                () -> Executor.create(s, m.allParams(), DATA, ExecutorOptions.defaults()));
        assertTrue(e.getMessage().contains(conv.name()) && e.getMessage().contains("Convolution")
                && e.getMessage().contains("num_filters"), e.getMessage());
    }

    @Test
    public void unsupportedAttributeValuesAreRejected() {
        Model m = resnet();
        for (String[] bad : new String[][] {{"Convolution", "layout", "NHWC"}, {"Pooling", "pool_type", "lp"},
            {"Activation", "act_type", "swish"}, {"Convolution", "kernel", "(3, 3, 3)"}, {"Pooling", "pooling_convention", "same"}}) {
            Symbol s = copy(m.symbol());
            Node n = firstOp(s, bad[0]);
            n.setAttr(bad[1], bad[2]);
            InvalidAttributeException e = expectThrows(InvalidAttributeException.class,
                    () -> Executor.create(s, m.allParams(), DATA, ExecutorOptions.defaults()));
            assertTrue(e.getMessage().contains(n.name()) && e.getMessage().contains(bad[1]) && e.getMessage().contains(bad[2]),
                    e.getMessage());
        }
    }

    @Test
    public void metadataAttributesAreAccepted() {
        Model m = resnet();
        Symbol s = copy(m.symbol());
        firstOp(s, "Convolution").setAttr("__lr_mult__", "2.0");
        try (Executor ex = Executor.create(s, m.allParams(), DATA, ExecutorOptions.defaults())) {
            assertEquals(ex.outputShape(0), new long[] {1, 10});
        }
    }

    @Test
    public void missingParameterNamesTensorAndNode() {
        Model m = resnet();
        Map<String, NDArray> params = new LinkedHashMap<>(m.allParams());
        Node conv = firstOp(m.symbol(), "Convolution");
        String weight = conv.input(1).node().name();
        params.remove(weight);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> Executor.create(m.symbol(), params, DATA, ExecutorOptions.defaults()));
        assertTrue(e.getMessage().contains(weight) && e.getMessage().contains(conv.name()), e.getMessage());
    }

    @Test
    public void parameterShapeMismatchNamesTensorAndShapes() {
        Model m = resnet();
        Map<String, NDArray> params = new LinkedHashMap<>(m.allParams());
        Node conv = firstOp(m.symbol(), "Convolution");
        String weight = conv.input(1).node().name();
        long[] good = params.get(weight).shape();
        long[] bad = good.clone();
        bad[0] += 1;
        params.put(weight, NDArray.zeros(bad, org.quantize4j.ndarray.DType.FLOAT32));
        ShapeInferenceException e = expectThrows(ShapeInferenceException.class,
                () -> Executor.create(m.symbol(), params, DATA, ExecutorOptions.defaults()));
        assertTrue(e.getMessage().contains(weight), e.getMessage());
        assertTrue(e.getMessage().contains(org.quantize4j.ops.ShapeContext.fmt(bad)), e.getMessage());
    }

    @Test
    public void inputShapeThatDoesNotFitIsRejected() {
        Model m = resnet();
        // three channels, but the first conv's weights take one
        ShapeInferenceException e = expectThrows(ShapeInferenceException.class,
                () -> Executor.create(m.symbol(), m.allParams(), Map.of("data", new long[] {1, 3, 28, 28}), ExecutorOptions.defaults()));
        assertTrue(e.getMessage().contains(firstOp(m.symbol(), "Convolution").name()), e.getMessage());
        // 20x20 images flatten to 400 values, the MLP's first dense layer takes 784
        Model mlp = Model.load(FixtureFp32Test.testModels().resolve("fmnist_mlp").toString());
        ShapeInferenceException fc = expectThrows(ShapeInferenceException.class,
                () -> Executor.create(mlp.symbol(), mlp.allParams(), Map.of("data", new long[] {1, 1, 20, 20}), ExecutorOptions.defaults()));
        assertTrue(fc.getMessage().contains("(256, 784)") && fc.getMessage().contains("(256, 400)"), fc.getMessage());
        // smaller than a pooling kernel
        Node pool = Node.op("Pooling", "pool0", Map.of("kernel", "(3, 3)", "pool_type", "max"),
                List.of(new NodeEntry(Node.variable("data"), 0)));
        Symbol ps = Symbol.fromOutputs(List.of(new NodeEntry(pool, 0)), Map.of());
        ShapeInferenceException pe = expectThrows(ShapeInferenceException.class,
                () -> Executor.create(ps, Map.of(), Map.of("data", new long[] {1, 2, 2, 2}), ExecutorOptions.defaults()));
        assertTrue(pe.getMessage().contains("pool0"), pe.getMessage());
        // wrong rank
        expectThrows(ShapeInferenceException.class,
                () -> Executor.create(m.symbol(), m.allParams(), Map.of("data", new long[] {1, 784}), ExecutorOptions.defaults()));
    }

    @Test
    public void unknownInputNameIsRejected() {
        Model m = resnet();
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> Executor.create(m.symbol(), m.allParams(), Map.of("image", new long[] {1, 1, 28, 28}), ExecutorOptions.defaults()));
        assertTrue(e.getMessage().contains("image"), e.getMessage());
    }

    @Test
    public void wrongInputSizeAtSetInput() {
        Model m = resnet();
        try (Executor ex = Executor.create(m.symbol(), m.allParams(), DATA, ExecutorOptions.defaults())) {
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                    () -> ex.setInput("data", FloatBuffer.allocate(100)));
            assertTrue(e.getMessage().contains("784"), e.getMessage());
            expectThrows(IllegalArgumentException.class, () -> ex.setInput("label", FloatBuffer.allocate(784)));
        }
    }

    @Test
    public void labelInputOfSoftmaxOutputMayBeUnbound() {
        Node data = Node.variable("data");
        Node label = Node.variable("softmax_label");
        Node sm = Node.op("SoftmaxOutput", "softmax", Map.of(), List.of(new NodeEntry(data, 0), new NodeEntry(label, 0)));
        Symbol s = Symbol.fromOutputs(List.of(new NodeEntry(sm, 0)), Map.of());
        try (Executor ex = Executor.create(s, Map.of(), Map.of("data", new long[] {2, 3}), ExecutorOptions.defaults())) {
            float[] p = ex.forward(new float[] {0, 0, 0, 1, 1, 1});
            for (float v : p) assertEquals(v, 1 / 3f, 1e-6);
        }
    }

    @Test
    public void closedExecutorRefusesWork() {
        Model m = resnet();
        Executor ex = Executor.create(m.symbol(), m.allParams(), DATA, ExecutorOptions.defaults());
        ex.close();
        ex.close();
        expectThrows(IllegalStateException.class, ex::forward);
    }
}
