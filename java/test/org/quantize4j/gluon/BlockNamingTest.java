package org.quantize4j.gluon;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertSame;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.Dropout;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.gluon.nn.LeakyReLU;
import org.quantize4j.gluon.nn.MaxPool2D;
import org.testng.annotations.Test;

/**
 * Gluon 1.x naming rules (NameManager / _BlockScope), checked against names MXNet 1.9.1 produces for the same
 * constructions (as documented by Gluon and visible in the fixture files).
 */
public class BlockNamingTest {
    @Test
    public void topLevelBlocksCountPerHintPerNameManager() {
        try (NameScope s = NameManager.fresh()) {
            assertEquals(new Dense(1).prefix(), "dense0_");
            assertEquals(new Dense(1).prefix(), "dense1_");
            assertEquals(new Conv2D(1, 1).prefix(), "conv0_");
            assertEquals(new Activation("relu").prefix(), "relu0_");
            assertEquals(new MaxPool2D().prefix(), "pool0_");
            assertEquals(new HybridSequential().prefix(), "hybridsequential0_");
            assertEquals(new LeakyReLU(0.1).prefix(), "leakyrelu0_");
            try (NameScope inner = NameManager.fresh()) {
                assertEquals(new Dense(1).prefix(), "dense0_", "a fresh manager restarts counting");
            }
            assertEquals(new Dense(1).prefix(), "dense2_", "the outer manager is restored");
            assertEquals(Dense.builder(1).prefix("").build().prefix(), "", "explicit empty prefix");
        }
    }

    @Test
    public void childrenInsideNameScopeGetParentPrefixAndOwnCounters() {
        try (NameScope s = NameManager.fresh()) {
            HybridSequential net = new HybridSequential();
            try (NameScope ns = net.nameScope()) {
                net.add(new Conv2D(8, 3), new BatchNorm(), new Activation("relu"), new Conv2D(8, 3), new Dense(4));
            }
            assertEquals(net.prefix(), "hybridsequential0_");
            assertEquals(net.get(0).prefix(), "hybridsequential0_conv0_");
            assertEquals(net.get(3).prefix(), "hybridsequential0_conv1_");
            assertEquals(net.collectParams().keys(), List.of(
                    "hybridsequential0_conv0_weight", "hybridsequential0_conv0_bias",
                    "hybridsequential0_batchnorm0_gamma", "hybridsequential0_batchnorm0_beta",
                    "hybridsequential0_batchnorm0_running_mean", "hybridsequential0_batchnorm0_running_var",
                    "hybridsequential0_conv1_weight", "hybridsequential0_conv1_bias",
                    "hybridsequential0_dense0_weight", "hybridsequential0_dense0_bias"));
            // Blocks created outside the scope are named globally, as in Gluon (a common Gluon pitfall).
            HybridSequential loose = new HybridSequential();
            loose.add(new Conv2D(8, 3));
            assertEquals(loose.get(0).prefix(), "conv0_");
        }
    }

    /** A block with the empty prefix; its unnamed ops are counted in the enclosing scope. */
    static final class Plus extends Block {
        private final Conv2D conv;

        Plus() {
            super("");
            conv = register("conv", new Conv2D(4, 1));
        }

        @Override
        public Sym hybridForward(Sym x) {
            return F.activation(conv.call(x).plus(x), "relu");
        }
    }

    @Test
    public void emptyPrefixBlocksShareTheEnclosingScope() {
        try (NameScope s = NameManager.fresh()) {
            HybridSequential stage = new HybridSequential("stage1_");
            try (NameScope ns = stage.nameScope()) {
                stage.add(new Plus(), new Plus());
            }
            assertEquals(stage.get(0).prefix(), "stage1_");
            assertEquals(stage.get(1).prefix(), "stage1_");
            Symbol sym = stage.hybridize();
            List<String> ops = sym.nodes().stream().filter(n -> !n.isVariable()).map(Node::name).toList();
            assertEquals(ops, List.of("stage1_conv0_fwd", "stage1__plus0", "stage1_activation0",
                    "stage1_conv1_fwd", "stage1__plus1", "stage1_activation1"));
            // Built again: the same names (counters restart with each build, as each forward's Prefix scope).
            assertEquals(stage.toSymbol(List.of("data")).nodes().stream().filter(n -> !n.isVariable()).map(Node::name).toList(), ops);
        }
    }

