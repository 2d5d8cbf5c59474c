package org.quantize4j.report;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;

import java.nio.FloatBuffer;
import java.util.Random;
import org.testng.annotations.Test;

/** {@link ErrorStats} against the definitions computed directly on small vectors. */
public class ErrorStatsTest {
    private static ErrorStats of(float[] x, float[] ref) {
        ErrorStats e = new ErrorStats();
        e.add(FloatBuffer.wrap(x), FloatBuffer.wrap(ref));
        return e;
    }

    @Test
    public void knownCases() {
        float[] ref = {1, -2, 3, 0.5f};
        ErrorStats same = of(ref.clone(), ref);
        assertEquals(same.relativeL2(), 0.0);
        assertEquals(same.cosine(), 1.0, 1e-15);
        assertEquals(same.maxAbsError(), 0.0);

        ErrorStats twice = of(new float[] {2, -4, 6, 1}, ref);   // x - ref = ref
        assertEquals(twice.relativeL2(), 1.0, 1e-12);
        assertEquals(twice.cosine(), 1.0, 1e-12);
        assertEquals(twice.maxAbsError(), 3.0, 0);

        ErrorStats negated = of(new float[] {-1, 2, -3, -0.5f}, ref);
        assertEquals(negated.relativeL2(), 2.0, 1e-12);
        assertEquals(negated.cosine(), -1.0, 1e-12);

        ErrorStats orthogonal = of(new float[] {0, 1}, new float[] {1, 0});
        assertEquals(orthogonal.cosine(), 0.0, 0);
        assertEquals(orthogonal.relativeL2(), Math.sqrt(2), 1e-12);
        // rms of the reference: sqrt((1 + 4 + 9 + 0.25) / 4)
        assertEquals(same.referenceRms(), Math.sqrt(14.25 / 4), 1e-12);
    }

    @Test
    public void zeroTensors() {
        ErrorStats bothZero = of(new float[3], new float[3]);
        assertEquals(bothZero.relativeL2(), 0.0);
        assertEquals(bothZero.cosine(), 1.0);
        ErrorStats zeroRef = of(new float[] {0, 1, 0}, new float[3]);
        assertEquals(zeroRef.relativeL2(), Double.POSITIVE_INFINITY);
        assertEquals(zeroRef.cosine(), 0.0);
    }

    @Test
    public void batchesAccumulateLikeOneConcatenatedTensor() {
        Random r = new Random(7);
        float[] x = new float[1000];
        float[] ref = new float[1000];
        for (int i = 0; i < x.length; i++) {
            ref[i] = (float) r.nextGaussian();
            x[i] = ref[i] + 0.05f * (float) r.nextGaussian();
        }
        ErrorStats whole = of(x, ref);
        ErrorStats parts = new ErrorStats();
        for (int off = 0; off < 1000; off += 250) {
            parts.add(FloatBuffer.wrap(x, off, 250), FloatBuffer.wrap(ref, off, 250));
        }
        assertEquals(parts.relativeL2(), whole.relativeL2(), 1e-12);
        assertEquals(parts.cosine(), whole.cosine(), 1e-12);
        assertEquals(parts.count(), 1000);
        // Plain definitions.
        double num = 0, den = 0, dot = 0, xx = 0;
        for (int i = 0; i < x.length; i++) {
            num += ((double) x[i] - ref[i]) * ((double) x[i] - ref[i]);
            den += (double) ref[i] * ref[i];
            dot += (double) x[i] * ref[i];
            xx += (double) x[i] * x[i];
        }
        assertEquals(whole.relativeL2(), Math.sqrt(num / den), 1e-12);
        assertEquals(whole.cosine(), dot / Math.sqrt(xx * den), 1e-12);
    }

    @Test
    public void sizesMustAgree() {
        assertThrows(IllegalArgumentException.class, () -> of(new float[2], new float[3]));
    }
}
