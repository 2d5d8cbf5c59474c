package org.quantize4j;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.ParamsFile;
import org.quantize4j.passes.CompactParams;
import org.quantize4j.passes.MkldnnAttrs;
import org.quantize4j.ops.WeightQuantizer;
import org.testng.annotations.Test;

/**
 * {@link Quantization#quantizeModelMkldnn} end to end on the saved files: compact params are about 4x smaller
 * than FP32 ones and reload to the same int8 weights (also after BatchNorm folding, which is what the INT8
 * conv kernel quantizes); {@link WeightQuantizer}'s scales and bias guard against plain arithmetic.
 */
public class QuantizeMkldnnTest {
    @Test
    public void compactParamsAreAbout4xSmallerAndReloadToTheSameInt8Weights() throws Exception {
        Model m = Model.load(TestFiles.prefix("fmnist_resnet20_v1"));
        QuantizedModel q = Quantization.quantizeModelMkldnn(m.symbol(), m.argParams(), m.auxParams(),
                QuantizeOptions.defaults().calibMode(CalibMode.NONE));
        Path dir = Files.createTempDirectory("q4j-compact");
        List<Path> files = new ArrayList<>();
        try {
            String full = dir.resolve("full").toString();
            String compact = dir.resolve("compact").toString();
            q.save(full, 0);
            q.save(compact, 0, true);
            files.addAll(List.of(Model.symbolPath(full), Model.paramsPath(full, 0), Model.symbolPath(compact),
                    Model.paramsPath(compact, 0)));
            long fp32Bytes = Files.size(Model.paramsPath(full, 0));
            long compactBytes = Files.size(Model.paramsPath(compact, 0));
            double ratio = (double) fp32Bytes / compactBytes;
            org.slf4j.LoggerFactory.getLogger(QuantizeMkldnnTest.class).info("resnet20 params: FP32 {} B, compact {} B ({}x)",
                    fp32Bytes, compactBytes, String.format("%.2f", ratio));
            assertTrue(ratio > 3.3 && ratio < 4.1, "compact " + compactBytes + " B vs FP32 " + fp32Bytes + " B: " + ratio + "x");
            assertEquals(Files.readString(Model.symbolPath(compact)), Files.readString(Model.symbolPath(full)),
                    "compact changes only the params");

            Map<String, NDArray> raw = ParamsFile.load(Model.paramsPath(compact, 0));
            QuantizedModel back = QuantizedModel.load(compact, 0);
            assertEquals(back.argParams().keySet(), q.argParams().keySet());
            assertEquals(SymbolJson.toJson(back.symbol()), SymbolJson.toJson(q.symbol()));
            int weights = 0;
            for (Node n : q.symbol().nodes()) {
                if (!MkldnnAttrs.isQuantizedFused(n) || !n.op().equals(MkldnnAttrs.CONV)) continue;
                String w = n.input(MkldnnAttrs.weightInput(n)).node().name();
                NDArray stored = raw.get("arg:" + CompactParams.int8Name(w));
                assertEquals(stored.dtype(), DType.INT8, w);
                // What the conv kernel quantizes: the BN-folded weight (folded as the FP32 kernel folds).
                double[] s = CompactParams.bnFactors(n, m.argParams(), m.auxParams());
                NDArray orig = m.argParams().get(w);
                NDArray again = back.argParams().get(w);
                byte[] kernelFromFp32 = int8(WeightQuantizer.quantize(s == null ? orig : CompactParams.folded(orig, s),
                        QuantizeGranularity.CHANNEL_WISE));
                byte[] kernelFromCompact = int8(WeightQuantizer.quantize(s == null ? again : CompactParams.folded(again, s),
                        QuantizeGranularity.CHANNEL_WISE));
                assertEquals(bytes(stored), kernelFromFp32, w + ": the file holds the int8 weights of the FP32 model");
                assertEquals(kernelFromCompact, kernelFromFp32, w + ": reloaded weights quantize to the same int8");
                // And the expanded weights are the original ones within half an int8 step per channel.
                float[] a = orig.toFloatArray();
                float[] b = again.toFloatArray();
                float[] scale = raw.get("arg:" + CompactParams.scaleName(w)).toFloatArray();
                int per = a.length / scale.length;
                for (int i = 0; i < a.length; i++) {
                    assertTrue(Math.abs(a[i] - b[i]) <= 0.5001f * Math.abs(scale[i / per]), w + "[" + i + "]");
                }
                weights++;
            }
            assertEquals(weights, 21);
            // Everything else is untouched.
            for (Map.Entry<String, NDArray> e : q.argParams().entrySet()) {
                if (raw.containsKey("arg:" + e.getKey())) assertEquals(bytes(raw.get("arg:" + e.getKey())), bytes(e.getValue()), e.getKey());
            }
        } finally {
            for (Path p : files) Files.deleteIfExists(p);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    public void weightScalesPerChannelPerTensorAndBiasGuard() {
        float[] w = {0.5f, -1.0f, 0.25f, 0.1f, 0.2f, -0.05f};   // 2 output channels of 3
        NDArray a = NDArray.ofFloats(new long[] {2, 3}, w);
        WeightQuantizer.Int8Weights cw = WeightQuantizer.quantize(a, QuantizeGranularity.CHANNEL_WISE);
        // MXNet's grid: scale = amax / 127.5 (kInt8Range), saturating at +-127; round half away from zero.
        assertEquals(cw.scales(), new float[] {1.0f / 127.5f, 0.2f / 127.5f});
        assertEquals(int8(cw), new byte[] {64, -127, 32, 64, 127, -32});
        WeightQuantizer.Int8Weights tw = WeightQuantizer.quantize(a, QuantizeGranularity.TENSOR_WISE);
        assertEquals(tw.scales(), new float[] {1.0f / 127.5f});
        assertEquals(int8(tw), new byte[] {64, -127, 32, 13, 25, -6});   // 0.2 * (1 / (1 / 127.5f)) is just below the 25.5 tie
        // Bias guard: |bias| * dataScale / scale must stay <= INT32_MAX / 2, so channel 1's scale grows.
        float dataScale = 127f / 0.001f;
        float[] bias = {0f, 2000f};
        WeightQuantizer.Int8Weights g = WeightQuantizer.quantize(a, QuantizeGranularity.CHANNEL_WISE, bias, dataScale);
        float minScale = 2000f * dataScale / (Integer.MAX_VALUE / 2f);
        assertEquals(g.scales()[0], 1.0f / 127.5f);
        assertEquals(g.scales()[1], minScale);
        assertTrue(2000.0 * dataScale / g.scales()[1] <= Integer.MAX_VALUE / 2.0 * 1.0000001);
        byte[] q = int8(g);
        for (int i = 3; i < 6; i++) assertEquals(q[i], (byte) (Math.signum(w[i]) * Math.floor(Math.abs(w[i]) / minScale + 0.5)));
        // Weights already on an int8 grid (expanded from compact files) keep it: quantizing again is the identity.
        WeightQuantizer.Int8Weights again = WeightQuantizer.quantize(WeightQuantizer.dequantize(cw), QuantizeGranularity.CHANNEL_WISE);
        assertEquals(int8(again), int8(cw));
        expectThrows(IllegalArgumentException.class, () -> WeightQuantizer.quantize(
                NDArray.ofFloats(new long[] {1, 2}, new float[] {1f, Float.NaN}), QuantizeGranularity.CHANNEL_WISE));
    }

    private static byte[] int8(WeightQuantizer.Int8Weights q) {
        return bytes(q.values());
    }

    private static byte[] bytes(NDArray a) {
        java.nio.ByteBuffer b = a.buffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    public void expandRejectsMalformedCompactParams() {
        Map<String, NDArray> bad = new java.util.LinkedHashMap<>();
        bad.put("w_quantize", NDArray.zeros(new long[] {4, 2}, DType.INT8));
        bad.put("w_quantize_scale", NDArray.ofFloats(new long[] {3}, new float[3]));
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> CompactParams.expand(bad));
        assertTrue(e.getMessage().contains("w_quantize_scale"), e.getMessage());
        assertTrue(Arrays.asList(e.getMessage().split(" ")).contains("[4]"), e.getMessage());
    }
}