    @Test
    public void blockOpsAndVariablesCarryGluonAttributes() {
        try (NameScope s = NameManager.fresh()) {
            HybridSequential net = new HybridSequential("net_");
            try (NameScope ns = net.nameScope()) {
                net.add(Conv2D.builder(8, 3).activation("relu").build(), new BatchNorm(), new Flatten(),
                        Dense.builder(4).useBias(false).inUnits(10).build(), new Dropout(0.25), new LeakyReLU(0.1));
            }
            Symbol sym = net.hybridize();
            assertNotNull(sym.find("net_conv0_relu_fwd"), "the activation of a conv is its child relu_");
            assertNotNull(sym.find("net_flatten0_flatten0"));
            Node fc = sym.require("net_dense0_fwd");
            assertEquals(fc.attrs().toString(), "{flatten=True, no_bias=True, num_hidden=4}");
            assertEquals(fc.inputs().size(), 2, "no bias input");
            assertEquals(sym.require("net_dense0_weight").attrs().toString(),
                    "{__dtype__=0, __lr_mult__=1.0, __shape__=(4, 10), __storage_type__=0, __wd_mult__=1.0}");
            assertEquals(sym.require("net_conv0_bias").attr("__init__"), "zeros");
            assertEquals(sym.require("net_dropout0_fwd").attrs().toString(), "{axes=(), cudnn_off=False, p=0.25}");
            assertEquals(sym.require("net_dropout0_fwd").numOutputs(), 2);
            assertEquals(sym.require("net_leakyrelu0_fwd").attrs().toString(), "{act_type=leaky, slope=0.1}");
            Node bn = sym.require("net_batchnorm0_fwd");
            assertEquals(bn.numOutputs(), 3);
            assertEquals(bn.input(1).version(), 0, "gamma is read");
            assertEquals(bn.input(3).version(), 1, "running mean is mutated: version 1");
            assertEquals(bn.input(4).version(), 1, "running var is mutated: version 1");
            assertEquals(sym.listAuxiliaryStates(), List.of("net_batchnorm0_running_mean", "net_batchnorm0_running_var"));
        }
    }

    @Test
    public void sharedParametersAppearOnce() {
        try (NameScope s = NameManager.fresh()) {
            Dense a = Dense.builder(4).inUnits(4).build();
            Dense b = Dense.builder(4).inUnits(4).params(a.params()).build();
            assertSame(b.weight(), a.weight());
            HybridSequential net = new HybridSequential("");
            net.add(a, b);
            assertEquals(net.collectParams().keys(), List.of("dense0_weight", "dense0_bias"));
            Symbol sym = net.hybridize();
            assertEquals(sym.listArguments(), List.of("data", "dense0_weight", "dense0_bias"));
            assertTrue(sym.find("dense1_fwd") != null);
        }
    }

    @Test
    public void saveAndLoadParametersUseStructuralNames() throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("gluon", ".params");
        try (NameScope s = NameManager.fresh()) {
            HybridSequential a = new HybridSequential();
            try (NameScope ns = a.nameScope()) {
                a.add(Dense.builder(3).inUnits(4).build(), Dense.builder(2).inUnits(3).build());
            }
            a.initialize(new org.quantize4j.gluon.init.Xavier(), 9);
            a.saveParameters(f);
            assertEquals(List.copyOf(org.quantize4j.ndarray.ParamsFile.load(f).keySet()),
                    List.of("0.weight", "0.bias", "1.weight", "1.bias"));
            HybridSequential b = new HybridSequential();
            try (NameScope ns = b.nameScope()) {
                b.add(Dense.builder(3).inUnits(4).build(), Dense.builder(2).inUnits(3).build());
            }
            assertEquals(b.prefix(), "hybridsequential1_");
            b.loadParameters(f);
            assertEquals(b.collectParams().require("hybridsequential1_dense0_weight").data().toFloatArray(),
                    a.collectParams().require("hybridsequential0_dense0_weight").data().toFloatArray());
            // Legacy files (full names without the block prefix), as collect_params().save(f, prefix) writes.
            a.collectParams().save(f, a.prefix());
            assertEquals(List.copyOf(org.quantize4j.ndarray.ParamsFile.load(f).keySet()),
                    List.of("dense0_weight", "dense0_bias", "dense1_weight", "dense1_bias"));
            b.loadParameters(f);
            assertEquals(b.collectParams().require("hybridsequential1_dense1_bias").data().toFloatArray(),
                    a.collectParams().require("hybridsequential0_dense1_bias").data().toFloatArray());
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }
}
