package org.quantize4j.passes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.TestFiles;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.testng.annotations.Test;

/** Writing calibrated ranges: exact floats, out_type resolution, documented edge cases. */
public class ApplyCalibrationTest {
    static Symbol quantized(QuantizedDtype dtype) {
        Symbol sym = SymbolJson.read(TestFiles.testModel("zoo/resnet18_v1-symbol.json"));
        Set<String> offline = new java.util.HashSet<>(sym.listInputs());
        offline.remove("data");
        return QuantizePass.run(sym, new QuantizePass.Options(Set.of(), Set.of(), QuantizeMode.SMART, dtype, offline,
                QuantizingRegistry.standard(), null)).symbol();
    }

    @Test
    public void rangesRoundTripExactlyAndAutoPicksUint8ForNonNegative() {
        Symbol q = quantized(QuantizedDtype.AUTO);
        Map<String, TensorRange> ranges = new HashMap<>();
        float awkward = Math.nextUp(0.1f);
        int i = 0;
        for (CalibrationTarget t : CalibrationTarget.of(q)) {
            // alternate signed and non-negative ranges with values 6 decimals cannot hold
            ranges.put(t.tensorName(), i++ % 2 == 0 ? new TensorRange(-awkward * i, 3.3333333f * i) : new TensorRange(0f, awkward / i));
        }
        Symbol c = SymbolJson.parse(SymbolJson.toJson(ApplyCalibration.apply(q, ranges, QuantizedDtype.AUTO, null)));
        int checked = 0;
        for (Node n : c.nodes()) {
            String tensor = CalibrationTarget.tensorOf(n);
            if (tensor == null) continue;
            TensorRange r = ranges.get(tensor);
            assertEquals(Float.parseFloat(n.attr("min_calib_range")), r.min(), n.name());
            assertEquals(Float.parseFloat(n.attr("max_calib_range")), r.max(), n.name());
            assertEquals(n.attr("out_type"), r.min() >= 0 ? "uint8" : "int8", n.name());
            checked++;
        }
        assertEquals(checked, ranges.size());
        // The input symbol is untouched.
        for (Node n : q.nodes()) assertNull(n.attr("min_calib_range"), n.name());
    }

    @Test
    public void int8StaysInt8AndMissingRangesAreLeftToRunTime() {
        Symbol q = quantized(QuantizedDtype.INT8);
        Symbol c = ApplyCalibration.apply(q, Map.of("data", new TensorRange(0f, 2f)), QuantizedDtype.INT8, null);
        for (Node n : c.nodes()) {
            if (CalibrationTarget.tensorOf(n) == null) continue;
            assertEquals(n.attr("out_type"), "int8", n.name());
            if (n.name().equals("data_quantize")) {
                assertEquals(n.attr("max_calib_range"), "2.0");
            } else {
                assertNull(n.attr("min_calib_range"), n.name());
            }
        }
    }

    @Test
    public void zeroRangeIsWidenedToAUnitRange() {
        Symbol q = quantized(QuantizedDtype.AUTO);
        Map<String, TensorRange> zero = new HashMap<>();
        for (CalibrationTarget t : CalibrationTarget.of(q)) zero.put(t.tensorName(), new TensorRange(0f, 0f));
        Symbol c = ApplyCalibration.apply(q, zero, QuantizedDtype.AUTO, null);
        assertEquals(c.find("data_quantize").attr("min_calib_range"), "0.0");
        assertEquals(c.find("data_quantize").attr("max_calib_range"), "1.0");
        Symbol s = ApplyCalibration.apply(quantized(QuantizedDtype.INT8), zero, QuantizedDtype.INT8, null);
        assertEquals(s.find("data_quantize").attr("min_calib_range"), "-1.0");
        assertEquals(s.find("data_quantize").attr("max_calib_range"), "1.0");
    }

    @Test
    public void noCalibrationAutoIsInt8() {
        Symbol c = ApplyCalibration.apply(quantized(QuantizedDtype.AUTO), null, QuantizedDtype.AUTO, null);
        for (Node n : c.nodes()) {
            if (CalibrationTarget.tensorOf(n) == null) continue;
            assertEquals(n.attr("out_type"), "int8");
            assertNull(n.attr("min_calib_range"));
        }
    }
}
