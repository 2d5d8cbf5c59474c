package org.quantize4j.ops;

import java.util.ArrayList;
import java.util.List;

import org.bytedeco.dnnl.memory;

/**
 * The scalars of one quantized node (input ranges, scales, output ranges): each is known at build time
 * when everything it depends on is (calibrated ranges, parameters), else computed every forward() by one
 * {@link HostStep} that reads the run-time sources and writes the run-time targets. Call {@link #finish()}
 * after declaring every target and before adding the primitives that read them.
 *
 * <pre>{@code
 * RangeCalc r = new RangeCalc(ctx);
 * int lo = r.input(1), hi = r.input(2);
 * memory srcScale = r.scale(v -> Int8.unit(v[lo], v[hi], DType.INT8), lo, hi);
 * r.output(1, v -> -Int8.amax(v[lo], v[hi]), lo, hi);
 * r.finish();
 * }</pre>
 */
final class RangeCalc {
    /** A scalar from the slot values (must not allocate: it runs every forward()). */
    @FunctionalInterface
    interface Fn {
        float apply(float[] v);
    }

    private static final long[] ONE = {1};

    private final KernelContext ctx;
    private final List<Float> constants = new ArrayList<>();   // null = run-time slot
    private final List<memory> sources = new ArrayList<>();
    private final List<Integer> sourceSlots = new ArrayList<>();
    private final List<memory> targets = new ArrayList<>();
    private final List<Fn> targetFns = new ArrayList<>();
    private final List<float[]> targetBases = new ArrayList<>();
    private boolean finished;

    RangeCalc(KernelContext ctx) {
        this.ctx = ctx;
    }

    /** A slot holding node input {@code i} (one float: a min or max). */
    int input(int i) {
        float[] c = ctx.constantValue(i);
        if (c != null) {
            if (c.length != 1) throw ctx.unsupported("input " + i + " should hold one value (a min or max), has " + c.length);
            return constant(c[0]);
        }
        return memory(ctx.input(i, Layouts.plain(ONE)));
    }

    /** A slot read at run time from {@code m} (one float32 of this context). */
    int memory(memory m) {
        constants.add(null);
        sources.add(m);
        sourceSlots.add(constants.size() - 1);
        return constants.size() - 1;
    }

    /** A slot with a build-time value. */
    int constant(float v) {
        constants.add(v);
        return constants.size() - 1;
    }

    boolean isConstant(int... slots) {
        for (int s : slots) if (constants.get(s) == null) return false;
        return true;
    }

    /** The value of a constant slot. */
    float value(int slot) {
        Float v = constants.get(slot);
        if (v == null) throw new IllegalStateException("slot " + slot + " is only known at run time");
        return v;
    }

    private float[] constantValues() {
        float[] v = new float[constants.size()];
        for (int i = 0; i < v.length; i++) v[i] = constants.get(i) == null ? Float.NaN : constants.get(i);
        return v;
    }

    /** A one-float memory for a primitive's scale argument: {@code fn} of the slots {@code deps}. */
    memory scale(Fn fn, int... deps) {
        check();
        memory.desc d = Layouts.plain(ONE);
        if (isConstant(deps)) return ctx.constant(d, new float[] {fn.apply(constantValues())});
        memory m = ctx.temp(d);
        targets.add(m);
        targetFns.add(fn);
        targetBases.add(null);
        return m;
    }

    /**
     * A float32 memory of {@code desc} (plain, {@code base.length} elements) holding {@code base[i] * fn(slots)},
     * e.g. per-channel factors with an input's unit folded in.
     */
    memory scaledVector(memory.desc desc, float[] base, Fn fn, int... deps) {
        check();
        if (isConstant(deps)) {
            float f = fn.apply(constantValues());
            float[] v = new float[base.length];
            for (int i = 0; i < v.length; i++) v[i] = base[i] * f;
            return ctx.constant(desc, v);
        }
        memory m = ctx.temp(desc);
        targets.add(m);
        targetFns.add(fn);
        targetBases.add(base.clone());
        return m;
    }

    /** Output {@code j} (one float) = {@code fn} of the slots {@code deps}; a build-time constant when they are. */
    void output(int j, Fn fn, int... deps) {
        check();
        if (isConstant(deps)) {
            ctx.outputConstant(j, new float[] {fn.apply(constantValues())});
            return;
        }
        targets.add(ctx.output(j, Layouts.plain(ONE)));
        targetFns.add(fn);
        targetBases.add(null);
    }

    /** Whether any target is computed at run time. */
    boolean hasRuntimeTargets() { return !targets.isEmpty(); }

    private void check() {
        if (finished) throw new IllegalStateException("RangeCalc already finished");
    }

    /** Adds the host step computing the run-time targets (if any). */
    void finish() {
        check();
        finished = true;
        if (targets.isEmpty()) return;
        float[] v = constantValues();
        int ns = sources.size();
        int[] slotOf = new int[ns];
        for (int k = 0; k < ns; k++) slotOf[k] = sourceSlots.get(k);
        Fn[] fns = targetFns.toArray(new Fn[0]);
        float[][] bases = targetBases.toArray(new float[0][]);
        memory[] mems = new memory[ns + fns.length];
        for (int k = 0; k < ns; k++) mems[k] = sources.get(k);
        for (int k = 0; k < fns.length; k++) mems[ns + k] = targets.get(k);
        ctx.addHostStep(b -> {
            for (int k = 0; k < ns; k++) v[slotOf[k]] = b[k].getFloat(0);
            for (int k = 0; k < fns.length; k++) {
                float f = fns[k].apply(v);
                float[] base = bases[k];
                if (base == null) {
                    b[ns + k].putFloat(0, f);
                } else {
                    for (int i = 0; i < base.length; i++) b[ns + k].putFloat(4 * i, base[i] * f);
                }
            }
        }, mems);
    }
}
