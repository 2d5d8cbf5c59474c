package org.quantize4j.gluon.nn;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;

/**
 * An activation function (Gluon's {@code nn.Activation}): {@code Activation(act_type)} named
 * {@code <prefix>fwd}; the block's automatic name is the activation's ({@code relu0_}).
 *
 * <pre>{@code
 * net.add(new Activation("relu"));      // e.g. resnetv10_relu0_fwd
 * }</pre>
 */
public class Activation extends Block {
    private final String actType;

    /** @param activation relu, sigmoid, tanh, softrelu or softsign */
    public Activation(String activation) {
        this(activation, null);
    }

    public Activation(String activation, String prefix) {
        super(prefix, null, activation);
        this.actType = activation;
    }

    public String actType() {
        return actType;
    }

    @Override
    public Sym hybridForward(Sym x) {
        return F.activation(x, actType, "fwd");
    }
}
