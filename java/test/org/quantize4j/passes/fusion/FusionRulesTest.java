package org.quantize4j.passes.fusion;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.quantize4j.Model;
import org.quantize4j.TestFiles;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.RandomParams;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Where fusion must stop (several users, graph outputs, conv+act+sum), the MXNet selector rules, and the
 * disable switches (options and environment variables), each checked on the graph and on its outputs.
 */
public class FusionRulesTest {
    @BeforeClass
    public void register() {
        FusionTestSupport.registerFusedOps();
    }

    private static final long[] X = {1, 3, 8, 8};

    private static Node var(String n) {
        return Node.variable(n);
    }

    private static Node op(String op, String name, Map<String, String> attrs, Node... in) {
        List<NodeEntry> e = new ArrayList<>();
        for (Node n : in) e.add(new NodeEntry(n, 0));
        return Node.op(op, name, attrs, e);
    }

    private static Node conv(String name, Node in) {
        return op("Convolution", name, Map.of("kernel", "(3, 3)", "pad", "(1, 1)", "num_filter", "3", "no_bias", "True"),
                in, var(name + "_weight"));
    }

    private static Node bn(String name, Node in) {
        Node b = op("BatchNorm", name, Map.of("fix_gamma", "False", "eps", "1e-5"), in, var(name + "_gamma"), var(name + "_beta"),
                var(name + "_mean"), var(name + "_var"));
        b.setNumOutputs(3);
        return b;
    }

    private static Node relu(String name, Node in) {
        return op("Activation", name, Map.of("act_type", "relu"), in);
    }

    private static Symbol sym(Node... heads) {
        List<NodeEntry> h = new ArrayList<>();
        for (Node n : heads) h.add(new NodeEntry(n, 0));
        return Symbol.fromOutputs(h, Map.of());
    }

    /** Fused node name -> inner op names, for every fused node. */
    private static Map<String, List<String>> fusedNodes(Symbol s) {
        Map<String, List<String>> out = new TreeMap<>();
        for (Node n : s.nodes()) {
            if (!n.op().startsWith("_sg_")) continue;
            List<String> inner = new ArrayList<>();
            for (Node m : n.subgraphs().get(0).nodes()) if (!m.isVariable()) inner.add(m.name());
            out.put(n.name(), inner);
        }
        return out;
    }

    /** Fuses, checks every output equals the unfused graph's, returns the fused symbol. */
    private static Symbol fuseAndCompare(Symbol s, FusionOptions o) {
        Map<String, NDArray> params = RandomParams.forSymbol(s, Map.of("data", X), 3);
        Symbol f = FusionPass.fuse(s, o);
        float[] x = FusionTestSupport.random(NDArray.size(X), 9);
        for (int h = 0; h < s.heads().size(); h++) {
            float[] want = FusionTestSupport.run(Symbol.fromOutputs(List.of(s.heads().get(h)), Map.of()), params, X, x);
            float[] got = FusionTestSupport.run(Symbol.fromOutputs(List.of(f.heads().get(h)), Map.of()), params, X, x);
            double err = FusionTestSupport.maxRelError(got, want, want.length);
            assertTrue(err <= 1e-5, "output " + h + " differs by " + err + ": " + SymbolJson.toJson(f));
        }
        return f;
    }

    @Test
    public void convWithTwoUsersIsNotFusedFurther() {
        Node data = var("data");
        Node c = conv("c", data);
        Node b = bn("b", c);
        Node r = relu("r", b);
        Node pool = op("Pooling", "p", Map.of("kernel", "(1, 1)", "pool_type", "max"), c);
        Node add = op("elemwise_add", "add", Map.of(), r, pool);
        Symbol f = fuseAndCompare(sym(add), FusionOptions.defaults());
        assertEquals(fusedNodes(f), Map.of("sg_mkldnn_conv_0", List.of("c")));
        assertTrue(f.find("b") != null && f.find("r") != null && f.find("add") != null);
    }

