package org.quantize4j.gluon;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import org.quantize4j.gluon.init.Constant;
import org.quantize4j.gluon.init.Initializer;
import org.quantize4j.gluon.init.Normal;
import org.quantize4j.gluon.init.One;
import org.quantize4j.gluon.init.Uniform;
import org.quantize4j.gluon.init.Xavier;
import org.quantize4j.gluon.init.Zero;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.Test;

/** Initializer descriptions as MXNet writes them, value statistics, determinism; Python value formatting. */
public class InitializerTest {
    @Test
    public void dumpsAsMxnet() {
        // The exact string in test-models/zoo/vgg16-symbol.json.
        assertEquals(new Xavier("gaussian", "out", 2).dumps(),
                "[\"xavier\", {\"rnd_type\": \"gaussian\", \"factor_type\": \"out\", \"magnitude\": 2}]");
        assertEquals(new Xavier().dumps(), "[\"xavier\", {\"rnd_type\": \"uniform\", \"factor_type\": \"avg\", \"magnitude\": 3}]");
        assertEquals(new Normal().dumps(), "[\"normal\", {\"sigma\": 0.01}]");
        assertEquals(new Uniform().dumps(), "[\"uniform\", {\"scale\": 0.07}]");
        assertEquals(new Zero().dumps(), "[\"zero\", {}]");
        assertEquals(new One().dumps(), "[\"one\", {}]");
        assertEquals(new Constant(0.5).dumps(), "[\"constant\", {\"value\": 0.5}]");
        assertEquals(Initializer.create("zeros").dumps(), "zeros");
        assertEquals(Initializer.create("normal").dumps(), "normal");
        Initializer parsed = Initializer.create(new Xavier("gaussian", "in", 2.5).dumps());
        assertTrue(parsed instanceof Xavier);
        assertEquals(parsed.dumps(), new Xavier("gaussian", "in", 2.5).dumps());
        assertThrows(IllegalArgumentException.class, () -> Initializer.create("nonsense"));
        assertThrows(IllegalArgumentException.class, () -> Initializer.create("[\"xavier\""));
    }

    private static float[] fill(Initializer init, long[] shape, long seed) {
        NDArray a = NDArray.zeros(shape, DType.FLOAT32);
        init.initialize("w", a, seed);
        return a.toFloatArray();
    }

    @Test
    public void xavierScaleFollowsFans() {
        long[] shape = {64, 32, 3, 3};
        double fanIn = 32 * 9;
        double fanOut = 64 * 9;
        float[] u = fill(new Xavier(), shape, 1);
        double bound = Math.sqrt(3 / ((fanIn + fanOut) / 2));
        double max = 0;
        for (float v : u) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound && max > 0.95 * bound, "uniform bound " + bound + ", max " + max);
        float[] g = fill(new Xavier("gaussian", "out", 2), shape, 1);
        assertEquals(std(g), Math.sqrt(2 / fanOut), 0.03 * Math.sqrt(2 / fanOut));
        assertEquals(std(fill(new Normal(0.5), new long[] {100, 100}, 2)), 0.5, 0.01);
        assertThrows(IllegalArgumentException.class, () -> fill(new Xavier(), new long[] {10}, 1));
    }

    @Test
    public void constantsAndDeterminism() {
        for (float v : fill(new Constant(0.25), new long[] {7}, 0)) assertEquals(v, 0.25f);
        for (float v : fill(new One(), new long[] {7}, 0)) assertEquals(v, 1f);
        assertEquals(fill(new Uniform(), new long[] {50}, 3), fill(new Uniform(), new long[] {50}, 3));
        assertNotEquals(fill(new Uniform(), new long[] {50}, 3), fill(new Uniform(), new long[] {50}, 4));
    }

    private static double std(float[] v) {
        double s = 0;
        double s2 = 0;
        for (float x : v) {
            s += x;
            s2 += x * (double) x;
        }
        double m = s / v.length;
        return Math.sqrt(s2 / v.length - m * m);
    }

    /** Expected strings are Python 3's str()/repr() of the same values. */
    @Test
    public void pythonFormatting() {
        assertEquals(PyFormat.floatRepr(1e-5), "1e-05");
        assertEquals(PyFormat.floatRepr(0.001), "0.001");
        assertEquals(PyFormat.floatRepr(0.0001), "0.0001");
        assertEquals(PyFormat.floatRepr(0.9), "0.9");
        assertEquals(PyFormat.floatRepr(1.0), "1.0");
        assertEquals(PyFormat.floatRepr(2.5e-7), "2.5e-07");
        assertEquals(PyFormat.floatRepr(1e16), "1e+16");
        assertEquals(PyFormat.floatRepr(123456789012345678.0), "1.2345678901234568e+17");
        assertEquals(PyFormat.floatRepr(1234.5), "1234.5");
        assertEquals(PyFormat.floatRepr(-0.07), "-0.07");
        assertEquals(PyFormat.str(new int[] {3, 3}), "(3, 3)");
        assertEquals(PyFormat.str(new long[] {0}), "(0,)");
        assertEquals(PyFormat.str(new int[0]), "()");
        assertEquals(PyFormat.str(true), "True");
        assertEquals(PyFormat.str(6), "6");
    }
}
