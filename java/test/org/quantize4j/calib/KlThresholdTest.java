package org.quantize4j.calib;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import java.util.Random;
import org.testng.annotations.Test;

/** KL threshold properties and a float64 plain-Java reference of MXNet's per-candidate divergence. */
public class KlThresholdTest {

    /** MXNet's candidate divergence, written independently in double precision. */
    private static double referenceDivergence(long[] hist, int nq, int i) {
        int zero = hist.length / 2;
        int start = zero - i;
        int stop = zero + i + 1;
        int len = stop - start;
        double[] p = new double[len];
        long[] sliced = new long[len];
        for (int j = 0; j < hist.length; j++) {
            if (j <= start) {
                p[0] += hist[j];                 // the slice's first bin joins the left tail (MXNet's quirk)
            } else if (j >= stop) {
                p[len - 1] += hist[j];
            } else {
                sliced[j - start] = hist[j];
                p[j - start] = hist[j];
            }
        }
        int merged = len / nq;
        double[] q = new double[len];
        for (int g = 0; g < nq; g++) {
            int s = g * merged;
            int e = g == nq - 1 ? len : (g + 1) * merged;
            long sum = 0;
            int nonZero = 0;
            for (int k = s; k < e; k++) {
                sum += sliced[k];
                nonZero += sliced[k] != 0 ? 1 : 0;
            }
            for (int k = s; k < e; k++) {
                if (nonZero > 0 && p[k] != 0) {
                    q[k] = (double) sum / nonZero;
                }
            }
        }
        if (!smooth(p) || !smooth(q)) {
            return Double.POSITIVE_INFINITY;
        }
        double ps = 0;
        double qs = 0;
        for (int k = 0; k < len; k++) {
            ps += p[k];
            qs += q[k];
        }
        double kl = 0;
        for (int k = 0; k < len; k++) {
            kl += p[k] / ps * Math.log((p[k] / ps) / (q[k] / qs));
        }
        return kl;
    }

    private static boolean smooth(double[] d) {
        int zeros = 0;
        for (double v : d) {
            zeros += v == 0 ? 1 : 0;
        }
        int nonZeros = d.length - zeros;
        if (nonZeros == 0) {
            return false;
        }
        double eps1 = 1e-4 * zeros / nonZeros;
        if (eps1 >= 1) {
            return false;
        }
        for (int k = 0; k < d.length; k++) {
            d[k] += d[k] == 0 ? 1e-4 : -eps1;
        }
        return true;
    }

    private static Histogram gaussianHistogram(long seed, int n, int bins, boolean relu) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float x = (float) r.nextGaussian();
            a[i] = relu ? Math.max(0f, x) : x;
        }
        return Histogram.ofFirstBatch(CalibConformance.direct(a), bins);
    }

    @Test
    public void candidateDivergenceMatchesDoubleReference() {
        Histogram h = gaussianHistogram(11, 50_000, 2001, false);
        long[] counts = h.counts();
        for (int i : new int[] {127, 128, 300, 555, 1000}) {
            double want = referenceDivergence(counts, 255, i);
            double got = KlThreshold.divergenceAt(counts, 255, i);
            assertEquals(got, want, 1e-4 * Math.max(1.0, Math.abs(want)) + 2e-5, "candidate " + i);
        }
    }

    @Test
    public void searchPicksTheMinimumOfTheCandidates() {
        Histogram h = gaussianHistogram(12, 20_000, 1001, false);
        long[] counts = h.counts();
        int best = -1;
        float bestDiv = Float.MAX_VALUE;
        for (int i = 127; i <= 500; i++) {
            float d = KlThreshold.divergenceAt(counts, 255, i);
            if (d < bestDiv) {
                bestDiv = d;
                best = i;
            }
        }
        KlThreshold t = KlThreshold.optimal(h, "int8");
        assertEquals(t.divergence(), bestDiv);
        assertEquals(t.threshold(), h.edge(500 + best + 1));
        assertEquals(t.calibMin(), -t.threshold());
        assertEquals(t.numQuantizedBins(), 255);
        // a Gaussian's optimal int8 clip is well inside its range but not tiny
        assertTrue(t.threshold() > 1.5f && t.threshold() <= h.th(), "threshold " + t.threshold());
    }

    @Test
    public void nonNegativeDataUses511LevelsForUint8AndAuto() {
        Histogram h = gaussianHistogram(13, 20_000, 2001, true);
        assertTrue(h.min() >= 0);
        for (String dtype : new String[] {"uint8", "auto"}) {
            KlThreshold t = KlThreshold.optimal(h, dtype);
            assertEquals(t.numQuantizedBins(), 511, dtype);
            assertEquals(t.calibMin(), 0f, dtype);
            assertEquals(t.calibMax(), t.threshold(), dtype);
        }
        KlThreshold s = KlThreshold.optimal(h, "int8");
        assertEquals(s.numQuantizedBins(), 255);
        assertEquals(s.calibMin(), -s.threshold());
        // signed data never switches to 511
        Histogram signed = gaussianHistogram(14, 20_000, 2001, false);
        assertEquals(KlThreshold.optimal(signed, "auto").numQuantizedBins(), 255);
        assertEquals(KlThreshold.optimal(signed, "uint8").numQuantizedBins(), 255);
    }

    @Test
    public void invalidArguments() {
        Histogram h = gaussianHistogram(15, 1000, 301, false);
        assertThrows(IllegalArgumentException.class, () -> KlThreshold.optimal(h, "int4"));
        assertThrows(IllegalArgumentException.class, () -> KlThreshold.optimal(h, null));
        assertThrows(IllegalArgumentException.class, () -> KlThreshold.search(new long[300], new float[301], 255, 0));
        assertThrows(IllegalArgumentException.class, () -> KlThreshold.search(new long[301], new float[300], 255, 0));
        assertThrows(IllegalArgumentException.class, () -> KlThreshold.search(new long[101], new float[102], 255, 0));
        assertThrows(IllegalArgumentException.class, () -> KlThreshold.divergenceAt(new long[301], 255, 126));
        assertThrows(IllegalArgumentException.class, () -> KlThreshold.divergenceAt(new long[301], 255, 151));
    }

    @Test
    public void emptyHistogramReportsMaxValueLikeMxnet() {
        float[] edges = new float[302];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = i;
        }
        float[] r = KlThreshold.search(new long[301], edges, 255, 0);
        assertEquals(r[1], Float.MAX_VALUE);      // every candidate +inf: MXNet keeps its FLT_MAX start value
        assertEquals(r[0], edges[150 + 127 + 1]); // and the first candidate's threshold
    }
}
