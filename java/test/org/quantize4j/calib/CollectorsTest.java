package org.quantize4j.calib;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.Test;

/** MinMaxCollector and EntropyCollector on synthetic tensors. */
public class CollectorsTest {
    static NDArray arr(float... v) {
        return NDArray.ofFloats(new long[] {v.length}, v);
    }

    @Test
    public void minMaxIsGlobalOverBatchesAndIgnoresOtherTensors() {
        MinMaxCollector c = new MinMaxCollector(List.of("a"));
        c.collect("a", "Convolution", arr(1, 2, 3));
        c.collect("a", "Convolution", arr(-4, 0.5f));
        c.collect("b", "Convolution", arr(100));
        assertFalse(c.wants("b"));
        assertEquals(c.postCollect(), Map.of("a", new TensorRange(-4, 3)));
    }

    @Test
    public void minMaxRejectsNonFiniteValuesNamingTheTensor() {
        MinMaxCollector c = new MinMaxCollector(null);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> c.collect("conv3_output", "Convolution", arr(1, Float.NEGATIVE_INFINITY)));
        assertTrue(e.getMessage().contains("conv3_output"), e.getMessage());
    }

    @Test
    public void entropyRangeIsSymmetricOrFromZero() {
        Random rnd = new Random(7);
        float[] signed = new float[20000];
        float[] positive = new float[20000];
        for (int i = 0; i < signed.length; i++) {
            signed[i] = (float) rnd.nextGaussian();
            positive[i] = Math.abs(signed[i]);
        }
        for (QuantizedDtype d : QuantizedDtype.values()) {
            EntropyCollector c = new EntropyCollector(null, d);
            c.collect("s", "Convolution", arr(signed));
            c.collect("p", "Activation", arr(positive));
            Map<String, TensorRange> r = c.postCollect();
            TensorRange s = r.get("s");
            assertEquals(s.min(), -s.max(), d.toString());
            assertTrue(s.max() > 0 && s.max() <= c.histograms().get("s").th() * 1.0001, s + " " + d);
            TensorRange p = r.get("p");
            assertEquals(p.min(), d == QuantizedDtype.INT8 ? -p.max() : 0f, d + " " + p);
            KlThreshold kl = KlThreshold.optimal(c.histograms().get("p"), d.mxnetName());
            assertEquals(p.max(), kl.threshold());
        }
    }

    @Test
    public void entropyOfAnAllZeroTensorIsAZeroRange() {
        EntropyCollector c = new EntropyCollector(null, QuantizedDtype.AUTO);
        c.collect("z", "Activation", arr(0, 0, 0, 0));
        assertEquals(c.postCollect().get("z"), new TensorRange(0, 0));
    }

    @Test
    public void entropyRejectsNonFiniteValuesNamingTheTensor() {
        EntropyCollector c = new EntropyCollector(null, QuantizedDtype.INT8);
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> c.collect("fc1_output", "FullyConnected", arr(1, Float.NaN)));
        assertTrue(e.getMessage().contains("fc1_output"), e.getMessage());
    }
}
