package org.quantize4j.calib;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;
import org.testng.annotations.Test;

/** Properties of Histogram against an independent plain-Java reference (edge-based bin lookup). */
public class HistogramTest {

    /** numpy's documented rule on the float32 edges: bin k holds edges[k] <= x < edges[k+1], the last bin also x == last. */
    private static long[] referenceCounts(float[] data, float[] edges) {
        int n = edges.length - 1;
        long[] counts = new long[n];
        for (float x : data) {
            if (x < edges[0] || x > edges[n]) {
                continue;
            }
            int k = Arrays.binarySearch(edges, x);
            int bin = k >= 0 ? k : -k - 2;
            // several equal edges cannot happen here; x == edges[n] belongs to the last bin
            counts[Math.min(bin, n - 1)]++;
        }
        return counts;
    }

    private static float[] gaussian(long seed, int n, float scale, float shift) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian() * scale + shift;
        }
        return a;
    }

    @Test
    public void firstBatchCountsEveryValueInTheRightBin() {
        float[] data = gaussian(1, 200_000, 1.7f, 0.2f); // large enough for the multi-threaded path
        Histogram h = Histogram.ofFirstBatch(CalibConformance.direct(data), 8001);
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float x : data) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        assertEquals(h.min(), min);
        assertEquals(h.max(), max);
        assertEquals(h.th(), (double) Math.max(Math.abs(min), Math.abs(max)));
        assertEquals(h.totalCount(), data.length);
        assertEquals(h.edge(0), -(float) h.th());
        assertEquals(h.edge(8001), (float) h.th());
        assertEquals(h.counts(), referenceCounts(data, h.edges()));
    }

    @Test
    public void valuesOnEdgesFollowNumpy() {
        // every value an exact edge: each lands in the bin the edge opens; the top edge in the last bin
        Histogram probe = Histogram.ofFirstBatch(CalibConformance.direct(new float[] {-3f, 3f}), 11);
        float[] edges = probe.edges();
        Histogram h = Histogram.ofFirstBatch(CalibConformance.direct(edges), 11);
        long[] want = new long[11];
        Arrays.fill(want, 1);
        want[10] = 2;
        assertEquals(h.counts(), want);
    }

    @Test
    public void combineWithinRangeAddsOnOldEdges() {
        float[] a = gaussian(2, 5000, 2f, 0f);
        float[] b = gaussian(3, 5000, 0.5f, 0f);
        Histogram h1 = Histogram.ofFirstBatch(CalibConformance.direct(a), 1001);
        Histogram h2 = h1.combine(CalibConformance.direct(b));
        assertEquals(h2.numBins(), 1001);
        assertEquals(h2.edges(), h1.edges());
        assertEquals(h2.th(), h1.th());
        assertEquals(h2.totalCount(), 10_000);
        long[] ref = referenceCounts(b, h1.edges());
        for (int i = 0; i < ref.length; i++) {
            assertEquals(h2.count(i), h1.count(i) + ref[i], "bin " + i);
        }
    }

    @Test
    public void combineBeyondRangeGrowsSymmetricallyKeepingBinWidth() {
        float[] a = gaussian(4, 3000, 1f, 0f);
        float[] b = gaussian(5, 3000, 5f, 1f);
        Histogram h1 = Histogram.ofFirstBatch(CalibConformance.direct(a), 101);
        Histogram h2 = h1.combine(CalibConformance.direct(b));
        int half = (h2.numBins() - 101) / 2;
        assertTrue(half > 0);
        assertEquals(h2.numBins(), 101 + 2 * half);
        double step = 2 * h1.th() / 101;
        assertEquals(h2.th(), h1.th() + half * step, 1e-12);
        float bMax = 0;
        for (float x : b) {
            bMax = Math.max(bMax, Math.abs(x));
        }
        assertTrue(h2.th() >= bMax, "new range covers the batch");
        assertTrue(h2.th() - step < bMax, "by the fewest whole bins");
        assertEquals(h2.totalCount(), 6000); // nothing dropped: both batches inside the grown range
        long[] fresh = referenceCounts(b, h2.edges());
        for (int i = 0; i < h2.numBins(); i++) {
            long old = i >= half && i < half + 101 ? h1.count(i - half) : 0;
            assertEquals(h2.count(i), fresh[i] + old, "bin " + i);
        }
        assertTrue(!h2.thIsFloat32());
    }

    @Test
    public void staticCombineDropsValuesOutsideTheGivenRange() {
        Histogram h = Histogram.ofFirstBatch(CalibConformance.direct(new float[] {-1f, 1f}), 5);
        // claim th = 0.5 for a batch reaching 2: no growth, so 2 and -1.5 fall outside [-1, 1] and are dropped
        Histogram c = Histogram.combineHistogram(h, CalibConformance.direct(new float[] {0f, 2f, -1.5f}), -1.5f, 2f, 0.5f);
        assertEquals(c.totalCount(), 3);
        assertEquals(c.min(), -1.5f);
        assertEquals(c.max(), 2f);
    }

    @Test
    public void allZeroBatches() {
        float[] zeros = new float[100];
        Histogram h = Histogram.ofFirstBatch(CalibConformance.direct(zeros), 8001);
        // numpy expands the empty range (-0, 0) to (-0.5, 0.5); MXNet keeps th = 0
        assertEquals(h.th(), 0.0);
        assertEquals(h.edge(0), -0.5f);
        assertEquals(h.edge(8001), 0.5f);
        assertEquals(h.count(4000), 100);
        assertEquals(h.totalCount(), 100);
        Histogram h2 = h.combine(CalibConformance.direct(zeros));
        assertEquals(h2.count(4000), 200);
        // MXNet fails here (division by the zero bin width); we rebase on the new batch and keep the zeros
        Histogram h3 = h2.combine(CalibConformance.direct(new float[] {-2f, 0.5f, 1f}));
        assertEquals(h3.numBins(), 8001);
        assertEquals(h3.th(), 2.0);
        assertEquals(h3.totalCount(), 203);
        assertEquals(h3.count(4000), 200);
        assertEquals(h3.min(), -2f);
        assertEquals(h3.max(), 1f);
    }

    @Test
    public void nonFiniteValuesAreRejectedWithTheirCount() {
        float[] a = {1f, Float.NaN, 2f, Float.POSITIVE_INFINITY, Float.NaN};
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> Histogram.ofFirstBatch(CalibConformance.direct(a), 11));
        assertTrue(e.getMessage().contains("3 of 5"), e.getMessage());
        Histogram h = Histogram.ofFirstBatch(CalibConformance.direct(new float[] {1f}), 11);
        e = expectThrows(IllegalArgumentException.class,
                () -> h.combine(CalibConformance.direct(new float[] {Float.NEGATIVE_INFINITY, 0f})));
        assertTrue(e.getMessage().contains("1 of 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Histogram.ofFirstBatch(CalibConformance.direct(new float[0]), 11));
        assertThrows(IllegalArgumentException.class, () -> Histogram.ofFirstBatch(CalibConformance.direct(new float[] {1f}), 0));
    }

    @Test
    public void heapAndOffsetBuffersGiveTheSameHistogramAndAreNotConsumed() {
        float[] data = gaussian(6, 1000, 1f, 0f);
        Histogram direct = Histogram.ofFirstBatch(CalibConformance.direct(data), 301);
        FloatBuffer heap = FloatBuffer.wrap(data);
        assertEquals(Histogram.ofFirstBatch(heap, 301), direct);
        assertEquals(heap.position(), 0);
        float[] padded = new float[data.length + 10];
        System.arraycopy(data, 0, padded, 7, data.length);
        FloatBuffer offset = CalibConformance.direct(padded);
        offset.position(7).limit(7 + data.length);
        assertEquals(Histogram.ofFirstBatch(offset, 301), direct);
        assertEquals(offset.position(), 7);
        assertEquals(offset.get(7), data[0]); // still readable after the native pointer was released
    }

    @Test
    public void pythonFloorDivision() {
        // values Python prints for a // b
        assertEquals(Histogram.pythonFloorDiv(7.0, 2.0), 3.0);
        assertEquals(Histogram.pythonFloorDiv(-7.0, 2.0), -4.0);
        assertEquals(Histogram.pythonFloorDiv(0.3, 0.1), 2.0); // floor(0.3 / 0.1) would be 3
        assertEquals(Histogram.pythonFloorDiv(1.0, 0.1), 9.0); // and 10 here
        assertEquals(Histogram.pythonFloorDiv(6.0, 3.0), 2.0);
    }

    @Test
    public void restoredStateIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new long[3], new float[3], 0f, 1f, 1.0, true));
        assertThrows(IllegalArgumentException.class, () -> Histogram.of(new long[3], new float[4], 0f, 1f, 0.1, true));
    }
}
