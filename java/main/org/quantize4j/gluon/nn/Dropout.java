package org.quantize4j.gluon.nn;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;

/**
 * Dropout with rate p (Gluon's {@code nn.Dropout}); identity at inference. Rate 0 gives {@code identity}
 * ({@code _copy}), as Gluon.
 *
 * <pre>{@code
 * net.add(new Dropout(0.5));
 * }</pre>
 */
public class Dropout extends Block {
    private final double rate;
    private final int[] axes;

    public Dropout(double rate) {
        this(rate, new int[0], null);
    }

    /** @param axes axes that share one mask (Gluon's {@code axes}, default none) */
    public Dropout(double rate, int[] axes, String prefix) {
        super(prefix);
        if (rate < 0 || rate >= 1) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        this.rate = rate;
        this.axes = axes.clone();
    }

    @Override
    public Sym hybridForward(Sym x) {
        if (rate > 0) return F.dropout(x, rate, axes, "fwd");
        return F.identity(x);
    }
}