    @Test
    public void batchNormWithTwoUsersEndsTheChain() {
        Node data = var("data");
        Node b = bn("b", conv("c", data));
        Node r = relu("r", b);
        Node t = op("Activation", "t", Map.of("act_type", "tanh"), b);
        Symbol f = fuseAndCompare(sym(op("elemwise_add", "add", Map.of(), r, t)), FusionOptions.defaults());
        assertEquals(fusedNodes(f), Map.of("sg_mkldnn_conv_bn_0", List.of("c", "b")));
    }

    @Test
    public void graphOutputEndsTheChain() {
        Node data = var("data");
        Node b = bn("b", conv("c", data));
        Node r = relu("r", b);
        Symbol f = fuseAndCompare(sym(r, b), FusionOptions.defaults());
        assertEquals(fusedNodes(f), Map.of("sg_mkldnn_conv_bn_0", List.of("c", "b")));
        assertEquals(f.heads().size(), 2);
        assertEquals(f.heads().get(1).node().name(), "sg_mkldnn_conv_bn_0");
    }

    @Test
    public void convActSumIsTwoNodesConvSumActIsOne() {
        Node data = var("data");
        Node pre = op("Activation", "pre", Map.of("act_type", "tanh"), data);
        // conv -> relu -> add: the activation ends the chain, the add stays.
        Node a = op("elemwise_add", "add1", Map.of(), relu("r1", conv("c1", pre)), pre);
        // conv -> bn -> add -> relu: one node with a post-sum activation; the sum operand (a) is the last input.
        Node out = relu("r2", op("elemwise_add", "add2", Map.of(), a, bn("b2", conv("c2", a))));
        Symbol f = fuseAndCompare(sym(out), FusionOptions.defaults());
        assertEquals(fusedNodes(f), Map.of("sg_mkldnn_conv_act_0", List.of("c1", "r1"),
                "sg_mkldnn_conv_bn_add_act_1", List.of("c2", "b2", "add2", "r2")));
        Node sg = f.require("sg_mkldnn_conv_bn_add_act_1");
        assertEquals(sg.attrs().toString(), "{with_bn=true, with_postsum_act=true, with_sum=true}");
        List<String> inputs = new ArrayList<>();
        for (NodeEntry e : sg.inputs()) inputs.add(e.node().name());
        assertEquals(inputs, List.of("add1", "c2_weight", "b2_gamma", "b2_beta", "b2_mean", "b2_var", "add1"));
        assertTrue(f.find("add1") != null);
    }

    @Test
    public void clipFusesOnlyFromZero() {
        Node data = var("data");
        Node c1 = op("clip", "k1", Map.of("a_min", "0", "a_max", "6"), conv("c1", data));
        Node c2 = op("clip", "k2", Map.of("a_min", "-1", "a_max", "1"), conv("c2", c1));
        Symbol f = fuseAndCompare(sym(c2), FusionOptions.defaults());
        assertEquals(fusedNodes(f), Map.of("sg_mkldnn_conv_act_0", List.of("c1", "k1"), "sg_mkldnn_conv_1", List.of("c2")));
    }

    @Test
    public void quantizationRulesFuseFewerActivations() {
        Node data = var("data");
        Node s = op("Activation", "s", Map.of("act_type", "sigmoid"), conv("c1", data));
        Node sum = op("elemwise_add", "add", Map.of(), conv("c2", s), s);
        Node k = op("clip", "k", Map.of("a_min", "0", "a_max", "6"), sum);
        Symbol sym = sym(k);
        assertEquals(fusedNodes(fuseAndCompare(sym, FusionOptions.defaults())),
                Map.of("sg_mkldnn_conv_act_0", List.of("c1", "s"), "sg_mkldnn_conv_add_act_1", List.of("c2", "add", "k")));
        // INT8 rules: Activation only relu, and no clip after a sum.
        assertEquals(fusedNodes(FusionPass.fuse(sym, FusionOptions.defaults().withForQuantization(true))),
                Map.of("sg_mkldnn_conv_0", List.of("c1"), "sg_mkldnn_conv_add_1", List.of("c2", "add")));
    }

