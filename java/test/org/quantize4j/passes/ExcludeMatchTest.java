package org.quantize4j.passes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.quantize4j.CalibMode;
import org.quantize4j.MkldnnQuantizeResult;
import org.quantize4j.Model;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedModel;
import org.quantize4j.TestFiles;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.testng.annotations.Test;

/**
 * Excluding layers from quantize_model_mkldnn by original name, fused name and glob pattern (mxnet#16929):
 * the fused node stays FP32 (no {@code quantized} attribute, its own name, fed through a dequantize) in the saved
 * symbol.
 */
public class ExcludeMatchTest {
    @Test
    public void globSemantics() {
        assertTrue(ExcludedNames.matches("*conv0*", "resnet20v10_stage1_conv0_fwd"));
        assertTrue(ExcludedNames.matches("conv0", "resnet20v10_stage1_conv0_fwd"), "no wildcard: substring, as MXNet");
        assertTrue(ExcludedNames.matches("resnet20v10_stage?_conv0_fwd", "resnet20v10_stage3_conv0_fwd"));
        assertFalse(ExcludedNames.matches("resnet20v10_stage?_conv0_fwd", "resnet20v10_stage13_conv0_fwd"));
        assertFalse(ExcludedNames.matches("*conv0", "resnet20v10_stage1_conv0_fwd"));
        assertTrue(ExcludedNames.matches("sg_mkldnn_conv_bn_act_1", "sg_mkldnn_conv_bn_act_1"));
        assertTrue(ExcludedNames.matches("a.b*", "a.bc"), "regex characters are literal");
        assertFalse(ExcludedNames.matches("a.b*", "axbc"));
    }

    @Test
    public void originalFusedAndGlobNamesKeepTheNodeFp32InTheSavedSymbol() throws Exception {
        Model m = Model.load(TestFiles.prefix("fmnist_resnet20_v1"));
        QuantizeOptions o = QuantizeOptions.defaults().calibMode(CalibMode.NONE)
                .excludedSymNames("resnet20v10_stage1_conv0_fwd", "sg_mkldnn_conv_bn_act_3", "no_such_layer")
                .excludedSymNamesMatch("*stage3_conv6*");
        MkldnnQuantizeResult r = Quantization.quantizeMkldnn(m.symbol(), m.argParams(), m.auxParams(), o);
        Set<String> expected = Set.of("sg_mkldnn_conv_bn_act_1", "sg_mkldnn_conv_bn_act_3", "sg_mkldnn_conv_bn_add_act_20");
        assertEquals(r.excluded().nodes(), expected);
        assertTrue(r.excluded().unknownNames().containsKey("no_such_layer"));
        assertEquals(r.fusion().fusedNameOf().get("resnet20v10_stage1_conv0_fwd"), "sg_mkldnn_conv_bn_act_1");

        Path dir = Files.createTempDirectory("q4j-exclude");
        try {
            String prefix = dir.resolve("r20").toString();
            r.model().save(prefix, 0);
            Symbol saved = QuantizedModel.load(prefix, 0).symbol();
            int quantized = 0;
            for (Node n : saved.nodes()) if (MkldnnAttrs.isQuantizedFused(n)) quantized++;
            assertEquals(quantized, 22 - 3);
            for (String name : expected) {
                Node n = saved.find(name);
                assertNotNull(n, name);
                assertEquals(n.op(), MkldnnAttrs.CONV);
                assertNull(n.attr("quantized"), name);
                assertNull(saved.find(QuantizeNames.quantized(name)), name);
                Node in = n.input(0).node();
                assertEquals(in.op(), QuantizeOps.DEQUANTIZE, name + " reads a float input");
            }
            // Its weights stay plain FP32 parameters.
            assertEquals(r.model().argParams().get("resnet20v10_stage1_conv0_weight").dtype(),
                    m.argParams().get("resnet20v10_stage1_conv0_weight").dtype());
        } finally {
            for (Path p : List.of(dir.resolve("r20-symbol.json"), dir.resolve("r20-0000.params"), dir)) Files.deleteIfExists(p);
        }
    }

    @Test
    public void plainQuantizeModelMatchesPatternsAgainstOriginalNames() {
        Model m = Model.load(TestFiles.prefix("fmnist_resnet20_v1"));
        QuantizedModel q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), QuantizeOptions.defaults()
                .calibMode(CalibMode.NONE).excludedSymNamesMatch("*stage3_conv6*", "resnet20v10_stage2_conv?_fwd"));
        int convs = 0;
        for (Node n : q.symbol().nodes()) {
            if (n.op().equals("Convolution")) {
                convs++;
                assertTrue(n.name().contains("stage3_conv6") || n.name().matches("resnet20v10_stage2_conv\\d_fwd"), n.name());
            }
        }
        assertEquals(convs, 1 + 7, "stage3_conv6 and the 7 stage2 convs stay FP32");
        assertNotNull(q.symbol().find(QuantizeNames.quantized("resnet20v10_stage1_conv0_fwd")), "others are quantized");
    }

    @Test
    public void excludedOpInsideAFusedNodeExcludesIt() {
        Model m = Model.load(TestFiles.prefix("fmnist_mlp"));
        MkldnnQuantizeResult r = Quantization.quantizeMkldnn(m.symbol(), m.argParams(), m.auxParams(),
                QuantizeOptions.defaults().calibMode(CalibMode.NONE).excludedOpNames("FullyConnected"));
        for (Node n : r.model().symbol().nodes()) assertFalse(MkldnnAttrs.isQuantizedFused(n), n.name());
    }
}
