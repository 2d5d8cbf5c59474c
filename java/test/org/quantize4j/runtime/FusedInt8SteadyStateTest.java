package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.TestFiles;
import org.quantize4j.calib.ArrayDataIter;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.Test;

/**
 * The steady state of fused INT8 graphs: one oneDNN primitive per quantized node and no reorder except at the graph
 * input (quantizing the NCHW float input into NHWC u8/s8): every residual sum runs in place in its convolution
 * (oneDNN's sum post-op on the operand's own buffer, no copy), pooling and concat work on int8 directly.
 */
public class FusedInt8SteadyStateTest {
    @Test
    public void resnet20NoReorderInsideAndSumsInPlace() throws Exception {
        Model m = Model.load(TestFiles.prefix("fmnist_resnet20_v1"));
        QuantizedModel q = FusedInt8AccuracyTest.quantizeFused(m, CalibMode.NAIVE);
        check(q.symbol(), q.toModel().allParams(), new long[] {8, 1, 28, 28});
        QuantizedModel mx = QuantizedModel.load(TestFiles.prefix("fmnist_resnet20_v1-quantized-naive"), 0);
        check(mx.symbol(), mx.toModel().allParams(), new long[] {8, 1, 28, 28});
    }

    @Test
    public void zooResnet18AndMobilenetNoReorderInside() throws Exception {
        for (String arch : new String[] {"resnet18_v1", "mobilenet1.0"}) {
            Symbol sym = SymbolJson.read(TestFiles.testModel("zoo/" + arch + "-symbol.json"));
            long[] shape = {1, 3, 64, 64};
            Map<String, NDArray> all = RandomParams.forSymbol(sym, Map.of("data", shape), 7);
            Set<String> aux = new LinkedHashSet<>(sym.listAuxiliaryStates());
            Map<String, NDArray> args = new LinkedHashMap<>();
            Map<String, NDArray> auxParams = new LinkedHashMap<>();
            all.forEach((k, v) -> (aux.contains(k) ? auxParams : args).put(k, v));
            float[] x = new float[4 * 3 * 64 * 64];
            SplittableRandom r = new SplittableRandom(3);
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            QuantizedModel q;
            try (ArrayDataIter it = new ArrayDataIter(x, new long[] {3, 64, 64}, 2)) {
                q = Quantization.quantizeModelMkldnn(sym, args, auxParams, QuantizeOptions.defaults()
                        .calibMode(CalibMode.NAIVE).calibData(it).quantizedDtype(QuantizedDtype.AUTO));
            }
            check(q.symbol(), q.toModel().allParams(), shape);
        }
    }

    private static void check(Symbol sym, Map<String, NDArray> params, long[] shape) {
        int opNodes = 0;
        for (Node n : sym.nodes()) if (!n.isVariable()) opNodes++;
        try (Executor ex = Executor.create(sym, params, Map.of("data", shape), ExecutorOptions.defaults())) {
            float[] x = new float[(int) NDArray.size(shape)];
            for (int i = 0; i < x.length; i++) x[i] = (i % 17) / 17f;
            ex.setInput("data", FloatBuffer.wrap(x));
            ExecutorProfile p = ex.profile(2);
            assertEquals(p.reordersInside(), 0, "reorders inside the INT8 graph: " + p);
            for (StepProfile s : p.steps()) {
                if (s.isReorder()) assertTrue(s.boundary() && s.nodeName().equals("data_quantize"), "only the input is reordered: " + s);
            }
            // One step per op node at most (no copies for sums): flatten/dequantize may be views with no step.
            assertTrue(p.steps().size() <= opNodes, p.steps().size() + " steps for " + opNodes + " op nodes: " + p);
        }
    }
}
