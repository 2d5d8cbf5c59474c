package org.quantize4j.calib;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Arrays;
import org.testng.annotations.Test;

/** Histogram collection against MXNet 1.9.1 + numpy 1.24 (combine_histogram.json): counts and edges identical. */
public class CombineHistogramConformanceTest {

    private static void assertState(Histogram h, JsonNode r, String what) {
        long[] want = CalibConformance.longs(r.get("hist"));
        assertEquals(h.numBins(), r.get("num_bins").asInt(), what + ": bins");
        if (!Arrays.equals(h.counts(), want)) {
            StringBuilder diff = new StringBuilder();
            for (int i = 0; i < want.length; i++) {
                if (h.count(i) != want[i]) {
                    diff.append(" bin ").append(i).append(": ").append(h.count(i)).append(" != ").append(want[i]);
                }
            }
            throw new AssertionError(what + ": counts differ:" + diff);
        }
        float[] edges = CalibConformance.floats(r.get("edges"));
        for (int i = 0; i < edges.length; i++) {
            assertEquals(Float.floatToIntBits(h.edge(i)), Float.floatToIntBits(edges[i]),
                    what + ": edge " + i + " " + h.edge(i) + " vs " + edges[i]);
        }
        assertEquals(h.min(), (float) r.get("min").asDouble(), 0f, what + ": min");
        assertEquals(h.max(), (float) r.get("max").asDouble(), 0f, what + ": max");
        assertEquals(h.th(), r.get("th").asDouble(), 0.0, what + ": th");
        assertEquals(h.thIsFloat32(), r.get("th_type").asText().equals("float32"), what + ": th type");
    }

    /** Our collector chained over all steps, starting from the raw first batch. */
    @Test
    public void chainedCollectionMatchesMxnet() throws IOException {
        JsonNode steps = CalibConformance.read("combine_histogram.json").get("steps");
        assertTrue(steps.size() >= 2);
        Histogram h = null;
        for (JsonNode step : steps) {
            float[] input = CalibConformance.floats(step.get("input"));
            JsonNode r = step.get("result");
            h = h == null ? Histogram.ofFirstBatch(CalibConformance.direct(input), r.get("num_bins").asInt())
                    : h.combine(CalibConformance.direct(input));
            assertState(h, r, "step " + step.get("step").asInt() + " (" + step.get("description").asText() + ")");
        }
    }

    /** combineHistogram(oracle state of step k-1, input k, min, max, th) == oracle state k, for every k. */
    @Test
    public void eachCombineStepFromOracleStateMatches() throws IOException {
        JsonNode steps = CalibConformance.read("combine_histogram.json").get("steps");
        for (int k = 1; k < steps.size(); k++) {
            JsonNode step = steps.get(k);
            Histogram prev = CalibConformance.state(steps.get(k - 1).get("result"));
            Histogram h = Histogram.combineHistogram(prev, CalibConformance.direct(CalibConformance.floats(step.get("input"))),
                    (float) step.get("input_min").asDouble(), (float) step.get("input_max").asDouble(),
                    (float) step.get("input_th").asDouble());
            assertState(h, step.get("result"), "step " + k);
        }
    }
}
