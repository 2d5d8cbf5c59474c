package org.quantize4j.passes.fusion;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;

import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ops.FusedConvolutionOp;
import org.quantize4j.ops.FusedFullyConnectedOp;
import org.quantize4j.ops.OpRegistry;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;

/** Shared by the fusion tests: registering the fused ops, running graphs and comparing outputs. */
public final class FusionTestSupport {
    private FusionTestSupport() {
    }

    /** Makes the fused ops available to executors (until OpRegistry registers them itself). */
    public static synchronized void registerFusedOps() {
        OpRegistry r = OpRegistry.standard();
        if (r.find(FusedConvolutionOp.NAME) == null) r.register(new FusedConvolutionOp());
        if (r.find(FusedFullyConnectedOp.NAME) == null) r.register(new FusedFullyConnectedOp());
    }

    /** Runs {@code sym} on {@code x} (input "data" of shape {@code shape}) and returns output 0. */
    public static float[] run(Symbol sym, Map<String, NDArray> params, long[] shape, float[] x) {
        registerFusedOps();
        try (Executor ex = Executor.create(sym, params, Map.of("data", shape), ExecutorOptions.defaults())) {
            ex.setInput("data", FloatBuffer.wrap(x));
            ex.forward();
            return ex.output(0).toFloatArray();
        }
    }

    public static float[] random(long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
        return v;
    }

    /**
     * Max over rows (images) of max |a - b| / max |b| within the row: the relative error measure of the
     * FP32 fixture tests. {@code rowLength} values per row.
     */
    public static double maxRelError(float[] a, float[] b, int rowLength) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double worst = 0;
        for (int start = 0; start < a.length; start += rowLength) {
            double scale = 0;
            double diff = 0;
            for (int i = start; i < start + rowLength; i++) {
                if (!Float.isFinite(a[i]) || !Float.isFinite(b[i])) return Double.POSITIVE_INFINITY;
                scale = Math.max(scale, Math.abs(b[i]));
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            worst = Math.max(worst, scale == 0 ? diff : diff / scale);
        }
        return worst;
    }
}
