package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.NoSuchElementException;
import org.quantize4j.data.DataBatch;
import org.testng.annotations.Test;

public class RandomCalibDataTest {
    @Test
    public void batchesOfTheShapeWithAPaddedLastOne() {
        try (RandomCalibData it = new RandomCalibData(new long[] {4, 2, 3, 3}, 10, 7)) {
            assertEquals(it.batchSize(), 4);
            assertEquals(it.size(), 10);
            int[] counts = new int[3];
            for (int b = 0; b < 3; b++) {
                assertTrue(it.hasNext());
                DataBatch batch = it.next();
                assertEquals(batch.data().shape(), new long[] {4, 2, 3, 3});
                assertNull(batch.labels());
                counts[b] = batch.count();
                if (b == 2) {
                    float[] v = batch.data().toFloatArray();
                    for (int i = 2 * 18; i < v.length; i++) assertEquals(v[i], 0f, "padding rows are zero");
                }
            }
            assertEquals(counts, new int[] {4, 4, 2});
            assertFalse(it.hasNext());
            expectThrows(NoSuchElementException.class, it::next);
        }
    }

    @Test
    public void sameSeedSameNumbersAfterResetDifferentSeedOthers() {
        RandomCalibData a = new RandomCalibData(new long[] {2, 1, 4, 4}, 4, 1);
        float[] first = a.next().data().toFloatArray();
        a.reset();
        assertEquals(a.next().data().toFloatArray(), first);
        assertEquals(new RandomCalibData(new long[] {2, 1, 4, 4}, 4, 1).next().data().toFloatArray(), first);
        float[] other = new RandomCalibData(new long[] {2, 1, 4, 4}, 4, 2).next().data().toFloatArray();
        assertFalse(java.util.Arrays.equals(other, first));
    }

    @Test
    public void standardNormalValues() {
        // 20000 samples: mean within 5 standard errors of 0, variance near 1, all finite.
        RandomCalibData it = new RandomCalibData(new long[] {100, 1, 10, 20}, 100, 3);
        float[] v = it.next().data().toFloatArray();
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            assertTrue(Float.isFinite(x));
            sum += x;
            sq += x * (double) x;
        }
        double mean = sum / v.length;
        double var = sq / v.length - mean * mean;
        assertEquals(mean, 0, 5 / Math.sqrt(v.length));
        assertEquals(var, 1, 0.05);
    }

    @Test
    public void badArguments() {
        expectThrows(IllegalArgumentException.class, () -> new RandomCalibData(new long[] {0, 3}, 4, 0));
        expectThrows(IllegalArgumentException.class, () -> new RandomCalibData(new long[] {2, 3}, 0, 0));
    }
}
