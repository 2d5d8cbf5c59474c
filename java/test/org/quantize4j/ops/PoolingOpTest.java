package org.quantize4j.ops;

import static org.quantize4j.ops.Graphs.op;
import static org.quantize4j.ops.Graphs.rand;
import static org.quantize4j.ops.Graphs.size;
import static org.quantize4j.ops.Graphs.var;
import static org.testng.Assert.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/** Pooling against MXNet's CPU pooling semantics (pool.h) written out in plain Java. */
public class PoolingOpTest {
    @DataProvider
    public Object[][] pools() {
        // shape, kernel, stride, pad, type, convention, count_include_pad (null = absent), expected out H, W
        return new Object[][] {
            {new long[] {2, 3, 8, 8}, 3, 2, 1, "max", "valid", null, 4, 4},
            {new long[] {2, 3, 8, 8}, 3, 2, 0, "max", "full", null, 4, 4},
            {new long[] {1, 4, 9, 7}, 3, 2, 0, "max", "full", null, 4, 3},
            {new long[] {2, 3, 8, 8}, 3, 2, 1, "avg", "full", null, 5, 5},       // extended right pad, include (default)
            {new long[] {2, 3, 8, 8}, 3, 2, 1, "avg", "full", true, 5, 5},
            {new long[] {2, 3, 8, 8}, 3, 2, 1, "avg", "full", false, 5, 5},
            {new long[] {1, 2, 6, 6}, 2, 2, 0, "avg", "valid", true, 3, 3},
            {new long[] {1, 5, 7, 7}, 3, 1, 1, "avg", "valid", true, 7, 7},      // include vs exclude differ at borders
            {new long[] {1, 5, 7, 7}, 3, 1, 1, "avg", "valid", false, 7, 7},
            {new long[] {1, 3, 7, 6}, 3, 2, 1, "avg", "valid", true, 4, 3},
            {new long[] {2, 2, 6, 6}, 2, 2, 0, "sum", "valid", null, 3, 3},
            {new long[] {2, 2, 7, 7}, 3, 2, 1, "sum", "full", null, 4, 4},
            {new long[] {1, 1, 5, 5}, 2, 2, 0, "max", "full", null, 3, 3},
        };
    }

    @Test(dataProvider = "pools")
    public void poolingMatchesMxnet(long[] xs, int k, int s, int p, String type, String convention, Boolean includePad,
                                    int oh, int ow) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("kernel", "(" + k + ", " + k + ")");
        attrs.put("stride", "(" + s + ", " + s + ")");
        attrs.put("pad", "(" + p + ", " + p + ")");
        attrs.put("pool_type", type);
        attrs.put("pooling_convention", convention);
        attrs.put("global_pool", "False");
        attrs.put("layout", "NCHW");
        if (includePad != null) attrs.put("count_include_pad", includePad ? "True" : "False");
        Node pool = op("Pooling", "pool", attrs, var("data"));
        Symbol sym = Graphs.sym(pool);
        long[] ys = {xs[0], xs[1], oh, ow};
        assertEquals(ShapeInference.infer(sym, Map.of("data", xs)).shape(pool.output(0)), ys);
        float[] x = rand(new SplittableRandom(k * 7 + s + p), size(xs), -2, 2);
        float[] got = Graphs.run(sym, Map.of(), xs, x);
        float[] want = Reference.pool(x, xs, ys, new int[] {k, k}, new int[] {s, s}, new int[] {p, p}, type,
                includePad == null || includePad);
        Reference.assertClose(got, want, 1e-5, type + "/" + convention + "/" + includePad);
    }

    @Test
    public void globalPooling() {
        long[] xs = {2, 5, 6, 7};
        float[] x = rand(new SplittableRandom(3), size(xs));
        for (String type : new String[] {"avg", "max", "sum"}) {
            Map<String, String> attrs = Map.of("kernel", "(3, 3)", "global_pool", "True", "pool_type", type,
                    "pooling_convention", "full", "pad", "(1, 1)", "stride", "(2, 2)");
            Node pool = op("Pooling", "gp", attrs, var("data"));
            float[] got = Graphs.run(Graphs.sym(pool), Map.of(), xs, x);
            float[] want = Reference.pool(x, xs, new long[] {2, 5, 1, 1}, new int[] {6, 7}, new int[] {1, 1}, new int[] {0, 0},
                    type, true);
            Reference.assertClose(got, want, 1e-5, "global " + type);
        }
    }
}
