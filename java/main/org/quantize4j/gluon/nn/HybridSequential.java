package org.quantize4j.gluon.nn;

import java.util.List;
import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.Sym;

/**
 * Runs its children one after another (Gluon's {@code nn.HybridSequential}); children are registered as
 * {@code "0"}, {@code "1"}, ...
 *
 * <pre>{@code
 * HybridSequential net = new HybridSequential();
 * try (NameScope s = net.nameScope()) {                  // children named hybridsequential0_conv0_, ...
 *     net.add(new Conv2D(16, 3), new Activation("relu"));
 * }
 * HybridSequential body = new HybridSequential("");     // no prefix of its own (Gluon's prefix='')
 * }</pre>
 */
public class HybridSequential extends Block {
    public HybridSequential() {
        super();
    }

    /** @param prefix relative prefix; "" = share the enclosing block's prefix */
    public HybridSequential(String prefix) {
        super(prefix);
    }

    protected HybridSequential(String prefix, String hint) {
        super(prefix, null, hint);
    }

    /** Appends blocks; returns this. */
    public HybridSequential add(Block... blocks) {
        for (Block b : blocks) register(Integer.toString(children().size()), b);
        return this;
    }

    /** Child {@code i}. */
    public Block get(int i) {
        Block b = children().get(Integer.toString(i));
        if (b == null) throw new IndexOutOfBoundsException("block " + describe() + " has " + size() + " children, no " + i);
        return b;
    }

    public int size() {
        return children().size();
    }

    @Override
    public Sym hybridForward(List<Sym> inputs) {
        if (inputs.size() != 1) return super.hybridForward(inputs);
        Sym x = inputs.get(0);
        for (Block b : children().values()) x = b.call(x);
        return x;
    }
}
