package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.GlobalAvgPool2D;
import org.quantize4j.gluon.nn.HybridSequential;

/**
 * MobileNet V2 ("Inverted Residuals and Linear Bottlenecks") with a width multiplier, as Gluon's
 * {@code MobileNetV2}: {@code features_} (stem, 17 linear bottlenecks, 1x1 conv, global pooling) and
 * {@code output_} (1x1 conv {@code pred_}, flatten). Prefix {@code mobilenetv2N_}.
 *
 * <pre>{@code
 * MobileNetV2 m = new MobileNetV2(1.0, 1000, null);   // "mobilenetv2_1.0"
 * }</pre>
 */
public class MobileNetV2 extends Block {
    private final HybridSequential features;
    private final HybridSequential output;

    public MobileNetV2(double multiplier, int classes, String prefix) {
        super(prefix);
        try (NameScope s = nameScope()) {
            features = register("features", new HybridSequential("features_"));
            try (NameScope f = features.nameScope()) {
                MobileNets.addConv(features, (int) (32 * multiplier), 3, 2, 1, 1, true, true);
                int[] inGroup = {32, 16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160};
                int[] chGroup = {16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320};
                int[] strides = {1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1};
                for (int i = 0; i < inGroup.length; i++) {
                    int t = i == 0 ? 1 : 6;
                    features.add(new LinearBottleneck((int) (inGroup[i] * multiplier), (int) (chGroup[i] * multiplier),
                            t, strides[i]));
                }
                int last = multiplier > 1.0 ? (int) (1280 * multiplier) : 1280;
                MobileNets.addConv(features, last, 1, 1, 0, 1, true, true);
                features.add(new GlobalAvgPool2D());
            }
            output = register("output", new HybridSequential("output_"));
            try (NameScope o = output.nameScope()) {
                output.add(Conv2D.builder(classes, 1).useBias(false).prefix("pred_").build(), new Flatten());
            }
        }
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
