package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_SCALES;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reduction;
import org.bytedeco.dnnl.reorder;
import org.quantize4j.ndarray.DType;

/** oneDNN building blocks shared by the quantized ops (package-private). */
final class QuantKernels {
    private QuantKernels() {
    }

    /**
     * The one subgraph of a fused oneDNN node ({@code _sg_mkldnn_conv}, {@code _sg_mkldnn_fully_connected}), which must
     * have one output; {@code what} names the node kind in errors.
     */
    static org.quantize4j.graph.Symbol fusedSubgraph(AttrReader a, String what) {
        org.quantize4j.graph.Node node = a.node();
        if (node.subgraphs().size() != 1) {
            throw a.error("subgraphs", "a fused " + what + " needs exactly one subgraph, found " + node.subgraphs().size());
        }
        org.quantize4j.graph.Symbol sub = node.subgraphs().get(0);
        if (sub.heads().size() != 1) throw a.error("subgraphs", "the subgraph must have one output, found " + sub.heads().size());
        return sub;
    }

    /** {@code base} plus the given attribute names. */
    static Set<String> attrs(Set<String> base, String... more) {
        Set<String> s = new HashSet<>(base);
        s.addAll(List.of(more));
        return Set.copyOf(s);
    }

    /** An optional float attribute (absent or "None" = null). */
    static Float optionalFloat(AttrReader a, String key) {
        if (!a.has(key) || a.raw(key).trim().equals("None")) return null;
        return a.floatValue(key, 0f);
    }

    /** Checks that a calibrated range is a range: both or neither given, finite, min <= max. */
    static void checkCalib(AttrReader a, Float min, Float max) {
        if ((min == null) != (max == null)) {
            throw a.error(min == null ? "min_calib_range" : "max_calib_range", "min_calib_range and max_calib_range go together");
        }
        if (min != null && (!Float.isFinite(min) || !Float.isFinite(max) || min > max)) {
            throw a.error("min_calib_range", "calibrated range [" + min + ", " + max + "] is not a finite range");
        }
    }

    /**
     * Shape rule of a quantized op: the FP32 rule ({@code fp32}, producing {@code fp32Outputs} outputs) on its first
     * {@code n} inputs, shape (1,) for the (min, max) inputs after them, outputs (data, (1,), (1,)).
     */
    static void tripleShapes(ShapeContext ctx, int n, int fp32Outputs, java.util.function.Consumer<ShapeContext> fp32) {
        quantizedShapes(ctx, n, fp32Outputs, 1, fp32);
    }

    /**
     * Shape rule of a quantized conv / FC: as {@link #tripleShapes}, but the weight's range (inputs {@code n + 2},
     * {@code n + 3}) may hold one value per output channel ({@code channels}); every output after the data is (1,)
     * (none for a fused node with float output).
     */
    static void weightedTripleShapes(ShapeContext ctx, int n, long channels, java.util.function.Consumer<ShapeContext> fp32) {
        quantizedShapes(ctx, n, 1, channels, fp32);
    }

    private static void quantizedShapes(ShapeContext ctx, int n, int fp32Outputs, long weightChannels,
                                        java.util.function.Consumer<ShapeContext> fp32) {
        long[][] out = ctx.runOnPrefix(n, fp32Outputs, fp32);
        rangeShapesWithChannelWeights(ctx, n, n + 2, weightChannels);
        ctx.setOut(0, out[0]);
        for (int j = 1; j < ctx.numOutputs(); j++) ctx.setOut(j, new long[] {1});
    }

    /** Type rule of a quantized conv / FC: u8/s8 data, int8 weight and bias, float32 ranges, an int32 triple out. */
    static void int32AccumulatorTypes(TypeContext ctx, int n) {
        ctx.requireOneOf(0, DType.UINT8, DType.INT8);
        for (int i = 1; i < n; i++) ctx.assignIn(i, DType.INT8);
        rangeTypes(ctx, n);
        ctx.setOut(0, DType.INT32);
    }

    /** Type rule of a quantized op passing its int8/uint8 input's type on (pooling, flatten). */
    static void sameInt8Type(TypeContext ctx) {
        DType t = ctx.requireOneOf(0, DType.INT8, DType.UINT8);
        rangeTypes(ctx, 1);
        ctx.setOut(0, t);
    }

    /** Input shapes (1,) for the (min, max) inputs {@code from .. numInputs-1}. */
    static void rangeShapes(ShapeContext ctx, int from) {
        for (int i = from; i < ctx.numInputs(); i++) ctx.assignIn(i, new long[] {1});
    }

