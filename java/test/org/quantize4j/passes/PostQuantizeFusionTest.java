package org.quantize4j.passes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedModel;
import org.quantize4j.TestFiles;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.testng.annotations.Test;

/**
 * Post-quantize fusion: which requantize / dequantize nodes the quantized fused conv/FC absorb, and the output
 * type each then declares.
 */
public class PostQuantizeFusionTest {
    @Test
    public void calibratedResnet20AbsorbsEveryRequantizeAndTheLastDequantize() {
        Symbol s = MkldnnFixtures.fmnistNaive("fmnist_resnet20_v1").model().symbol();
        int convs = 0;
        for (Node n : s.nodes()) {
            assertFalse(n.op().equals(QuantizeOps.REQUANTIZE) || n.op().equals(QuantizeOps.DEQUANTIZE), n.name());
            if (!n.op().equals(MkldnnAttrs.CONV)) continue;
            convs++;
            assertTrue(MkldnnAttrs.isQuantizedFused(n), n.name());
            float min = Float.parseFloat(n.attr("min_calib_range"));
            // uint8 exactly where the output is non-negative by construction (relu last, no sum after it) ...
            boolean unsigned = MkldnnAttrs.isOutputNonNegative(n);
            assertEquals(n.attr("out_type"), unsigned || min >= 0 ? "uint8" : "int8", n.name());
            assertEquals(n.numOutputs(), 3, n.name());
        }
        assertEquals(convs, 21);
        // ... which resnet20's signed shortcut convolutions (conv+BN, no relu) are not.
        assertEquals(s.find("quantized_sg_mkldnn_conv_bn_9").attr("out_type"), "int8");
        assertEquals(s.find("quantized_sg_mkldnn_conv_bn_16").attr("out_type"), "int8");
        assertEquals(s.find("quantized_sg_mkldnn_conv_bn_add_act_20").attr("out_type"), "uint8");
        Node fc = s.heads().get(0).node();
        assertEquals(fc.name(), "quantized_sg_mkldnn_fully_connected_0");
        assertEquals(fc.attr("enable_float_output"), "True");
        assertNull(fc.attr("min_calib_range"), "float output needs no range");
        assertEquals(fc.numOutputs(), 1);
    }

    @Test
    public void calibrationNoneKeepsRequantizeAndDequantize() {
        Model m = Model.load(TestFiles.prefix("fmnist_resnet20_v1"));
        QuantizedModel q = Quantization.quantizeModelMkldnn(m.symbol(), m.argParams(), m.auxParams(),
                QuantizeOptions.defaults().calibMode(CalibMode.NONE));
        Symbol s = q.symbol();
        int requantize = 0;
        for (Node n : s.nodes()) {
            if (MkldnnAttrs.isQuantizedFused(n)) {
                assertNull(n.attr("min_calib_range"), n.name());
                assertNull(n.attr("enable_float_output"), n.name());
                assertEquals(n.numOutputs(), 3);
            }
            if (n.op().equals(QuantizeOps.REQUANTIZE)) {
                requantize++;
                assertTrue(MkldnnAttrs.isQuantizedFused(n.input(0).node()), n.name());
                assertNull(n.attr("min_calib_range"));
            }
        }
        assertEquals(requantize, 22);
        Node head = s.heads().get(0).node();
        assertEquals(head.op(), QuantizeOps.DEQUANTIZE);
        assertEquals(head.input(0).node().op(), QuantizeOps.REQUANTIZE);
    }

    @Test
    public void convFeedingFp32OpsWritesFloatByDefaultAndKeepsTheDequantizeInMxnet19Mode() {
        for (String arch : new String[] {"mobilenetv2_1.0", "squeezenet1.0"}) {
            Symbol fp32 = SymbolJson.read(TestFiles.testModel("zoo/" + arch + "-symbol.json"));
            Symbol ours = MkldnnFixtures.structureOnly(fp32, QuantizeOptions.defaults(), new TensorRange(0f, 1f));
            Node last = null;
            for (Node n : ours.nodes()) {
                assertFalse(n.op().equals(QuantizeOps.DEQUANTIZE), arch + ": " + n.name());
                if (MkldnnAttrs.isFloatOutput(n)) last = n;
            }
            assertNotNull(last, arch);
            assertEquals(last.op(), MkldnnAttrs.CONV, arch);
            assertEquals(last.attr("enable_float_output"), "true");
            assertEquals(last.numOutputs(), 1);
            assertNull(last.attr("min_calib_range"));
            // Its FP32 user reads the float output directly.
            boolean read = false;
            for (Node n : ours.nodes()) for (NodeEntry e : n.inputs()) if (e.node() == last) read = !n.op().startsWith("_");
            assertTrue(read, arch);

            Symbol mx19 = MkldnnFixtures.structureOnly(fp32, MkldnnFixtures.mxnet19(), new TensorRange(0f, 1f));
            int dequantize = 0;
            for (Node n : mx19.nodes()) if (n.op().equals(QuantizeOps.DEQUANTIZE)) dequantize++;
            assertEquals(dequantize, 1, arch);
        }
    }

    @Test
    public void channelWiseFcTakesFp32WeightsAndTensorWiseFcTakesOfflineInt8() {
        Symbol fp32 = SymbolJson.read(TestFiles.testModel("fmnist_mlp-symbol.json"));
        Symbol cw = MkldnnFixtures.structureOnly(fp32, QuantizeOptions.defaults(), new TensorRange(0f, 1f));
        Node fc = cw.find("quantized_sg_mkldnn_fully_connected_eltwise_0");
        assertEquals(fc.attr("channel_wise_quantize"), "True");
        assertEquals(fc.inputs().size(), 5, "data, weight, bias, data_min, data_max");
        assertEquals(fc.input(1).node().name(), "mlp0_dense0_weight");
        assertEquals(fc.input(2).node().name(), "mlp0_dense0_bias");
        Symbol tw = MkldnnFixtures.structureOnly(fp32, MkldnnFixtures.mxnet19(), new TensorRange(0f, 1f));
        Node fc2 = tw.find("quantized_sg_mkldnn_fully_connected_eltwise_0");
        assertNull(fc2.attr("channel_wise_quantize"));
        assertEquals(fc2.inputs().size(), 9);
        assertEquals(fc2.input(1).node().name(), "mlp0_dense0_weight_quantize");
    }
}
