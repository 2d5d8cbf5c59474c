package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.GlobalAvgPool2D;
import org.quantize4j.gluon.nn.HybridSequential;

/**
 * MobileNet V1 (depthwise separable convolutions) with a width multiplier, as Gluon's {@code MobileNet}.
 * Prefix {@code mobilenetN_}.
 *
 * <pre>{@code
 * MobileNet m = new MobileNet(0.5, 1000, null);     // "mobilenet0.5"
 * }</pre>
 */
public class MobileNet extends Block {
    private final HybridSequential features;
    private final Dense output;

    public MobileNet(double multiplier, int classes, String prefix) {
        super(prefix);
        try (NameScope s = nameScope()) {
            features = register("features", new HybridSequential(""));
            try (NameScope f = features.nameScope()) {
                MobileNets.addConv(features, (int) (32 * multiplier), 3, 2, 1, 1, true, false);
                int[] dw = {32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024};
                int[] ch = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
                int[] strides = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
                for (int i = 0; i < dw.length; i++) {
                    MobileNets.addConvDw(features, (int) (dw[i] * multiplier), (int) (ch[i] * multiplier), strides[i], false);
                }
                features.add(new GlobalAvgPool2D(), new Flatten());
            }
            output = register("output", new Dense(classes));
        }
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