    /**
     * Shapes of the (min, max) inputs {@code from ..} of a quantized conv / FC, whose weight range (inputs
     * {@code weightRange}, {@code weightRange + 1}) may be one value per output channel (our channel-wise offline
     * weights) instead of MXNet's single value.
     */
    static void rangeShapesWithChannelWeights(ShapeContext ctx, int from, int weightRange, long channels) {
        for (int i = from; i < ctx.numInputs(); i++) {
            long[] known = ctx.in(i);
            boolean perChannel = (i == weightRange || i == weightRange + 1) && known != null
                    && known.length == 1 && known[0] == channels && channels > 1;
            ctx.assignIn(i, perChannel ? known : new long[] {1});
        }
    }

    /**
     * The weight scale argument of a quantized conv / FC and the range slots it came from.
     *
     * @param channelUnits per-output-channel units, or null for one scale (then {@code scale} holds one value)
     */
    record WeightScales(memory scale, int lo, int hi, float[] channelUnits) {
    }

    /**
     * Weight scales from range inputs {@code lo}/{@code hi}: one range (MXNet's) or one per output channel
     * (channel-wise offline weights, which must be parameters). With channels, the slots hold the largest
     * channel's range, so the int32-like output range stays a single (informational) value.
     */
    static WeightScales weightScales(KernelContext ctx, RangeCalc r, int lo, int hi, long channels) {
        float[] units = channelWeightUnits(ctx, lo, hi, channels);
        if (units == null) {
            int l = r.input(lo);
            int h = r.input(hi);
            return new WeightScales(r.scale(v -> Int8.unitOfAmax(Int8.amax(v[l], v[h]), 127f), l, h), l, h, null);
        }
        float maxUnit = max(units);
        return new WeightScales(ctx.constant(Layouts.plain(new long[] {units.length}), units),
                r.constant(-maxUnit * 127f), r.constant(maxUnit * 127f), units);
    }

    /**
     * Per-output-channel units (real value of one int8 step) of weights whose range inputs {@code lo}/{@code hi} are
     * parameter vectors with one (min, max) per output channel; null for a single (MXNet) range.
     */
    private static float[] channelWeightUnits(KernelContext ctx, int lo, int hi, long channels) {
        float[] l = ctx.constantValue(lo);
        float[] h = ctx.constantValue(hi);
        if (l == null || h == null || (l.length == 1 && h.length == 1)) return null;
        if (l.length != channels || h.length != channels) {
            throw ctx.unsupported("weight min/max hold " + l.length + "/" + h.length + " values; expected 1 or one per output channel ("
                    + channels + ")");
        }
        float[] u = new float[l.length];
        for (int i = 0; i < u.length; i++) u[i] = Int8.unitOfAmax(Int8.amax(l[i], h[i]), 127f);
        return u;
    }

    static float max(float[] v) {
        float m = v[0];
        for (float x : v) m = Math.max(m, x);
        return m;
    }

    /**
     * Scales of a quantized conv / FC ({@code _contrib_quantized_conv / _fully_connected}) with inputs data, weight,
     * [bias] ({@code n} of them) then their (min, max) pairs: the source scale, the weight scale(s), and its int32
     * triple's reported range on outputs 1 and 2 ({@code +-unit_data * unit_weight * 2147483647}).
     *
     * @param perChannel the weight scales are one per output channel (mask over the output channel)
     */
    record Int32Scales(memory src, memory weights, boolean perChannel) {
    }

    static Int32Scales int32Scales(KernelContext ctx, RangeCalc r, int n, long channels) {
        SourceScale src = sourceScale(ctx, r, 0, n);
        WeightScales ws = weightScales(ctx, r, n + 2, n + 3, channels);
        int wlo = ws.lo();
        int whi = ws.hi();
        RangeCalc.Fn outMax = v -> src.unit(v) * Int8.unitOfAmax(Int8.amax(v[wlo], v[whi]), 127f) * Int8.INT32_LEVELS;
        r.output(1, v -> -outMax.apply(v), src.lo(), src.hi(), wlo, whi);
        r.output(2, outMax, src.lo(), src.hi(), wlo, whi);
        return new Int32Scales(src.scale(), ws.scale(), ws.channelUnits() != null);
    }

