package org.quantize4j.ops;

import static org.testng.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.fusion.FusionOptions;
import org.quantize4j.passes.fusion.FusionPass;
import org.quantize4j.passes.fusion.FusionTestSupport;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * {@code _sg_mkldnn_fully_connected}: FullyConnected [-> activation] on 2-D and 4-D (flattened) inputs, fused
 * and checked against a plain-Java reference ({@code x W^T + b}, then the activation).
 */
public class FusedFullyConnectedOpTest {
    @BeforeClass
    public void register() {
        FusionTestSupport.registerFusedOps();
    }

    @DataProvider
    public Object[][] cases() {
        return new Object[][] {
            {"relu", true, new long[] {3, 20}}, {"sigmoid", true, new long[] {3, 2, 3, 4}}, {"tanh", false, new long[] {5, 7}},
            {"softrelu", true, new long[] {2, 9}}, {"elu", true, new long[] {3, 2, 2, 2}}, {"leaky", false, new long[] {4, 6}},
            {"relu6", true, new long[] {3, 20}}, {null, true, new long[] {3, 4, 1, 1}},
        };
    }

    @Test(dataProvider = "cases")
    public void fusedMatchesReference(String act, boolean bias, long[] xs) {
        SplittableRandom r = new SplittableRandom(31 + (act == null ? 0 : act.hashCode()));
        int o = 5;
        int k = (int) (Graphs.size(xs) / xs[0]);
        int rows = (int) xs[0];
        Map<String, String> a = Map.of("num_hidden", "" + o, "no_bias", bias ? "False" : "True");
        Node data = Graphs.var("data");
        Node cur = bias ? Graphs.op("FullyConnected", "fc", a, data, Graphs.var("w"), Graphs.var("b"))
                : Graphs.op("FullyConnected", "fc", a, data, Graphs.var("w"));
        if (act != null) {
            cur = switch (act) {
                case "relu6" -> Graphs.op("clip", "act", Map.of("a_min", "0", "a_max", "6"), cur);
                case "elu" -> Graphs.op("LeakyReLU", "act", Map.of("act_type", "elu", "slope", "0.5"), cur);
                case "leaky" -> Graphs.op("LeakyReLU", "act", Map.of("act_type", "leaky", "slope", "0.2"), cur);
                default -> Graphs.op("Activation", "act", Map.of("act_type", act), cur);
            };
        }
        Symbol sym = Graphs.sym(cur);
        float[] w = Graphs.rand(r, (long) o * k);
        float[] b = Graphs.rand(r, o);
        List<Object> ps = new ArrayList<>(List.of("w", Graphs.arr(new long[] {o, k}, w)));
        if (bias) ps.addAll(List.of("b", Graphs.arr(new long[] {o}, b)));
        Map<String, NDArray> params = Graphs.params(ps.toArray());
        float[] x = Graphs.rand(r, Graphs.size(xs), -2, 2);

        Symbol fused = FusionPass.fuse(sym, FusionOptions.defaults());
        Node sg = fused.nodes().get(fused.nodes().size() - 1);
        assertEquals(sg.op(), FusedFullyConnectedOp.NAME);
        assertEquals(sg.name(), act == null ? "sg_mkldnn_fully_connected_0" : "sg_mkldnn_fully_connected_eltwise_0");
        assertEquals(sg.attr("with_eltwise"), act == null ? null : "True");

        float[] got = FusionTestSupport.run(fused, params, xs, x);
        float[] want = Reference.fc(x, rows, k, w, o, bias ? b : null);
        DoubleUnaryOperator f = act == null ? v -> v : switch (act) {
            case "relu" -> v -> Math.max(v, 0);
            case "sigmoid" -> v -> 1 / (1 + Math.exp(-v));
            case "tanh" -> Math::tanh;
            case "softrelu" -> v -> Math.log1p(Math.exp(v));
            case "elu" -> v -> v > 0 ? v : 0.5 * (Math.exp(v) - 1);
            case "leaky" -> v -> v > 0 ? v : 0.2 * v;
            case "relu6" -> v -> Math.min(Math.max(v, 0), 6);
            default -> throw new AssertionError(act);
        };
        for (int i = 0; i < want.length; i++) want[i] = (float) f.applyAsDouble(want[i]);
        Reference.assertClose(got, want, 1e-4, "fc+" + act);
        Reference.assertClose(got, FusionTestSupport.run(sym, params, xs, x), 1e-5, "fc+" + act + " fused vs unfused");
    }
}
