package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;

/**
 * ReLU6, {@code clip(x, 0, 6)} named {@code <prefix>relu6} (Gluon's {@code RELU6} of MobileNet V2).
 *
 * <pre>{@code
 * out.add(new Relu6());
 * }</pre>
 */
public class Relu6 extends Block {
    public Relu6() {
        super(null, null, "relu6");
    }

    @Override
    public Sym hybridForward(Sym x) {
        return F.clip(x, 0, 6, "relu6");
    }
}