    /**
     * The int8/uint8 source of a quantized conv / FC: the slots of its (min, max) range, its level count and the scale
     * memory oneDNN dequantizes it with ({@code amax / levels}).
     */
    record SourceScale(int lo, int hi, float levels, memory scale) {
        /** The source's unit from the slot values. */
        float unit(float[] v) { return Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), levels); }

        /**
         * The source's quantization multiplier {@code levels / amax} when its range is known now (the bias guard of
         * {@link WeightQuantizer} needs it); 0 (no guard) for a range known only at run time.
         */
        float multiplier(RangeCalc r) {
            float amax = r.isConstant(lo, hi) ? Int8.amax(r.value(lo), r.value(hi)) : 0f;
            return amax > 0f && Float.isFinite(amax) ? levels / amax : 0f;
        }
    }

    /** The source scale of input {@code data} whose (min, max) are inputs {@code minInput}, {@code minInput + 1}. */
    static SourceScale sourceScale(KernelContext ctx, RangeCalc r, int data, int minInput) {
        int lo = r.input(minInput);
        int hi = r.input(minInput + 1);
        float levels = Int8.levels(ctx.inputType(data));
        return new SourceScale(lo, hi, levels, r.scale(v -> Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), levels), lo, hi));
    }

    /**
     * Outputs 1 and 2 of a quantized fused conv / FC writing {@code outType}: the calibrated range of an int8/uint8
     * output, or the reported int32 range {@code +-unit_src * maxWeightUnit * 2147483647}; none for a float output.
     */
    static void fusedOutputRanges(RangeCalc r, DType outType, Float minCalib, Float maxCalib, SourceScale src, float maxWeightUnit) {
        if (Int8.isInt8(outType)) {
            float amax = Int8.amax(minCalib, maxCalib);
            int8RangeOutputs(r, outType, v -> amax);
        } else if (outType == DType.INT32) {
            RangeCalc.Fn outMax = v -> src.unit(v) * maxWeightUnit * Int8.INT32_LEVELS;
            r.output(1, v -> -outMax.apply(v), src.lo(), src.hi());
            r.output(2, outMax, src.lo(), src.hi());
        }
    }

    /** Fails naming the input unless every one of {@code inputs} is a parameter ({@code why}: what needs it so). */
    static void requireParameters(KernelContext ctx, java.util.List<String> names, String why, int... inputs) {
        for (int i : inputs) {
            if (!ctx.isParameter(i)) {
                throw ctx.unsupported("input " + i + " (" + names.get(i) + ") is computed by the graph; " + why);
            }
        }
    }

    /** FP32 weights quantized now by {@link WeightQuantizer}; a bad weight is an error naming input {@code name}. */
    static WeightQuantizer.Int8Weights quantizeWeights(KernelContext ctx, String name, org.quantize4j.ndarray.NDArray w,
                                                       org.quantize4j.QuantizeGranularity g, float[] bias, float dataMultiplier) {
        try {
            return WeightQuantizer.quantize(w, g, bias, dataMultiplier);
        } catch (IllegalArgumentException e) {
            throw ctx.unsupported("weight '" + name + "': " + e.getMessage());
        }
    }

    /** Type rule of the (min, max) inputs {@code from ..} and outputs 1, 2: float32. */
    static void rangeTypes(TypeContext ctx, int from) {
        for (int i = from; i < ctx.numInputs(); i++) ctx.assignIn(i, DType.FLOAT32);
        ctx.setOut(1, DType.FLOAT32);
        ctx.setOut(2, DType.FLOAT32);
    }

    /**
     * Two run-time scalars: the minimum and maximum of float32 memory {@code src} (layout {@code md}), by
     * oneDNN reductions into scratch memories of this node. A dense tensor is reduced as one flat vector
     * (oneDNN has a jit kernel for that; reducing a 4-D NHWC tensor to 1x1x1x1 runs its reference code).
     */
    static memory[] minMax(KernelContext ctx, memory src, memory.desc md) {
        long count = 1;
        for (long d : Layouts.dimsOf(md)) count *= d;
        memory.desc flat = md;
        memory in = src;
        if (md.get_size() == count * 4 && md.get_submemory_offset() == 0 && md.get_inner_nblks() == 0) {
            flat = Layouts.plain(new long[] {count});
            in = ctx.view(src, flat);
        }
        long[] ones = new long[flat.get_ndims()];
        Arrays.fill(ones, 1);
        memory.desc one = Layouts.plain(ones);
        memory[] out = new memory[2];
        algorithm[] algs = {algorithm.reduction_min, algorithm.reduction_max};
        for (int k = 0; k < 2; k++) {
            reduction.primitive_desc pd = new reduction.primitive_desc(ctx.engine(), algs[k], flat, one, 0f, 0f, ctx.newAttr(), false);
            out[k] = ctx.temp(one);
            IntMemoryMap args = ctx.newArgs();
            args.put(DNNL_ARG_SRC, in);
            args.put(DNNL_ARG_DST, out[k]);
            ctx.addPrimitive(new reduction(pd), pd, args);
        }
        return out;
    }

    /**
     * A reorder step {@code dst = src * srcScale / dstScale} (oneDNN's conversion rounds to nearest and
     * saturates to the destination type); either scale memory may be null (1).
     */
    static void scaledReorder(KernelContext ctx, memory.desc srcMd, memory src, memory.desc dstMd, memory dst,
                              memory srcScale, memory dstScale) {
        scaledReorder(ctx, srcMd, src, dstMd, dst, srcScale, dstScale, false);
    }

    /** As above; with {@code accumulate} the result is added to what dst holds (a sum post-op). */
    static void scaledReorder(KernelContext ctx, memory.desc srcMd, memory src, memory.desc dstMd, memory dst,
                              memory srcScale, memory dstScale, boolean accumulate) {
        primitive_attr attr = ctx.newAttr();
        if (accumulate) {
            org.bytedeco.dnnl.post_ops po = new org.bytedeco.dnnl.post_ops();
            po.append_sum(1f, 0, memory.data_type.undef);
            attr.set_post_ops(po);
        }
        if (srcScale != null) attr.set_scales_mask(DNNL_ARG_SRC, 0);
        if (dstScale != null) attr.set_scales_mask(DNNL_ARG_DST, 0);
        reorder.primitive_desc pd = new reorder.primitive_desc(ctx.engine(), srcMd, ctx.engine(), dstMd, attr, false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_FROM, src);
        args.put(DNNL_ARG_TO, dst);
        if (srcScale != null) args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, srcScale);
        if (dstScale != null) args.put(DNNL_ARG_ATTR_SCALES | DNNL_ARG_DST, dstScale);
        ctx.addPrimitive(new reorder(pd), pd, args);
    }

    /**
     * Quantizes float32 (or int32-as-real) memory {@code src} into output 0 ({@code dstMd}, int8/uint8 {@code type})
     * with one scaled reorder, at the calibrated range of {@code p} or, uncalibrated, at the range measured at run time;
     * outputs 1 and 2 get the range ({@code _contrib_quantize_v2}, {@code _contrib_requantize}).
     */
    static void quantizeInto(KernelContext ctx, CalibratedOutput p, DType type, memory.desc srcMd, memory src, memory.desc dstMd) {
        RangeCalc r = new RangeCalc(ctx);
        int lo;
        int hi;
        if (p.calibrated()) {
            lo = r.constant(p.minCalib());
            hi = r.constant(p.maxCalib());
        } else {
            memory[] mm = minMax(ctx, src, srcMd);
            lo = r.memory(mm[0]);
            hi = r.memory(mm[1]);
        }
        float levels = Int8.levels(type);
        memory dstScale = r.scale(v -> Int8.unitOfAmax(Int8.amax(v[lo], v[hi]), levels), lo, hi);
        int8RangeOutputs(r, type, v -> Int8.amax(v[lo], v[hi]), lo, hi);
        r.finish();
        scaledReorder(ctx, srcMd, src, dstMd, ctx.output(0, dstMd), null, dstScale);
    }

    /**
     * The (min, max) outputs 1 and 2 of a node whose int8/uint8 output has range amax (slot function):
     * int8 {@code (-amax, amax)}, uint8 {@code (0, amax)}.
     */
    static void int8RangeOutputs(RangeCalc r, DType type, RangeCalc.Fn amax, int... deps) {
        boolean unsigned = type == DType.UINT8;
        r.output(1, v -> unsigned ? 0f : -amax.apply(v), deps);
        r.output(2, amax, deps);
    }

    /**
     * The calibrated {@code _contrib_requantize} that alone reads this node's int32 triple, when the node can
     * write that requantize's int8/uint8 result itself (one primitive with a destination scale instead of a
     * float32 tensor and a quantizing reorder); null otherwise. The requantize then passes the bytes on
     * ({@link RequantizeOp}).
     */
    static CalibratedOutput fusableRequantize(KernelContext ctx) {
        org.quantize4j.graph.Node self = ctx.node();
        for (int j = 0; j < 3; j++) if (ctx.isGraphOutput(self, j)) return null;
        List<org.quantize4j.graph.Node> readers = ctx.consumersOf(self, 0);
        if (readers.size() != 1) return null;
        org.quantize4j.graph.Node rq = readers.get(0);
        if (!rq.op().equals("_contrib_requantize") || rq.inputs().size() != 3) return null;
        for (int j = 1; j < 3; j++) {
            for (org.quantize4j.graph.Node n : ctx.consumersOf(self, j)) if (n != rq) return null;
        }
        for (int i = 0; i < 3; i++) {
            if (rq.input(i).node() != self || rq.input(i).index() != i) return null;
        }
        CalibratedOutput p = CalibratedOutput.parse(new AttrReader(rq, rq.op()));
        if (!p.calibrated() || RequantizeOp.passesRealValues(ctx, rq)) return null;
        return p;
    }
}
