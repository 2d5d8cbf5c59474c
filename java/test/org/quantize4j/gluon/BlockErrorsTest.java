package org.quantize4j.gluon;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import org.quantize4j.gluon.init.Xavier;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.Test;

/** Networks that cannot run on the given data fail with messages naming the block at fault. */
public class BlockErrorsTest {
    private static NDArray zeros(long... shape) {
        return NDArray.zeros(shape, DType.FLOAT32);
    }

    /** A sequential "net_" whose children are created inside its scope (so they are named net_...). */
    private static HybridSequential net(java.util.function.Supplier<org.quantize4j.gluon.Block[]> children) {
        HybridSequential net = new HybridSequential("net_");
        try (NameScope s = net.nameScope()) {
            net.add(children.get());
        }
        return net;
    }

    @Test
    public void denseWithWrongInputSizeNamesTheDense() {
        HybridSequential net = new HybridSequential("net_");
        try (NameScope s = net.nameScope()) {
            net.add(new Conv2D(4, 3), new Flatten(), Dense.builder(10).inUnits(32).build());
        }
        net.initialize(new Xavier(), 1);
        BlockShapeException e = shapeError(() -> net.forward(zeros(2, 1, 8, 8)));
        assertTrue(e.getMessage().contains("Dense 'net_dense0_'"), e.getMessage());
        assertTrue(e.getMessage().contains("(at 2)"), e.getMessage());
        assertTrue(e.getMessage().contains("data=(2, 1, 8, 8)"), e.getMessage());
    }

    @Test
    public void kernelLargerThanInputNamesTheConvolution() {
        HybridSequential net = new HybridSequential("net_");
        try (NameScope s = net.nameScope()) {
            net.add(new Conv2D(4, 3), new Activation("relu"), new Conv2D(4, 7));
        }
        net.initialize(new Xavier(), 1);
        BlockShapeException e = shapeError(() -> net.forward(zeros(1, 1, 6, 6)));
        assertTrue(e.getMessage().contains("Conv2D 'net_conv1_'"), e.getMessage());
    }

    @Test
    public void declaredInChannelsThatDoNotFitNameTheBlock() {
        HybridSequential net = new HybridSequential("net_");
        try (NameScope s = net.nameScope()) {
            net.add(Conv2D.builder(4, 3).inChannels(3).build());
        }
        net.initialize(new Xavier(), 1);
        BlockShapeException e = shapeError(() -> net.forward(zeros(1, 1, 6, 6)));
        assertTrue(e.getMessage().contains("net_conv0_"), e.getMessage());
    }

    /** A block whose parameter no operator uses: its shape cannot be inferred. */
    static final class Unused extends org.quantize4j.gluon.Block {
        final Parameter scale;

        Unused() {
            super("unused_");
            scale = param("scale", new long[] {0}, null);
        }

        @Override
        public Sym hybridForward(Sym x) {
            return x;
        }
    }

    @Test
    public void parameterWhoseShapeCannotBeInferredNamesItsBlock() {
        HybridSequential net = new HybridSequential("net_");
        Unused u = new Unused();
        net.add(new Flatten(), u);
        net.initialize(new Xavier(), 1);
        BlockShapeException e = shapeError(() -> net.forward(zeros(1, 1, 2, 2)));
        assertTrue(e.getMessage().contains("unused_scale"), e.getMessage());
        assertTrue(e.getMessage().contains("Unused 'unused_'"), e.getMessage());
        assertTrue(e.getMessage().contains("cannot be inferred"), e.getMessage());
    }

    @Test
    public void uninitializedParametersSayWhatToDo() {
        HybridSequential net = net(() -> new org.quantize4j.gluon.Block[] {new Dense(3)});
        IllegalStateException e = org.testng.Assert.expectThrows(IllegalStateException.class, () -> net.forward(zeros(1, 4)));
        assertTrue(e.getMessage().contains("net_dense0_weight") && e.getMessage().contains("initialize"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> net.export(System.getProperty("java.io.tmpdir") + "/x", 0));
    }

    @Test
    public void blockWithoutForwardIsNamed() {
        org.quantize4j.gluon.Block b = new org.quantize4j.gluon.Block("empty_") {
        };
        UnsupportedOperationException e = org.testng.Assert.expectThrows(UnsupportedOperationException.class, b::hybridize);
        assertTrue(e.getMessage().contains("'empty_'"), e.getMessage());
    }

    @Test
    public void loadingWrongShapesNamesFileAndParameter() {
        Dense d = Dense.builder(3).inUnits(4).prefix("d_").build();
        var values = java.util.Map.of("arg:d_weight", zeros(3, 5), "arg:d_bias", zeros(3));
        IllegalArgumentException e = org.testng.Assert.expectThrows(IllegalArgumentException.class,
                () -> d.collectParams().load(values, "f.params", false, false, n -> n));
        assertTrue(e.getMessage().contains("d_weight") && e.getMessage().contains("f.params"), e.getMessage());
        IllegalArgumentException missing = org.testng.Assert.expectThrows(IllegalArgumentException.class,
                () -> d.collectParams().load(java.util.Map.of("arg:d_weight", zeros(3, 4)), "f.params", false, false, n -> n));
        assertTrue(missing.getMessage().contains("d_bias"), missing.getMessage());
    }

    @Test
    public void deferredShapesAreInferredFromData() {
        HybridSequential net = net(() -> new org.quantize4j.gluon.Block[] {new Conv2D(4, 3), new Flatten(), new Dense(2)});
        net.initialize(new Xavier(), 3);
        Parameter w = net.collectParams().require("net_conv0_weight");
        assertTrue(w.isDeferred());
        assertEquals(w.declaredShape(), new long[] {4, 0, 3, 3});
        NDArray y = net.forward(zeros(5, 3, 6, 6));
        assertEquals(y.shape(), new long[] {5, 2});
        assertEquals(w.shape(), new long[] {4, 3, 3, 3});
        assertEquals(net.collectParams().require("net_dense0_weight").shape(), new long[] {2, 64});
        // The symbol keeps the declared shapes, as MXNet's export does.
        assertEquals(net.hybridize().require("net_conv0_weight").attr("__shape__"), "(4, 0, 3, 3)");
        net.close();
    }

    private static BlockShapeException shapeError(org.testng.Assert.ThrowingRunnable r) {
        return org.testng.Assert.expectThrows(BlockShapeException.class, r);
    }
}
