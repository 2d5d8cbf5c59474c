package org.quantize4j.gluon.nn;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;

/**
 * Leaky ReLU, {@code x > 0 ? x : alpha * x} (Gluon's {@code nn.LeakyReLU}): {@code LeakyReLU(act_type=leaky,
 * slope=alpha)}.
 *
 * <pre>{@code
 * net.add(new LeakyReLU(0.1));
 * }</pre>
 */
public class LeakyReLU extends Block {
    private final double alpha;

    public LeakyReLU(double alpha) {
        this(alpha, null);
    }

    public LeakyReLU(double alpha, String prefix) {
        super(prefix);
        if (alpha < 0) throw new IllegalArgumentException("LeakyReLU slope must be >= 0, got " + alpha);
        this.alpha = alpha;
    }

    @Override
    public Sym hybridForward(Sym x) {
        return F.leakyRelu(x, "leaky", alpha, "fwd");
    }
}
