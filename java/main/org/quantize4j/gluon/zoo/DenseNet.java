package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.AvgPool2D;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.Dropout;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.HybridConcurrent;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.gluon.nn.Identity;
import org.quantize4j.gluon.nn.MaxPool2D;

/**
 * DenseNet ("Densely Connected Convolutional Networks"), as Gluon's {@code DenseNet}: stem, dense blocks
 * {@code stage1_..stage4_} (each layer concatenates its input with BN-ReLU-1x1-BN-ReLU-3x3 features), transitions
 * (BN-ReLU-1x1-avgpool), final BN-ReLU-avgpool(7)-flatten-dense. Prefix {@code densenetN_}.
 *
 * <pre>{@code
 * DenseNet d121 = new DenseNet(64, 32, new int[] {6, 12, 24, 16}, 4, 0, 1000, null);
 * }</pre>
 */
public class DenseNet extends Block {
    private final HybridSequential features;
    private final Dense output;

    public DenseNet(int numInitFeatures, int growthRate, int[] blockConfig, int bnSize, double dropout, int classes,
                    String prefix) {
        super(prefix);
        try (NameScope s = nameScope()) {
            features = register("features", new HybridSequential(""));
            features.add(Conv2D.builder(numInitFeatures, 7).strides(2).padding(3).useBias(false).build(),
                    new BatchNorm(), new Activation("relu"), new MaxPool2D(3, 2, 1));
            int numFeatures = numInitFeatures;
            for (int i = 0; i < blockConfig.length; i++) {
                features.add(denseBlock(blockConfig[i], bnSize, growthRate, dropout, i + 1));
                numFeatures += blockConfig[i] * growthRate;
                if (i != blockConfig.length - 1) {
                    features.add(transition(numFeatures / 2));
                    numFeatures /= 2;
                }
            }
            features.add(new BatchNorm(), new Activation("relu"), new AvgPool2D(7), new Flatten());
            output = register("output", new Dense(classes));
        }
    }

    private static HybridSequential denseBlock(int numLayers, int bnSize, int growthRate, double dropout, int stage) {
        HybridSequential out = new HybridSequential("stage" + stage + "_");
        try (NameScope s = out.nameScope()) {
            for (int i = 0; i < numLayers; i++) out.add(denseLayer(growthRate, bnSize, dropout));
        }
        return out;
    }

    private static HybridConcurrent denseLayer(int growthRate, int bnSize, double dropout) {
        HybridSequential newFeatures = new HybridSequential("");
        newFeatures.add(new BatchNorm(), new Activation("relu"),
                Conv2D.builder(bnSize * growthRate, 1).useBias(false).build(), new BatchNorm(), new Activation("relu"),
                Conv2D.builder(growthRate, 3).padding(1).useBias(false).build());
        if (dropout > 0) newFeatures.add(new Dropout(dropout));
        HybridConcurrent out = new HybridConcurrent(1, "");
        out.add(new Identity(""), newFeatures);
        return out;
    }

    private static HybridSequential transition(int numOutputFeatures) {
        HybridSequential out = new HybridSequential("");
        out.add(new BatchNorm(), new Activation("relu"), Conv2D.builder(numOutputFeatures, 1).useBias(false).build(),
                new AvgPool2D(2, 2));
        return out;
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
