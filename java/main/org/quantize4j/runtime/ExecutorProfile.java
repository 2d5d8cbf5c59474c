package org.quantize4j.runtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where the time of {@link Executor#forward()} goes: one {@link StepProfile} per step, in forward() order,
 * measured over {@code iterations} forward passes whose wall time was {@code totalNanos}. The steps' times
 * add up to a little less than the wall time (the rest is the loop and the timer itself).
 *
 * <pre>{@code
 * ExecutorProfile p = executor.profile(20);
 * System.out.printf("%.3f ms per forward, %d reorders inside the graph%n", p.millisPerIteration(), p.reordersInside());
 * StepProfile slowest = p.sortedByTime().get(0);
 * }</pre>
 *
 * @param steps      every step, in forward() order
 * @param iterations forward passes profiled
 * @param totalNanos wall time of those forward passes
 */
public record ExecutorProfile(List<StepProfile> steps, int iterations, long totalNanos) {
    public ExecutorProfile {
        steps = List.copyOf(steps);
    }

    /** Wall time per forward pass in milliseconds. */
    public double millisPerIteration() {
        return iterations == 0 ? 0 : totalNanos / 1e6 / iterations;
    }

    /** Sum of the steps' times (nanoseconds, over all iterations). */
    public long stepNanos() {
        long s = 0;
        for (StepProfile p : steps) s += p.totalNanos();
        return s;
    }

    /** The steps, slowest first (ties in forward() order). */
    public List<StepProfile> sortedByTime() {
        List<StepProfile> l = new ArrayList<>(steps);
        l.sort(Comparator.comparingLong(StepProfile::totalNanos).reversed().thenComparingInt(StepProfile::index));
        return l;
    }

    /** Number of reorder steps. */
    public int reorders() {
        int n = 0;
        for (StepProfile p : steps) if (p.isReorder()) n++;
        return n;
    }

    /** Number of reorder steps that neither read a graph input nor write a graph output. */
    public int reordersInside() {
        int n = 0;
        for (StepProfile p : steps) if (p.isReorder() && !p.boundary()) n++;
        return n;
    }
}
