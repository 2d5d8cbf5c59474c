package org.quantize4j.passes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.quantize4j.Model;
import org.quantize4j.MkldnnQuantizeResult;
import org.quantize4j.TestFiles;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Our quantize_model_mkldnn graphs against MXNet 1.9.1's own ({@code test-models/fmnist_*-quantized-naive-symbol.json},
 * {@code test-models/zoo/*-quantized-mkldnn-symbol.json}; naive, auto, smart, tensor-wise): node for node, the same
 * names ({@code data_quantize}, {@code quantized_sg_mkldnn_conv_bn_act_0}, {@code quantized_resnet20v10_pool0_fwd}),
 * ops, fused-node flags (with_bn / with_act / with_sum / with_postsum_act / quantized / enable_float_output),
 * presence of a calibrated range, and inputs (producer and output index). With MXNet-1.9 options
 * ({@link MkldnnFixtures#mxnet19()}) the graphs must be identical; our default (conv float output) differs
 * exactly where a quantized conv feeds an FP32 op.
 */
public class MkldnnQuantizeStructureTest {
    @DataProvider
    public Object[][] fmnist() {
        return TestFiles.FMNIST_MODELS.stream().map(m -> new Object[] {m}).toArray(Object[][]::new);
    }

    @Test(dataProvider = "fmnist")
    public void fmnistMatchesMxnetNaiveFixture(String model) throws Exception {
        Symbol mx = SymbolJson.read(TestFiles.testModel(model + "-quantized-naive-symbol.json"));
        MkldnnQuantizeResult r = MkldnnFixtures.fmnistNaive(model);
        Symbol ours = r.model().symbol();
        List<String> diff = MkldnnFixtures.diff(MkldnnFixtures.describe(ours), MkldnnFixtures.describe(mx));
        assertTrue(diff.isEmpty(), model + ": " + diff.size() + " differences:\n" + String.join("\n", diff));
        assertEquals(MkldnnFixtures.opFlagCounts(ours), MkldnnFixtures.opFlagCounts(mx));
        assertEquals(ours.listOutputs(), mx.listOutputs());
        assertEquals(ours.listArguments(), mx.listArguments(), "arguments (weights FP32 for conv, _quantize for FC)");
        assertEquals(r.model().argParams().keySet(), new java.util.LinkedHashSet<>(
                Model.load(TestFiles.testModel(model + "-quantized-naive-symbol.json"),
                        TestFiles.testModel(model + "-quantized-naive-0000.params")).argParams().keySet()));
    }

    @DataProvider
    public Object[][] zoo() {
        return new Object[][] {{"resnet18_v1"}, {"resnet50_v1"}, {"resnet18_v2"}, {"resnet50_v2"}, {"mobilenet1.0"},
            {"mobilenetv2_1.0"}, {"inceptionv3"}, {"squeezenet1.0"}, {"vgg16"}};
    }

    @Test(dataProvider = "zoo")
    public void zooMatchesMxnetFixture(String arch) {
        Symbol fp32 = SymbolJson.read(TestFiles.testModel("zoo/" + arch + "-symbol.json"));
        Symbol mx = SymbolJson.read(TestFiles.testModel("zoo/" + arch + "-quantized-mkldnn-symbol.json"));
        Symbol ours = MkldnnFixtures.structureOnly(fp32, MkldnnFixtures.mxnet19(), new TensorRange(-1f, 1f));
        List<String> diff = MkldnnFixtures.diff(MkldnnFixtures.unifyGluonPrefix(MkldnnFixtures.describe(ours)),
                MkldnnFixtures.unifyGluonPrefix(MkldnnFixtures.describe(mx)));
        assertTrue(diff.isEmpty(), arch + ": " + diff.size() + " differences:\n" + String.join("\n", diff));
        assertEquals(MkldnnFixtures.opFlagCounts(ours), MkldnnFixtures.opFlagCounts(mx));
    }
}
