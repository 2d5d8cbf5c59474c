package org.quantize4j.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * MXNet {@code Reshape} (alias {@code reshape}) with MXNet's special codes: 0 copies a dimension, -1
 * infers one, -2 copies all remaining, -3 merges two, -4 splits one into the next two values;
 * {@code reverse=True} matches codes from the right. A view of plain row-major data (no copy).
 *
 * <pre>{@code
 * long[] s = ReshapeOp.infer(new long[] {2, 3, 4}, new long[] {0, -1}, false);   // (2, 12)
 * }</pre>
 */
public final class ReshapeOp implements Op<ReshapeOp.Params> {
    public record Params(long[] shape, boolean reverse) {}

    private static final Set<String> ATTRS = Set.of("shape", "reverse", "target_shape", "keep_highest");

    @Override public String name() { return "Reshape"; }

    @Override public List<String> aliases() { return List.of("reshape"); }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        long[] target = a.longTuple("target_shape", new long[0]);
        if (target.length > 0) throw a.unsupported("target_shape", "deprecated; use shape");
        a.bool("keep_highest", false);
        long[] shape = a.longTuple("shape", null);
        if (shape == null) throw a.error("shape", "is required");
        for (long s : shape) if (s < -4) throw a.error("shape", "invalid code " + s);
        return new Params(shape, a.bool("reverse", false));
    }

    @Override public List<String> inputNames(Params p) { return List.of("data"); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        long[] x = ctx.requireIn(0);
        long[] y;
        try {
            y = infer(x, p.shape, p.reverse);
        } catch (IllegalArgumentException e) {
            throw ctx.error(e.getMessage());
        }
        ctx.setOut(0, y);
    }

    /** MXNet's reshape rule (InferReshapeShape). */
    public static long[] infer(long[] in, long[] codes, boolean reverse) {
        long[] src = reverse ? reversed(in) : in;
        long[] sh = reverse ? reversed(codes) : codes;
        List<Long> dst = new ArrayList<>();
        int srcIdx = 0;
        int inferIdx = -1;
        for (int i = 0; i < sh.length; i++) {
            long c = sh[i];
            if (c == 0) {
                need(src, srcIdx, codes, in);
                dst.add(src[srcIdx++]);
            } else if (c == -1) {
                if (inferIdx >= 0) throw new IllegalArgumentException("shape " + fmtCodes(codes) + " has more than one -1");
                inferIdx = dst.size();
                dst.add(1L);
                srcIdx++;
            } else if (c == -2) {
                while (srcIdx < src.length) dst.add(src[srcIdx++]);
            } else if (c == -3) {
                need(src, srcIdx + 1, codes, in);
                dst.add(src[srcIdx] * src[srcIdx + 1]);
                srcIdx += 2;
            } else if (c == -4) {
                if (i + 2 >= sh.length) throw new IllegalArgumentException("shape " + fmtCodes(codes) + ": -4 needs two values after it");
                need(src, srcIdx, codes, in);
                long d0 = src[srcIdx++];
                long d1 = sh[++i];
                long d2 = sh[++i];
                if (d1 == -1 && d2 == -1) throw new IllegalArgumentException("shape " + fmtCodes(codes) + ": -4 split with two -1");
                if (d1 == -1) d1 = d0 / d2;
                if (d2 == -1) d2 = d0 / d1;
                if (d1 * d2 != d0) {
                    throw new IllegalArgumentException("shape " + fmtCodes(codes) + ": cannot split " + d0 + " into " + d1 + " x " + d2);
                }
                dst.add(d1);
                dst.add(d2);
            } else {
                dst.add(c);
                srcIdx++;
            }
        }
        long total = 1;
        for (long d : in) total *= d;
        if (inferIdx >= 0) {
            long known = 1;
            for (int i = 0; i < dst.size(); i++) if (i != inferIdx) known *= dst.get(i);
            if (known == 0 || total % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + ShapeContext.fmt(in) + " with shape " + fmtCodes(codes));
            }
            dst.set(inferIdx, total / known);
        }
        long[] out = new long[dst.size()];
        long size = 1;
        for (int i = 0; i < out.length; i++) {
            out[i] = dst.get(i);
            size *= out[i];
        }
        if (reverse) out = reversed(out);
        if (size != total) {
            throw new IllegalArgumentException("cannot reshape " + ShapeContext.fmt(in) + " (" + total + " elements) to "
                    + ShapeContext.fmt(out) + " (shape " + fmtCodes(codes) + ")");
        }
        return out;
    }

    private static void need(long[] src, int idx, long[] codes, long[] in) {
        if (idx >= src.length) {
            throw new IllegalArgumentException("shape " + fmtCodes(codes) + " refers to more dimensions than " + ShapeContext.fmt(in) + " has");
        }
    }

    private static String fmtCodes(long[] codes) { return ShapeContext.fmt(codes); }

    private static long[] reversed(long[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[a.length - 1 - i];
        return r;
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        var in = ctx.input(0, Layouts.plain(ctx.inputShape(0)));
        ctx.outputAlias(0, in, Layouts.plain(ctx.outputShape(0)));
    }
}
