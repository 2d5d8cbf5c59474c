package org.quantize4j.gluon.nn;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.Sym;

/**
 * Returns its input unchanged, adding no node (Gluon's {@code contrib.nn.Identity}); the shortcut branch of
 * a DenseNet layer.
 *
 * <pre>{@code
 * new HybridConcurrent(1, "").add(new Identity(""), newFeatures);
 * }</pre>
 */
public class Identity extends Block {
    public Identity() {
        super();
    }

    public Identity(String prefix) {
        super(prefix);
    }

    @Override
    public Sym hybridForward(Sym x) {
        return x;
    }
}