    @Test
    public void eachSwitchDisablesItsFusion() throws Exception {
        Model m = Model.load(TestFiles.prefix("fmnist_resnet20_v1"));
        Symbol s = m.symbol();
        long[] shape = {4, 1, 28, 28};
        float[] x = FusionNumericTest.fmnistImages(4);
        float[] want = FusionTestSupport.run(s, m.allParams(), shape, x);
        FusionOptions all = FusionOptions.defaults();
        Map<String, FusionOptions> variants = Map.of(
                "conv", all.withConv(false), "convBn", all.withConvBn(false), "convSum", all.withConvSum(false),
                "convAct", all.withConvAct(false), "fc", all.withFc(false), "fcAct", all.withFcAct(false),
                "steps", all.withConvBn(false).withConvSum(false).withConvAct(false), "none", FusionOptions.none());
        for (Map.Entry<String, FusionOptions> v : variants.entrySet()) {
            Symbol f = FusionPass.fuse(s, v.getValue());
            Map<String, Integer> ops = opCounts(f);
            Map<String, Integer> flags = flagCounts(f);
            String what = v.getKey() + ": " + ops + " " + flags;
            switch (v.getKey()) {
                case "conv" -> assertTrue(ops.get("Convolution") == 21 && ops.getOrDefault("_sg_mkldnn_conv", 0) == 0, what);
                case "convBn" -> assertTrue(ops.get("BatchNorm") == 21 && !flags.containsKey("with_bn")
                        && ops.get("_sg_mkldnn_conv") == 21, what);
                case "convSum" -> assertTrue(ops.get("elemwise_add") == 9 && !flags.containsKey("with_sum")
                        && flags.get("with_bn") == 21, what);
                case "convAct" -> assertTrue(!flags.containsKey("with_act") && !flags.containsKey("with_postsum_act")
                        && ops.get("Activation") == 19, what);
                case "fc" -> assertTrue(ops.get("FullyConnected") == 1 && ops.getOrDefault("_sg_mkldnn_fully_connected", 0) == 0
                        && flags.get("with_bn") == 21, what);
                case "fcAct" -> assertTrue(ops.get("_sg_mkldnn_fully_connected") == 1 && !flags.containsKey("with_eltwise"), what);
                case "steps" -> assertTrue(ops.get("_sg_mkldnn_conv") == 21 && ops.get("BatchNorm") == 21 && flags.isEmpty(), what);
                case "none" -> assertEquals(SymbolJson.toJson(f), SymbolJson.toJson(s));
                default -> throw new AssertionError(v.getKey());
            }
            float[] got = FusionTestSupport.run(f, m.allParams(), shape, x);
            assertTrue(FusionTestSupport.maxRelError(got, want, 10) <= 1e-4, v.getKey());
        }
        // Identity removal (Dropout) can be switched off too.
        Symbol mlp = Model.load(TestFiles.prefix("fmnist_mlp")).symbol();
        assertFalse(opCounts(FusionPass.fuse(mlp, all)).containsKey("Dropout"));
        assertEquals(opCounts(FusionPass.fuse(mlp, all.withIdentity(false))).get("Dropout"), 1);
        assertEquals(opCounts(FusionPass.fuse(mlp, all.withFcAct(false))).get("Activation"), 2);
    }

    private static Map<String, Integer> opCounts(Symbol s) {
        Map<String, Integer> out = new TreeMap<>();
        for (Node n : s.nodes()) {
            if (!n.isVariable()) out.merge(n.op(), 1, Integer::sum);
            if (n.op().startsWith("_sg_")) {
                for (Node m : n.subgraphs().get(0).nodes()) if (!m.isVariable()) out.merge("inner:" + m.op(), 1, Integer::sum);
            }
        }
        return out;
    }

