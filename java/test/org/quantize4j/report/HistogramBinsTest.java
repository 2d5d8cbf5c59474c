package org.quantize4j.report;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.quantize4j.calib.Histogram;
import org.testng.annotations.Test;

public class HistogramBinsTest {
    @Test
    public void alignedBinsAreSummedInPairs() {
        long[] counts = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        float[] edges = new float[11];
        for (int i = 0; i <= 10; i++) edges[i] = i;
        Histogram h = Histogram.of(counts, edges, 0f, 10f, 10, true);
        HistogramBins b = HistogramBins.of(h, 0, 10, 5);
        assertEquals(b.counts(), new long[] {3, 7, 11, 15, 19});
        assertEquals(b.total(), 55);
        assertEquals(b.binWidth(), 2.0);
    }

    @Test
    public void regroupingKeepsEveryValueAndPutsItNearItsBin() {
        Random r = new Random(3);
        int n = 20000;
        FloatBuffer data = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.max(-3, Math.min(3, r.nextGaussian()));
            data.put(i, v[i]);
        }
        Histogram h = Histogram.ofFirstBatch(data, 8001);
        HistogramBins b = HistogramBins.of(h, h.min(), h.max(), 60);
        assertEquals(b.total(), n);
        // Directly binned values: each display bin within one source bin width of the direct count's edges.
        long[] direct = new long[60];
        double w = (b.hi() - b.lo()) / 60;
        for (float x : v) direct[(int) Math.max(0, Math.min(59, Math.floor((x - b.lo()) / w)))]++;
        for (int i = 0; i < 60; i++) {
            assertEquals((double) b.count(i), (double) direct[i], Math.max(3, 0.02 * direct[i]), "bin " + i);
        }
    }

    @Test
    public void emptyRangeIsWidened() {
        Histogram h = Histogram.of(new long[] {5}, new float[] {-0.5f, 0.5f}, 0f, 0f, 0, true);
        HistogramBins b = HistogramBins.of(h, 0, 0, 4);
        assertEquals(b.lo(), -0.5);
        assertEquals(b.hi(), 0.5);
        assertEquals(b.total(), 5);
        assertThrows(IllegalArgumentException.class, () -> new HistogramBins(1, 1, new long[1]));
    }
}
