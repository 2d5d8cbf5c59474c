package org.quantize4j.calib;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNotNull;
import static org.testng.Assert.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.TestFiles;
import org.quantize4j.data.DataIter;
import org.quantize4j.graph.Node;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.ExecutorOptions;
import org.testng.annotations.Test;

/** A calibration listener sees what the collector sees and changes nothing. */
public class CalibrationListenerTest {
    private static Map<String, String> ranges(QuantizedModel q) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Node n : q.symbol().nodes()) {
            if (n.attr("min_calib_range") != null) out.put(n.name(), n.attr("min_calib_range") + " " + n.attr("max_calib_range"));
        }
        return out;
    }

    private static QuantizedModel quantize(Model m, CalibMode mode, CalibrationListener l) {
        try (DataIter it = CalibData.iterator(64)) {
            return Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), QuantizeOptions.defaults()
                    .calibMode(mode).quantizedDtype(QuantizedDtype.AUTO).calibData(it)
                    .executorOptions(new ExecutorOptions(1)).calibrationListener(l));
        }
    }

    @Test
    public void seesEveryTensorOfEveryBatchAndChangesNothing() {
        Model m = Model.load(TestFiles.prefix("fmnist_mlp"));
        List<String> seen = new ArrayList<>();
        CalibrationCollector[] collector = new CalibrationCollector[1];
        CalibrationTable[] table = new CalibrationTable[1];
        CalibrationListener l = new CalibrationListener() {
            @Override
            public void tensor(String name, String opName, NDArray array) {
                assertEquals(array.dim(0), 64L, name);
                seen.add(name);
            }

            @Override
            public void calibrated(CalibrationCollector c, CalibrationTable t) {
                assertTrue(collector[0] == null, "called once");
                collector[0] = c;
                table[0] = t;
            }
        };
        QuantizedModel with = quantize(m, CalibMode.ENTROPY, l);
        QuantizedModel without = quantize(m, CalibMode.ENTROPY, null);
        assertEquals(ranges(with), ranges(without));
        assertNotNull(table[0]);
        int tensors = table[0].ranges().size();
        assertEquals(seen.size(), 5 * tensors, "320 images in 5 batches, each tensor once per batch");
        assertEquals(List.copyOf(new java.util.LinkedHashSet<>(seen)), List.copyOf(table[0].ranges().keySet()));
        EntropyCollector ec = (EntropyCollector) collector[0];
        assertEquals(ec.thresholds().keySet(), table[0].ranges().keySet());
        ec.thresholds().forEach((name, t) -> {
            assertEquals(t.calibMax(), table[0].ranges().get(name).max(), name);
            assertTrue(t.divergence() >= 0 && Float.isFinite(t.divergence()), name);
        });
        assertEquals(ec.histograms().size(), tensors);
    }
}
