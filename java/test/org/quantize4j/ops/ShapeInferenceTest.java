package org.quantize4j.ops;

import static org.quantize4j.ops.Graphs.op;
import static org.quantize4j.ops.Graphs.var;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.file.Path;
import java.util.Map;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.ShapeInferenceException;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.DType;
import org.testng.annotations.Test;

/** graph.ShapeInference over zoo and hand-made graphs; expected shapes are the published architectures'. */
public class ShapeInferenceTest {
    private static Symbol zoo(String arch) {
        return SymbolJson.read(Path.of(System.getProperty("quantize4j.testModels", "test-models"), "zoo", arch + "-symbol.json"));
    }

    @Test
    public void resnet18WeightsAndOutputFollowFromTheDataShape() {
        Symbol s = zoo("resnet18_v1");
        ShapeInference.Result r = ShapeInference.infer(s, Map.of("data", new long[] {2, 3, 224, 224}));
        assertEquals(r.shape(s.heads().get(0)), new long[] {2, 1000});
        Map<String, long[]> v = r.variableShapes();
        assertEquals(v.get("resnetv10_conv0_weight"), new long[] {64, 3, 7, 7});
        assertEquals(v.get("resnetv10_batchnorm0_gamma"), new long[] {64});
        assertEquals(v.get("resnetv10_batchnorm0_running_var"), new long[] {64});
        assertEquals(v.get("resnetv10_dense0_weight"), new long[] {1000, 512});
        assertEquals(v.get("resnetv10_dense0_bias"), new long[] {1000});
        assertEquals(r.shape(s.require("resnetv10_pool0_fwd").output(0)), new long[] {2, 64, 56, 56});
        assertEquals(r.dtype(s.heads().get(0)), DType.FLOAT32);
        assertTrue(r.op(s.require("resnetv10_conv0_fwd")).op() instanceof ConvolutionOp);
    }

    @Test
    public void mobilenetDepthwiseWeightsHaveOneInputChannelPerGroup() {
        Symbol s = zoo("mobilenet1.0");
        ShapeInference.Result r = ShapeInference.infer(s, Map.of("data", new long[] {1, 3, 224, 224}));
        assertEquals(r.variableShapes().get("mobilenet0_conv1_weight"), new long[] {32, 1, 3, 3});
        assertEquals(r.shape(s.heads().get(0)), new long[] {1, 1000});
    }

    @Test
    public void inceptionAt299() {
        Symbol s = zoo("inceptionv3");
        ShapeInference.Result r = ShapeInference.infer(s, Map.of("data", new long[] {1, 3, 299, 299}));
        assertEquals(r.shape(s.heads().get(0)), new long[] {1, 1000});
    }

    @Test
    public void declaredShapeHintsAreChecked() {
        // resnet18's conv0 weight declares (64, 0, 7, 7): 0 = unknown; a conflicting known shape is rejected
        Symbol s = zoo("resnet18_v1");
        ShapeInferenceException e = expectThrows(ShapeInferenceException.class, () -> ShapeInference.infer(s,
                Map.of("data", new long[] {1, 3, 224, 224}, "resnetv10_conv0_weight", new long[] {32, 3, 7, 7})));
        assertTrue(e.getMessage().contains("resnetv10_conv0_weight"), e.getMessage());
    }

    @Test
    public void disagreeingShapesNameNodeAndShapes() {
        Node fc = op("FullyConnected", "fc1", Map.of("num_hidden", "10"), var("data"), var("w"), var("b"));
        Symbol s = Graphs.sym(fc);
        ShapeInferenceException e = expectThrows(ShapeInferenceException.class,
                () -> ShapeInference.infer(s, Map.of("data", new long[] {4, 20}, "w", new long[] {10, 21})));
        assertTrue(e.getMessage().contains("fc1") && e.getMessage().contains("(10, 21)") && e.getMessage().contains("(10, 20)"),
                e.getMessage());
        assertEquals(e.nodeName(), "fc1");
        Node add = op("elemwise_add", "add1", Map.of(), var("a"), var("b"));
        ShapeInferenceException e2 = expectThrows(ShapeInferenceException.class,
                () -> ShapeInference.infer(Graphs.sym(add), Map.of("a", new long[] {2, 3}, "b", new long[] {3, 2})));
        assertTrue(e2.getMessage().contains("add1"), e2.getMessage());
    }

    @Test
    public void unknownDataShapeIsReported() {
        Node conv = op("Convolution", "c", Map.of("kernel", "(3, 3)", "num_filter", "4"), var("data"), var("w"), var("b"));
        ShapeInferenceException e = expectThrows(ShapeInferenceException.class, () -> ShapeInference.infer(Graphs.sym(conv), Map.of()));
        assertTrue(e.getMessage().contains("'data'"), e.getMessage());
    }

    @Test
    public void batchNormHasThreeOutputsAndShapeRulesFillParameters() {
        Node bn = new Node("BatchNorm", "bn", Map.of(), java.util.List.of(var("x").output(0), var("g").output(0), var("b").output(0),
                var("m").output(0), var("v").output(0)), 3);
        ShapeInference.Result r = ShapeInference.infer(Graphs.sym(bn), Map.of("x", new long[] {2, 5, 3, 3}));
        assertEquals(r.shape(new NodeEntry(bn, 0)), new long[] {2, 5, 3, 3});
        assertEquals(r.shape(new NodeEntry(bn, 1)), new long[] {5});
        assertEquals(r.variableShapes().get("m"), new long[] {5});
        assertNull(r.shape(new NodeEntry(bn, 3)));
    }
}