    private static Map<String, Integer> flagCounts(Symbol s) {
        Map<String, Integer> out = new TreeMap<>();
        for (Node n : s.nodes()) {
            if (n.op().startsWith("_sg_")) for (String k : n.attrs().keySet()) out.merge(k, 1, Integer::sum);
        }
        return out;
    }

    @Test
    public void environmentVariablesUseOurAndMxnetNames() {
        assertEquals(FusionOptions.fromEnvironment(Map.of()), FusionOptions.defaults());
        assertFalse(FusionOptions.fromEnvironment(Map.of("QUANTIZE4J_DISABLE_FUSE_CONV_BN", "1")).convBn());
        assertFalse(FusionOptions.fromEnvironment(Map.of("MXNET_DISABLE_MKLDNN_FUSE_CONV_BN", "1")).convBn());
        assertFalse(FusionOptions.fromEnvironment(Map.of("MXNET_DISABLE_ONEDNN_FUSE_CONV_BN", "true")).convBn());
        assertFalse(FusionOptions.fromEnvironment(Map.of("QUANTIZE4J_DISABLE_FUSE_CONV_SUM", "yes")).convSum());
        assertFalse(FusionOptions.fromEnvironment(Map.of("MXNET_DISABLE_MKLDNN_FUSE_CONV_SUM", "1")).convSum());
        assertFalse(FusionOptions.fromEnvironment(Map.of("QUANTIZE4J_DISABLE_FUSE_CONV_ACT", "1")).convAct());
        assertFalse(FusionOptions.fromEnvironment(Map.of("MXNET_DISABLE_MKLDNN_FUSE_CONV_RELU", "1")).convAct());
        assertFalse(FusionOptions.fromEnvironment(Map.of("QUANTIZE4J_DISABLE_FUSE_FC_ACT", "1")).fcAct());
        assertFalse(FusionOptions.fromEnvironment(Map.of("MXNET_DISABLE_ONEDNN_FUSE_FC_ELTWISE", "1")).fcAct());
        assertFalse(FusionOptions.fromEnvironment(Map.of("MXNET_DISABLE_MKLDNN_CONV_OPT", "1")).conv());
        assertFalse(FusionOptions.fromEnvironment(Map.of("QUANTIZE4J_DISABLE_FUSE_FC", "1")).fc());
        assertFalse(FusionOptions.fromEnvironment(Map.of("MXNET_DISABLE_ONEDNN_FC_OPT", "1")).fc());
        assertFalse(FusionOptions.fromEnvironment(Map.of("QUANTIZE4J_DISABLE_FUSE_IDENTITY", "1")).identity());
        // "0" / "false" do not disable.
        assertEquals(FusionOptions.fromEnvironment(Map.of("QUANTIZE4J_DISABLE_FUSE_CONV_BN", "0",
                "MXNET_DISABLE_MKLDNN_FUSE_CONV_SUM", "false")), FusionOptions.defaults());
        FusionOptions one = FusionOptions.fromEnvironment(Map.of("MXNET_DISABLE_MKLDNN_FUSE_CONV_SUM", "1"));
        assertTrue(one.conv() && one.convBn() && one.convAct() && one.fc() && one.fcAct() && !one.convSum());
    }

    @Test
    public void fusedNamesAreReported() {
        Symbol s = SymbolJson.read(TestFiles.testModel("zoo/resnet18_v1-symbol.json"));
        FusionResult r = FusionPass.run(s, FusionOptions.defaults());
        assertEquals(r.fusedNameOf().get("resnetv10_conv0_fwd"), "sg_mkldnn_conv_bn_act_0");
        assertEquals(r.fusedNameOf().get("resnetv10_stage2__plus0"), "sg_mkldnn_conv_bn_add_act_5");
        assertEquals(r.fusedNameOf().get("resnetv10_dense0_fwd"), "sg_mkldnn_fully_connected_0");
        assertNull(r.fusedNameOf().get("resnetv10_pool0_fwd"));
    }
}
