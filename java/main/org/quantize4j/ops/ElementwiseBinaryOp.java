package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;

/**
 * MXNet's two-input arithmetic ops as oneDNN {@code binary}: {@code elemwise_add} (aliases
 * {@code _add, _plus, _Plus}), {@code elemwise_sub}, {@code elemwise_mul} (equal shapes), and
 * {@code broadcast_add / _sub / _mul} (numpy broadcasting, the smaller operand broadcast; shapes of
 * lower rank are padded with leading 1s as MXNet does). The result is written in place over the
 * first operand when it is not needed afterwards.
 *
 * <pre>{@code
 * // out = elemwise_add(conv_out, shortcut)
 * Op<?> add = OpRegistry.standard().find("_Plus");
 * }</pre>
 */
public final class ElementwiseBinaryOp implements Op<ElementwiseBinaryOp.Params> {
    public record Params() {}

    private final String name;
    private final List<String> aliases;
    private final algorithm alg;
    private final boolean broadcast;
    private final boolean commutative;
    private final Quantizability quantizability;

    private ElementwiseBinaryOp(String name, List<String> aliases, algorithm alg, boolean broadcast, boolean commutative,
                                Quantizability quantizability) {
        this.name = name;
        this.aliases = aliases;
        this.alg = alg;
        this.broadcast = broadcast;
        this.commutative = commutative;
        this.quantizability = quantizability;
    }

    public static ElementwiseBinaryOp elemwiseAdd() {
        return new ElementwiseBinaryOp("elemwise_add", List.of("_add", "_plus", "_Plus"), algorithm.binary_add, false, true,
                Quantizability.SUPPORT);
    }

    public static ElementwiseBinaryOp elemwiseSub() {
        return new ElementwiseBinaryOp("elemwise_sub", List.of("_sub", "_minus", "_Minus"), algorithm.binary_sub, false, false,
                Quantizability.NONE);
    }

    public static ElementwiseBinaryOp elemwiseMul() {
        return new ElementwiseBinaryOp("elemwise_mul", List.of("_mul", "_Mul"), algorithm.binary_mul, false, true,
                Quantizability.SUPPORT);
    }

    public static ElementwiseBinaryOp broadcastAdd() {
        return new ElementwiseBinaryOp("broadcast_add", List.of("broadcast_plus"), algorithm.binary_add, true, true,
                Quantizability.NONE);
    }

    public static ElementwiseBinaryOp broadcastSub() {
        return new ElementwiseBinaryOp("broadcast_sub", List.of("broadcast_minus"), algorithm.binary_sub, true, false,
                Quantizability.NONE);
    }

    public static ElementwiseBinaryOp broadcastMul() {
        return new ElementwiseBinaryOp("broadcast_mul", List.of(), algorithm.binary_mul, true, true, Quantizability.NONE);
    }

    @Override public String name() { return name; }

    @Override public List<String> aliases() { return aliases; }

    @Override public Set<String> attributeNames() { return Set.of(); }

    @Override public Params parse(AttrReader a) { return new Params(); }

    @Override public List<String> inputNames(Params p) { return List.of("lhs", "rhs"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] a = ctx.in(0);
        long[] b = ctx.in(1);
        if (!broadcast) {
            if (a == null && b == null) ctx.requireIn(0);
            if (a == null) ctx.assignIn(0, b);
            else ctx.assignIn(1, a);
            ctx.setOut(0, ctx.requireIn(0));
            return;
        }
        a = ctx.requireIn(0);
        b = ctx.requireIn(1);
        int rank = Math.max(a.length, b.length);
        long[] pa = pad(a, rank);
        long[] pb = pad(b, rank);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            if (pa[i] == pb[i] || pb[i] == 1) out[i] = pa[i];
            else if (pa[i] == 1) out[i] = pb[i];
            else throw ctx.error("shapes " + ShapeContext.fmt(a) + " and " + ShapeContext.fmt(b) + " cannot be broadcast together");
        }
        ctx.setOut(0, out);
    }

    static long[] pad(long[] s, int rank) {
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        System.arraycopy(s, 0, out, rank - s.length, s.length);
        return out;
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        long[] y = ctx.outputShape(0);
        long[] a = pad(ctx.inputShape(0), y.length);
        long[] b = pad(ctx.inputShape(1), y.length);
        int full;
        boolean negate = false;
        if (Arrays.equals(a, y)) {
            full = 0;
        } else if (Arrays.equals(b, y)) {
            full = 1;
            negate = !commutative;   // a - b = -(b - a)
            if (negate && alg != algorithm.binary_sub) throw ctx.unsupported("cannot broadcast the first operand");
        } else {
            throw ctx.unsupported("both operands need broadcasting (" + ShapeContext.fmt(ctx.inputShape(0)) + ", "
                    + ShapeContext.fmt(ctx.inputShape(1)) + "); not supported");
        }
        int other = 1 - full;
        long[] otherShape = full == 0 ? b : a;
        long[] fullShape = ctx.inputShape(full);
        boolean sameRank = fullShape.length == y.length;
        memory.desc md = sameRank ? ctx.inputDesc(full) : Layouts.plain(y);
        memory src0 = sameRank ? ctx.input(full) : ctx.view(ctx.input(full, Layouts.plain(fullShape)), md);
        memory src1;
        memory.desc md1;
        if (Arrays.equals(otherShape, y)) {
            md1 = md;
            src1 = ctx.inputShape(other).length == y.length ? ctx.input(other, md) : ctx.view(ctx.input(other, Layouts.plain(ctx.inputShape(other))), md);
        } else {
            md1 = Layouts.plain(otherShape);
            memory plainOther = ctx.input(other, Layouts.plain(ctx.inputShape(other)));
            src1 = ctx.inputShape(other).length == y.length ? plainOther : ctx.view(plainOther, md1);
        }
        primitive_attr attr = ctx.newAttr();
        if (negate) {
            post_ops po = new post_ops();
            po.append_eltwise(algorithm.eltwise_linear, -1f, 0f);
            attr.set_post_ops(po);
        }
        memory dst = sameRank ? ctx.outputInPlace(0, md, full) : ctx.output(0, md);
        binary.primitive_desc pd = new binary.primitive_desc(ctx.engine(), alg, md, md1, md, attr, false);
        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC_0, src0);
        args.put(DNNL_ARG_SRC_1, src1);
        args.put(DNNL_ARG_DST, dst);
        ctx.addPrimitive(new binary(pd), pd, args);
    }

    @Override
    public Quantizability quantizability(Params p) { return quantizability; }

    /** elemwise_add / elemwise_mul: {@code _contrib_quantized_elemwise_add} / {@code _mul}. */
    @Override
    public String quantizedOpName(Params p) {
        return quantizability == Quantizability.NONE ? null : "_contrib_quantized_" + name;
    }

    /** The quantized add and mul output int32. */
    @Override
    public boolean needsRequantize(Params p) { return quantizability != Quantizability.NONE; }
}
