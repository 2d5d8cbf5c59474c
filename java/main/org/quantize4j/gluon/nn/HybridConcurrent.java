package org.quantize4j.gluon.nn;

import java.util.ArrayList;
import java.util.List;
import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;

/**
 * Feeds the input to every child and concatenates their outputs along {@code axis} (Gluon's
 * {@code contrib.nn.HybridConcurrent}): Inception and SqueezeNet branches, DenseNet layers.
 *
 * <pre>{@code
 * HybridConcurrent fire = new HybridConcurrent(1, "");
 * fire.add(expand1x1, expand3x3);                      // Concat(dim=1, num_args=2) named concatN
 * }</pre>
 */
public class HybridConcurrent extends HybridSequential {
    private final int axis;

    /** Concatenates along the last axis (Gluon's default, axis=-1). */
    public HybridConcurrent() {
        this(-1, null);
    }

    /** @param prefix relative prefix; "" = share the enclosing block's; null = automatic */
    public HybridConcurrent(int axis, String prefix) {
        super(prefix, "hybridconcurrent");
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    public HybridConcurrent add(Block... blocks) {
        super.add(blocks);
        return this;
    }

    @Override
    public Sym hybridForward(List<Sym> inputs) {
        if (inputs.size() != 1) return super.hybridForward(inputs);
        List<Sym> outs = new ArrayList<>();
        for (Block b : children().values()) outs.add(b.call(inputs.get(0)));
        return F.concat(axis, outs.toArray(new Sym[0]));
    }
}
