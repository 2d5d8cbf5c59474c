package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.FloatBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.quantize4j.Model;
import org.quantize4j.gluon.NameManager;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.init.Xavier;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.HybridSequential;
import org.testng.annotations.Test;

/** {@link Executor#profile}: every step once per iteration, times that add up, reorders classified. */
public class ExecutorProfileTest {
    private static Model tiny(boolean withDense) {
        HybridSequential net;
        try (NameScope s = NameManager.fresh()) {
            net = new HybridSequential();
            net.add(new Conv2D(8, 3));
            if (withDense) net.add(new Flatten(), new Dense(4));
        }
        net.initialize(new Xavier(), 1);
        net.inferShape(new long[] {2, 3, 6, 6});
        return net.toModel();
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 17) / 17f - 0.5f;
        return v;
    }

    @Test
    public void everyStepProfiledOncePerIterationAndOutputsUnchanged() {
        Model m = tiny(true);
        Map<String, long[]> shape = Map.of("data", new long[] {2, 3, 6, 6});
        try (Executor ex = Executor.create(m.symbol(), m.allParams(), shape, new ExecutorOptions(1))) {
            float[] expected = ex.forward(ramp(2 * 3 * 6 * 6));
            ExecutorProfile p = ex.profile(5);
            assertEquals(p.iterations(), 5);
            assertEquals(p.steps().size(), ex.numSteps());
            Set<Integer> indices = new HashSet<>();
            for (StepProfile s : p.steps()) {
                assertEquals(s.calls(), 5, s.toString());
                assertTrue(s.totalNanos() > 0, s.toString());
                assertFalse(s.impl().isBlank(), s.toString());
                assertFalse(s.kind().isBlank(), s.toString());
                indices.add(s.index());
            }
            assertEquals(indices.size(), ex.numSteps());
            // The steps cover the passes end to end: only the loop and the clock are outside them.
            assertTrue(p.stepNanos() <= p.totalNanos(), p.stepNanos() + " > " + p.totalNanos());
            assertTrue(p.stepNanos() >= 0.9 * p.totalNanos(), p.stepNanos() + " vs " + p.totalNanos());
            List<StepProfile> sorted = p.sortedByTime();
            for (int i = 1; i < sorted.size(); i++) assertTrue(sorted.get(i - 1).totalNanos() >= sorted.get(i).totalNanos());
            assertTrue(p.steps().stream().anyMatch(s -> s.kind().equals("convolution")), p.toString());
            assertTrue(p.steps().stream().anyMatch(s -> s.kind().equals("inner_product")), p.toString());
            assertEquals(ex.output(0).toFloatArray(), expected, "profile runs real forward passes");
        }
    }

    @Test
    public void reordersAtTheBoundaryAreToldApartFromReordersInside() {
        // conv alone: NCHW input -> NHWC (reads the input staging buffer), NHWC -> NCHW output (writes the output).
        Model conv = tiny(false);
        Map<String, long[]> shape = Map.of("data", new long[] {2, 3, 6, 6});
        try (Executor ex = Executor.create(conv.symbol(), conv.allParams(), shape, new ExecutorOptions(1))) {
            ex.setInput("data", FloatBuffer.wrap(ramp(2 * 3 * 6 * 6)));
            ExecutorProfile p = ex.profile(1);
            assertEquals(p.reorders(), 2, p.toString());
            assertEquals(p.reordersInside(), 0, p.toString());
            for (StepProfile s : p.steps()) if (s.isReorder()) assertTrue(s.boundary(), s.toString());
        }
        // conv -> flatten -> dense: flatten needs the NHWC activation in NCHW order, a reorder inside the graph.
        Model dense = tiny(true);
        try (Executor ex = Executor.create(dense.symbol(), dense.allParams(), shape, new ExecutorOptions(1))) {
            ex.setInput("data", FloatBuffer.wrap(ramp(2 * 3 * 6 * 6)));
            ExecutorProfile p = ex.profile(1);
            assertTrue(p.reordersInside() >= 1, p.toString());
            assertTrue(p.reorders() > p.reordersInside(), "the input reorder is at the boundary: " + p);
        }
    }

    @Test
    public void badIterationsAndClosedExecutor() {
        Model m = tiny(false);
        Executor ex = Executor.create(m.symbol(), m.allParams(), Map.of("data", new long[] {2, 3, 6, 6}), new ExecutorOptions(1));
        expectThrows(IllegalArgumentException.class, () -> ex.profile(0));
        ex.close();
        expectThrows(IllegalStateException.class, () -> ex.profile(1));
    }
}
