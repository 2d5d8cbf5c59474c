package org.quantize4j.ops;

import static org.quantize4j.ops.Graphs.op;
import static org.quantize4j.ops.Graphs.var;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertSame;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.Map;

import org.quantize4j.graph.Node;
import org.testng.annotations.Test;

/** Lookup by MXNet name and alias, attribute checking, MXNet defaults. */
public class OpRegistryTest {
    private final OpRegistry reg = OpRegistry.standard();

    @Test
    public void requiredOpsAndAliasesAreRegistered() {
        for (String name : new String[] {"Convolution", "BatchNorm", "Activation", "LeakyReLU", "clip", "Pooling", "FullyConnected",
            "Flatten", "flatten", "elemwise_add", "_plus", "_Plus", "_add", "broadcast_add", "broadcast_plus", "elemwise_mul", "_mul",
            "Concat", "concat", "Dropout", "SoftmaxOutput", "Softmax", "softmax", "SoftmaxActivation", "log_softmax", "Reshape",
            "reshape", "_copy", "identity", "BlockGrad", "stop_gradient", "mean"}) {
            assertNotNull(reg.find(name), name);
        }
        assertSame(reg.find("_Plus"), reg.find("elemwise_add"));
        assertSame(reg.find("concat"), reg.find("Concat"));
    }

    @Test
    public void mxnetDefaultsAreApplied() {
        BoundOp<?> conv = reg.bind(op("Convolution", "c", Map.of("kernel", "(3, 3)", "num_filter", "8"), var("d"), var("w"), var("b")));
        ConvolutionOp.Params p = (ConvolutionOp.Params) conv.params();
        assertEquals(p.stride(), new int[] {1, 1});
        assertEquals(p.pad(), new int[] {0, 0});
        assertEquals(p.dilate(), new int[] {1, 1});
        assertEquals(p.numGroup(), 1);
        assertEquals(p.noBias(), false);
        assertEquals(conv.quantizability(), Quantizability.MUST);
        BatchNormOp.Params bn = (BatchNormOp.Params) reg.bind(new Node("BatchNorm", "bn", Map.of(),
                java.util.List.of(var("x").output(0), var("g").output(0), var("b").output(0), var("m").output(0), var("v").output(0)), 3)).params();
        assertEquals(bn.eps(), 1e-3f);
        assertTrue(bn.fixGamma());
        PoolingOp.Params pool = (PoolingOp.Params) reg.bind(op("Pooling", "p", Map.of("kernel", "(2, 2)"), var("d"))).params();
        assertEquals(pool.poolType(), "max");
        assertTrue(pool.countIncludePad());
        assertTrue(!pool.full());
        assertEquals(reg.bind(op("Dropout", "d", Map.of(), var("x"))).numOutputs(), 2);
        assertEquals(reg.bind(op("Activation", "a", Map.of("act_type", "relu"), var("x"))).quantizability(), Quantizability.SUPPORT);
        assertEquals(reg.bind(op("Activation", "a", Map.of("act_type", "tanh"), var("x"))).quantizability(), Quantizability.NONE);
    }

    @Test
    public void unknownOpsAndAttributesAreErrors() {
        UnsupportedOperatorException u = expectThrows(UnsupportedOperatorException.class, () -> reg.bind(op("Deconvolution", "dc", Map.of(), var("x"))));
        assertEquals(u.opName(), "Deconvolution");
        assertEquals(u.nodeName(), "dc");
        InvalidAttributeException a = expectThrows(InvalidAttributeException.class,
                () -> reg.bind(op("FullyConnected", "fc", Map.of("num_hidden", "3", "num_hiden", "3"), var("x"), var("w"), var("b"))));
        assertEquals(a.attribute(), "num_hiden");
        InvalidAttributeException missing = expectThrows(InvalidAttributeException.class,
                () -> reg.bind(op("FullyConnected", "fc", Map.of(), var("x"), var("w"), var("b"))));
        assertEquals(missing.attribute(), "num_hidden");
        InvalidAttributeException malformed = expectThrows(InvalidAttributeException.class,
                () -> reg.bind(op("Convolution", "c", Map.of("kernel", "(3, x)", "num_filter", "2"), var("x"), var("w"), var("b"))));
        assertEquals(malformed.attribute(), "kernel");
        // graph metadata is always accepted
        reg.bind(op("Flatten", "f", Map.of("__layout__", "NC", "__shape__", "(1, 2)"), var("x")));
        // wrong number of inputs
        expectThrows(UnsupportedOperatorException.class,
                () -> reg.bind(op("Convolution", "c", Map.of("kernel", "(3, 3)", "num_filter", "2", "no_bias", "True"), var("x"), var("w"), var("b"))));
    }
}
