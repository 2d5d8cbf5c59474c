package org.quantize4j.calib;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.testng.annotations.Test;

/** KL thresholds against MXNet 1.9.1's calibrate_entropy on real fmnist_resnet20_v1 histograms (optimal_threshold.json). */
public class KlThresholdConformanceTest {

    @Test
    public void thresholdsAndDivergencesAreIdentical() throws IOException {
        JsonNode cases = CalibConformance.read("optimal_threshold.json").get("cases");
        assertTrue(cases.size() > 0);
        int checked = 0;
        for (JsonNode c : cases) {
            Histogram h = CalibConformance.state(c.get("histogram"));
            for (Iterator<Map.Entry<String, JsonNode>> it = c.get("results").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode want = e.getValue();
                String what = c.get("layer").asText() + " / " + e.getKey();
                KlThreshold got = KlThreshold.optimal(h, e.getKey());
                assertEquals(got.numQuantizedBins(), want.get("num_quantized_bins").asInt(), what + ": quantized bins");
                assertEquals(got.threshold(), (float) want.get("threshold").asDouble(), 0f, what + ": threshold");
                assertEquals(got.divergence(), (float) want.get("divergence").asDouble(), 0f, what + ": divergence");
                assertEquals(got.calibMin(), (float) want.get("calib_range").get(0).asDouble(), 0f, what + ": range min");
                assertEquals(got.calibMax(), (float) want.get("calib_range").get(1).asDouble(), 0f, what + ": range max");
                checked++;
            }
            // The model was quantized with quantized_dtype=auto: its calibration table holds the auto range.
            JsonNode applied = c.get("applied_calib_range_in_model");
            KlThreshold auto = KlThreshold.optimal(h, "auto");
            assertEquals(auto.calibMin(), (float) applied.get(0).asDouble(), 0f);
            assertEquals(auto.calibMax(), (float) applied.get(1).asDouble(), 0f);
        }
        assertTrue(checked >= 2 * cases.size());
    }

    /** The parallel search is deterministic: any thread count gives the same bits. */
    @Test
    public void resultDoesNotDependOnThreadCount() throws IOException {
        JsonNode c = CalibConformance.read("optimal_threshold.json").get("cases").get(1);
        Histogram h = CalibConformance.state(c.get("histogram"));
        float[] one = KlThreshold.search(h.counts(), h.edges(), 255, 1);
        for (int threads : new int[] {2, 3, 8}) {
            float[] many = KlThreshold.search(h.counts(), h.edges(), 255, threads);
            assertEquals(Float.floatToIntBits(many[0]), Float.floatToIntBits(one[0]), "threshold, threads=" + threads);
            assertEquals(Float.floatToIntBits(many[1]), Float.floatToIntBits(one[1]), "divergence, threads=" + threads);
        }
    }
}
