package org.quantize4j.passes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.quantize4j.TestFiles;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * Naive calibration of quantize_model_mkldnn against MXNet 1.9.1's calibration tables
 * ({@code test-models/fmnist_*-calib-naive.json}: every node of MXNet's quantized symbol carrying
 * min/max_calib_range, values as MXNet wrote them, 6 decimals): the same nodes carry ranges in our symbol, and
 * each value agrees within the 6-decimal rounding of MXNet's strings plus a few float32 ulps of the FP32
 * difference between our kernels and MXNet's (same 320 images, same fused graph; concat inputs aligned).
 */
public class NaiveCalibrationVsMxnetTest {
    /** Half a unit of MXNet's 6th decimal. */
    static final double ROUNDING = 5e-7;
    /** Relative FP32 difference allowed between our oneDNN kernels and MXNet's (tested elsewhere at ~1e-6). */
    static final double RELATIVE = 2e-6;

    @DataProvider
    public Object[][] fmnist() {
        return TestFiles.FMNIST_MODELS.stream().map(m -> new Object[] {m}).toArray(Object[][]::new);
    }

    @Test(dataProvider = "fmnist")
    public void naiveRangesMatchMxnetTable(String model) throws Exception {
        JsonNode table = new ObjectMapper().readTree(TestFiles.testModel(model + "-calib-naive.json").toFile());
        Map<String, double[]> mx = new LinkedHashMap<>();
        for (JsonNode n : table.get("nodes")) {
            mx.put(n.get("name").asText(), new double[] {Double.parseDouble(n.get("min_calib_range_str").asText()),
                Double.parseDouble(n.get("max_calib_range_str").asText())});
        }
        Symbol ours = MkldnnFixtures.fmnistNaive(model).model().symbol();
        Map<String, double[]> got = new LinkedHashMap<>();
        for (Node n : ours.nodes()) {
            if (n.attr("min_calib_range") != null) {
                got.put(n.name(), new double[] {Float.parseFloat(n.attr("min_calib_range")),
                    Float.parseFloat(n.attr("max_calib_range"))});
            }
        }
        assertEquals(got.keySet(), mx.keySet(), model + ": nodes with calibrated ranges");
        double worst = 0;
        String worstAt = null;
        for (Map.Entry<String, double[]> e : mx.entrySet()) {
            double[] m = e.getValue();
            double[] o = got.get(e.getKey());
            for (int i = 0; i < 2; i++) {
                double err = Math.abs(o[i] - m[i]);
                double allowed = ROUNDING + RELATIVE * Math.abs(m[i]);
                assertTrue(err <= allowed, model + " " + e.getKey() + (i == 0 ? " min" : " max") + ": ours " + o[i]
                        + ", MXNet " + m[i] + " (difference " + err + " > " + allowed + ")");
                if (err > worst) {
                    worst = err;
                    worstAt = e.getKey() + (i == 0 ? " min" : " max");
                }
            }
        }
        org.slf4j.LoggerFactory.getLogger(NaiveCalibrationVsMxnetTest.class).info(
                "{}: {} calibrated nodes match MXNet's table; largest difference {} at {}", model, mx.size(), worst, worstAt);
    }
}
