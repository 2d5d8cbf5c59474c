package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;

import java.util.Map;

import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.Test;

public class RandomParamsTest {
    @Test
    public void deterministicShapedAndSensible() {
        Symbol s = SymbolJson.read(FixtureFp32Test.testModels().resolve("zoo/resnet18_v1-symbol.json"));
        Map<String, long[]> in = Map.of("data", new long[] {1, 3, 224, 224});
        Map<String, NDArray> a = RandomParams.forSymbol(s, in, 3);
        Map<String, NDArray> b = RandomParams.forSymbol(s, in, 3);
        Map<String, NDArray> c = RandomParams.forSymbol(s, in, 4);
        assertFalse(a.containsKey("data"));
        assertEquals(a.keySet(), new java.util.LinkedHashSet<>(s.listInputs().subList(1, s.listInputs().size())));
        for (String k : a.keySet()) {
            assertEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
        }
        assertNotEquals(a.get("resnetv10_conv0_weight").toFloatArray(), c.get("resnetv10_conv0_weight").toFloatArray());
        assertEquals(a.get("resnetv10_conv0_weight").shape(), new long[] {64, 3, 7, 7});
        for (float v : a.get("resnetv10_batchnorm0_running_var").toFloatArray()) assertTrue(v > 0);
        // Xavier bound for conv0: sqrt(3 / ((3*49 + 64*49) / 2))
        double bound = Math.sqrt(3.0 / ((3 * 49 + 64 * 49) / 2.0));
        double max = 0;
        for (float v : a.get("resnetv10_conv0_weight").toFloatArray()) max = Math.max(max, Math.abs(v));
        assertTrue(max <= bound && max > 0.9 * bound, "max |w| " + max + " vs bound " + bound);
    }
}
