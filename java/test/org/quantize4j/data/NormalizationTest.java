package org.quantize4j.data;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.FloatBuffer;
import org.testng.annotations.Test;

public class NormalizationTest {
    @Test
    public void matchesMxnetFloat32PreprocessingForEveryPixelValue() {
        // REFERENCE.md: x = x / 255 then (x - 0.2860) / 0.3530, all float32.
        Normalization n = new Normalization(Normalization.DEFAULT_SCALE, new float[] {0.2860f}, new float[] {0.3530f});
        for (int p = 0; p < 256; p++) {
            float x = (float) p / 255f;
            float expected = (x - 0.2860f) / 0.3530f;
            assertEquals(Float.floatToIntBits(n.apply(0, p)), Float.floatToIntBits(expected), "pixel " + p);
        }
    }

    @Test
    public void handComputedValues() {
        Normalization n = new Normalization(0.5, new float[] {1f}, new float[] {4f});
        assertEquals(n.apply(0, 10), 1f);     // (5 - 1) / 4
        assertEquals(n.apply(0, 0), -0.25f);  // (0 - 1) / 4
        Normalization identity = Normalization.scaleOnly(1);
        assertEquals(identity.apply(0, 200), 200f);
    }

    @Test
    public void perChannelValuesOverPlanarImages() {
        Normalization n = new Normalization(1.0, new float[] {1f, 2f, 3f}, new float[] {2f, 4f, 8f});
        // Two images of 3 channels x 2 pixels, CHW.
        byte[] src = {10, 20, 30, 40, 50, 60, 1, 2, 3, 4, 5, 6};
        FloatBuffer out = FloatBuffer.allocate(12);
        n.normalizeUint8(src, 0, 2, 3, 2, out);
        float[] expected = {
            (10 - 1) / 2f, (20 - 1) / 2f, (30 - 2) / 4f, (40 - 2) / 4f, (50 - 3) / 8f, (60 - 3) / 8f,
            (1 - 1) / 2f, (2 - 1) / 2f, (3 - 2) / 4f, (4 - 2) / 4f, (5 - 3) / 8f, (6 - 3) / 8f};
        assertEquals(out.array(), expected);
        // One value is broadcast to every channel; bytes are unsigned.
        Normalization one = Normalization.of(1.0, 100f, 10f);
        FloatBuffer o2 = FloatBuffer.allocate(3);
        one.normalizeUint8(new byte[] {(byte) 200, 100, (byte) 255}, 0, 1, 3, 1, o2);
        assertEquals(o2.array(), new float[] {10f, 0f, 15.5f});
    }

    @Test
    public void rejectsZeroStdAndWrongChannelCounts() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> new Normalization(1, new float[] {0}, new float[] {1, 0}));
        assertTrue(e.getMessage().contains("std"), e.getMessage());
        expectThrows(IllegalArgumentException.class, () -> new Normalization(Double.NaN, new float[] {0}, new float[] {1}));
        expectThrows(IllegalArgumentException.class, () -> new Normalization(1, new float[0], new float[] {1}));
        Normalization two = new Normalization(1, new float[] {0, 1}, new float[] {1});
        two.checkChannels(2);
        IllegalArgumentException c = expectThrows(IllegalArgumentException.class, () -> two.checkChannels(3));
        assertTrue(c.getMessage().contains("mean has 2 values") && c.getMessage().contains("3 channel"), c.getMessage());
        Normalization stds = new Normalization(1, new float[] {0}, new float[] {1, 2, 3});
        expectThrows(IllegalArgumentException.class, () -> stds.checkChannels(1));
    }
}
