package org.quantize4j.gluon.nn;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;

/**
 * Flattens to (batch, rest) (Gluon's {@code nn.Flatten}); the op is named automatically
 * ({@code flatten0_flatten0}), as in Gluon.
 *
 * <pre>{@code
 * net.add(new GlobalAvgPool2D(), new Flatten(), new Dense(10));
 * }</pre>
 */
public class Flatten extends Block {
    public Flatten() {
        super();
    }

    public Flatten(String prefix) {
        super(prefix);
    }

    @Override
    public Sym hybridForward(Sym x) {
        return F.flatten(x);
    }
}
