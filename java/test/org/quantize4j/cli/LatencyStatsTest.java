package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import org.testng.annotations.Test;

public class LatencyStatsTest {
    @Test
    public void nearestRankPercentiles() {
        long[] nanos = new long[100];
        // 1..100 ms, shuffled order.
        for (int i = 0; i < 100; i++) nanos[i] = ((i * 37) % 100 + 1) * 1_000_000L;
        LatencyStats s = new LatencyStats(nanos, 100);
        assertEquals(s.percentileMillis(50), 50.0);
        assertEquals(s.percentileMillis(90), 90.0);
        assertEquals(s.percentileMillis(99), 99.0);
        assertEquals(s.percentileMillis(100), 100.0);
        assertEquals(s.minMillis(), 1.0);
        assertEquals(s.meanMillis(), 50.5, 1e-9);

        LatencyStats three = new LatencyStats(new long[] {3_000_000, 1_000_000, 2_000_000, 99}, 3);
        assertEquals(three.percentileMillis(50), 2.0);
        assertEquals(three.percentileMillis(99), 3.0);
        expectThrows(IllegalArgumentException.class, () -> new LatencyStats(new long[0], 0));
    }
}
