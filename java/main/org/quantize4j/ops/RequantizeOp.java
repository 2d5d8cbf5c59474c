package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.memory;
import org.quantize4j.ndarray.DType;

/**
 * MXNet {@code _contrib_requantize}: an int32 triple (a quantized conv / FC / add / mul result) to int8 or
 * uint8. With {@code min_calib_range} / {@code max_calib_range} the output range is that (constant);
 * without, it is the input's actual min/max, measured every forward() (MXNet's calib_mode none).
 * {@code out_type} int8 (default), uint8 or auto (uint8 when the calibrated minimum is >= 0).
 * The runtime holds int32 tensors as their real values ({@link Int8}), so this is one quantizing reorder;
 * no step at all when the producing conv/FC wrote the result itself or when only dequantize / quantized
 * BatchNorm nodes read it (see {@link #passesRealValues}).
 *
 * <pre>{@code
 * // requantize_conv0 = _contrib_requantize(quantized_conv0, ..[1], ..[2], out_type="auto",
 * //                                        min_calib_range=0.0, max_calib_range=5.9)
 * }</pre>
 */
public final class RequantizeOp implements Op<CalibratedOutput> {
    @Override public String name() { return "_contrib_requantize"; }

    @Override public Set<String> attributeNames() { return CalibratedOutput.ATTRS; }

    @Override
    public CalibratedOutput parse(AttrReader a) { return CalibratedOutput.parse(a); }

    @Override public List<String> inputNames(CalibratedOutput p) { return List.of("data", "min_range", "max_range"); }

    @Override
    public InputRole inputRole(CalibratedOutput p, int i) { return i == 0 ? InputRole.DATA : InputRole.RANGE; }

    @Override public int numOutputs(CalibratedOutput p) { return 3; }

    @Override public int numVisibleOutputs(CalibratedOutput p) { return 3; }

    @Override
    public void inferShape(CalibratedOutput p, ShapeContext ctx) {
        QuantKernels.rangeShapes(ctx, 1);
        ctx.setOut(0, ctx.requireIn(0));
        ctx.setOut(1, new long[] {1});
        ctx.setOut(2, new long[] {1});
    }

    @Override
    public void inferType(CalibratedOutput p, TypeContext ctx) {
        ctx.assignIn(0, DType.INT32);
        QuantKernels.rangeTypes(ctx, 1);
        ctx.setOut(0, p.type());
    }

    /**
     * True when every reader of the requantized data is a {@code _contrib_dequantize} or a
     * {@code _contrib_quantized_batch_norm} (and it is no graph output): both can take the exact float32 values,
     * so the runtime passes them on instead of rounding to the int8 grid first, as MXNet's oneDNN backend does
     * when it gives a quantized conv float output or folds the BatchNorm into the conv. More accurate (the pass
     * puts requantize before BatchNorm only because MXNet's unfused kernels need int8 there) and cheaper.
     */
    static boolean passesRealValues(KernelContext ctx, org.quantize4j.graph.Node requantize) {
        if (ctx.isGraphOutput(requantize, 0)) return false;
        List<org.quantize4j.graph.Node> readers = ctx.consumersOf(requantize, 0);
        if (readers.isEmpty()) return false;
        for (org.quantize4j.graph.Node n : readers) {
            if (!n.op().equals("_contrib_dequantize") && !n.op().equals("_contrib_quantized_batch_norm")) return false;
        }
        return true;
    }



    @Override
    public void build(CalibratedOutput p, KernelContext ctx) {
        long[] x = ctx.inputShape(0);
        DType type = p.type();
        memory.desc srcMd = ctx.inputDesc(0);
        memory src = ctx.input(0);
        if (srcMd.get_data_type().value != memory.data_type.f32.value) {
            // The producer already wrote this node's quantized result (see QuantizedConvolutionOp).
            ctx.outputAlias(0, src, srcMd);
            ctx.outputConstant(1, new float[] {type == DType.UINT8 ? 0f : -Int8.amax(p.minCalib(), p.maxCalib())});
            ctx.outputConstant(2, new float[] {Int8.amax(p.minCalib(), p.maxCalib())});
            return;
        }
        if (passesRealValues(ctx, ctx.node())) {
            ctx.outputAlias(0, src, srcMd);
            RangeCalc r = new RangeCalc(ctx);
            int lo = p.calibrated() ? r.constant(p.minCalib()) : r.input(1);
            int hi = p.calibrated() ? r.constant(p.maxCalib()) : r.input(2);
            QuantKernels.int8RangeOutputs(r, type, v -> Int8.amax(v[lo], v[hi]), lo, hi);
            r.finish();
            return;
        }
        memory.desc dstMd = Layouts.likeInput(srcMd, x, Int8.physicalType(type));
        QuantKernels.quantizeInto(ctx, p, type, srcMd, src, dstMd);
    }
}
