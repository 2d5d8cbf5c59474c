package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.init.Initializer;
import org.quantize4j.gluon.init.Xavier;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.Dropout;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.gluon.nn.MaxPool2D;

/**
 * VGG ("Very Deep Convolutional Networks"), optionally with BatchNorm, as Gluon's {@code VGG}: 3x3
 * convolutions (Xavier gaussian/out/2 weights) in five groups with max pooling, two 4096-unit dense layers
 * with dropout, and a dense classifier (normal weights). Prefix {@code vggN_}.
 *
 * <pre>{@code
 * Vgg v16 = new Vgg(new int[] {2, 2, 3, 3, 3}, new int[] {64, 128, 256, 512, 512}, 1000, false, null);
 * }</pre>
 */
public class Vgg extends Block {
    private final HybridSequential features;
    private final Dense output;

    public Vgg(int[] layers, int[] filters, int classes, boolean batchNorm, String prefix) {
        super(prefix, null, "vgg");
        if (layers.length != filters.length) {
            throw new IllegalArgumentException("VGG needs as many filter counts as layer groups");
        }
        try (NameScope s = nameScope()) {
            features = register("features", makeFeatures(layers, filters, batchNorm));
            features.add(Dense.builder(4096).activation("relu").weightInitializer(Initializer.create("normal"))
                    .biasInitializer(Initializer.create("zeros")).build());
            features.add(new Dropout(0.5));
            features.add(Dense.builder(4096).activation("relu").weightInitializer(Initializer.create("normal"))
                    .biasInitializer(Initializer.create("zeros")).build());
            features.add(new Dropout(0.5));
            output = register("output", Dense.builder(classes).weightInitializer(Initializer.create("normal"))
                    .biasInitializer(Initializer.create("zeros")).build());
        }
    }

    private static HybridSequential makeFeatures(int[] layers, int[] filters, boolean batchNorm) {
        HybridSequential f = new HybridSequential("");
        for (int i = 0; i < layers.length; i++) {
            for (int j = 0; j < layers[i]; j++) {
                f.add(Conv2D.builder(filters[i], 3).padding(1).weightInitializer(new Xavier("gaussian", "out", 2))
                        .biasInitializer(Initializer.create("zeros")).build());
                if (batchNorm) f.add(new BatchNorm());
                f.add(new Activation("relu"));
            }
            f.add(new MaxPool2D(new int[] {2}, new int[] {2}, new int[] {0}, false, "NCHW", null));
        }
        return f;
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
