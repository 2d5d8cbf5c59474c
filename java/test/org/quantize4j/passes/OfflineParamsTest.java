package org.quantize4j.passes;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.util.Map;
import java.util.Set;
import org.quantize4j.Model;
import org.quantize4j.QuantizeGranularity;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.TestFiles;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Offline weight quantization: int8 values dequantize back to within one step of the FP32 weights. */
public class OfflineParamsTest {
    @DataProvider
    public static Object[][] models() {
        return new Object[][] {{"fmnist_mlp"}, {"fmnist_resnet20_v1"}, {"fmnist_inception"}, {"fmnist_mobilenet_v2"}};
    }

    @Test(dataProvider = "models")
    public void quantizedWeightsDequantizeToWithinOneStep(String name) {
        Model m = Model.load(TestFiles.prefix(name));
        QuantizePass.Result r = QuantizePass.run(m.symbol(), new QuantizePass.Options(Set.of(), Set.of(),
                QuantizeMode.SMART, QuantizedDtype.INT8, m.argParams().keySet(), QuantizingRegistry.standard(), null));
        Symbol q = r.symbol();
        Map<String, NDArray> qargs = OfflineParams.quantize(q, m.argParams());
        int weights = 0;
        for (String arg : q.listArguments()) {
            if (arg.equals("data")) {
                assertNull(qargs.get(arg));
                continue;
            }
            assertTrue(qargs.containsKey(arg), name + ": argument " + arg + " has no value");
            if (!arg.endsWith("_quantize")) continue;
            String base = arg.substring(0, arg.length() - "_quantize".length());
            float[] w = m.argParams().get(base).toFloatArray();
            NDArray q8 = qargs.get(arg);
            assertEquals(q8.dtype(), DType.INT8, arg);
            assertEquals(q8.shape(), m.argParams().get(base).shape(), arg);
            float absMax = 0;
            for (float v : w) absMax = Math.max(absMax, Math.abs(v));
            NDArray min = qargs.get(base + "_quantize_min");
            NDArray max = qargs.get(base + "_quantize_max");
            assertEquals(min.shape(), new long[] {1});
            assertEquals(min.getFloat(0), -absMax, arg);
            assertEquals(max.getFloat(0), absMax, arg);
            float step = absMax / 127f;
            int maxAbsQ = 0;
            for (int i = 0; i < w.length; i++) {
                int qi = q8.buffer().get(i);
                maxAbsQ = Math.max(maxAbsQ, Math.abs(qi));
                assertTrue(Math.abs(qi * step - w[i]) <= step * 0.5f * 1.0001f, arg + "[" + i + "]: " + w[i] + " -> " + qi);
            }
            assertEquals(maxAbsQ, 127, arg);
            weights++;
        }
        assertTrue(weights >= 2, name + ": only " + weights + " weights quantized");
        // FP32 parameters of quantized nodes (conv/FC weights) are replaced, not kept.
        for (Node n : q.nodes()) {
            if (n.op().equals("_contrib_quantized_conv")) {
                assertTrue(n.input(1).node().name().endsWith("_quantize"), n.name());
            }
        }
    }

    @Test(dataProvider = "models")
    public void channelWiseWeightsHaveOneRangePerOutputChannel(String name) {
        Model m = Model.load(TestFiles.prefix(name));
        QuantizePass.Result r = QuantizePass.run(m.symbol(), new QuantizePass.Options(Set.of(), Set.of(),
                QuantizeMode.SMART, QuantizedDtype.INT8, m.argParams().keySet(), QuantizingRegistry.standard(), null));
        Map<String, NDArray> qargs = OfflineParams.quantize(r.symbol(), m.argParams(), QuantizeGranularity.CHANNEL_WISE);
        int weights = 0;
        for (String arg : r.symbol().listArguments()) {
            if (!arg.endsWith("_weight_quantize")) continue;
            String base = arg.substring(0, arg.length() - "_quantize".length());
            NDArray fp32 = m.argParams().get(base);
            int rows = (int) fp32.dim(0);
            int rowSize = (int) (fp32.size() / rows);
            float[] w = fp32.toFloatArray();
            NDArray q8 = qargs.get(arg);
            NDArray min = qargs.get(base + "_quantize_min");
            NDArray max = qargs.get(base + "_quantize_max");
            assertEquals(min.shape(), new long[] {rows}, arg);
            assertEquals(max.shape(), new long[] {rows}, arg);
            for (int c = 0; c < rows; c++) {
                float absMax = 0;
                for (int j = 0; j < rowSize; j++) absMax = Math.max(absMax, Math.abs(w[c * rowSize + j]));
                assertEquals(max.getFloat(c), absMax == 0 ? 1f : absMax, arg + " channel " + c);
                assertEquals(min.getFloat(c), -max.getFloat(c), arg + " channel " + c);
                float step = max.getFloat(c) / 127f;
                for (int j = 0; j < rowSize; j++) {
                    int qi = q8.buffer().get(c * rowSize + j);
                    float x = w[c * rowSize + j];
                    assertTrue(Math.abs(qi * step - x) <= step * 0.5f * 1.0001f, arg + "[" + c + "," + j + "]: " + x + " -> " + qi);
                }
            }
            weights++;
        }
        assertTrue(weights >= 2, name + ": only " + weights + " weights quantized");
        // Biases keep one range (the kernels add them as real values).
        for (String arg : r.symbol().listArguments()) {
            if (arg.endsWith("_bias_quantize_min")) assertEquals(qargs.get(arg).shape(), new long[] {1}, arg);
        }
    }

    @Test
    public void roundsHalfAwayFromZeroAndClamps() {
        // absMax 127 -> scale 1: 0.5 -> 1, -0.5 -> -1, 1.49 -> 1, -2.5 -> -3, 127 -> 127.
        NDArray w = NDArray.ofFloats(new long[] {6}, new float[] {0.5f, -0.5f, 1.49f, -2.5f, 127f, -127f});
        OfflineParams.Int8Tensor t = OfflineParams.quantizeInt8(w, "w");
        assertEquals(t.absMax(), 127f);
        byte[] got = new byte[6];
        t.values().buffer().get(got);
        assertEquals(got, new byte[] {1, -1, 1, -3, 127, -127});
    }

    @Test
    public void allZeroTensorGetsAUnitRange() {
        OfflineParams.Int8Tensor t = OfflineParams.quantizeInt8(NDArray.zeros(new long[] {3}, DType.FLOAT32), "b");
        assertEquals(t.absMax(), 1f);
        for (int i = 0; i < 3; i++) assertEquals(t.values().buffer().get(i), 0);
    }

    @Test
    public void nanWeightIsAnErrorNamingIt() {
        NDArray w = NDArray.ofFloats(new long[] {2}, new float[] {1f, Float.NaN});
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> OfflineParams.quantizeInt8(w, "conv9_weight"));
        assertTrue(e.getMessage().contains("conv9_weight"), e.getMessage());
    }
}
