package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.AvgPool2D;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dropout;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.HybridConcurrent;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.gluon.nn.MaxPool2D;

/**
 * SqueezeNet 1.0 / 1.1 (fire modules: 1x1 squeeze, then concatenated 1x1 and 3x3 expands), as Gluon's
 * {@code SqueezeNet}. Prefix {@code squeezenetN_}.
 *
 * <pre>{@code
 * SqueezeNet s = new SqueezeNet("1.1", 1000, null);
 * }</pre>
 */
public class SqueezeNet extends Block {
    private final HybridSequential features;
    private final HybridSequential output;

    /** @param version "1.0" or "1.1" */
    public SqueezeNet(String version, int classes, String prefix) {
        super(prefix);
        if (!version.equals("1.0") && !version.equals("1.1")) {
            throw new IllegalArgumentException("unsupported SqueezeNet version " + version + ": 1.0 or 1.1 expected");
        }
        try (NameScope s = nameScope()) {
            features = register("features", new HybridSequential(""));
            if (version.equals("1.0")) {
                features.add(Conv2D.builder(96, 7).strides(2).build(), new Activation("relu"), new MaxPool2D(3, 2, 0, true),
                        fire(16, 64, 64), fire(16, 64, 64), fire(32, 128, 128), new MaxPool2D(3, 2, 0, true),
                        fire(32, 128, 128), fire(48, 192, 192), fire(48, 192, 192), fire(64, 256, 256),
                        new MaxPool2D(3, 2, 0, true), fire(64, 256, 256));
            } else {
                features.add(Conv2D.builder(64, 3).strides(2).build(), new Activation("relu"), new MaxPool2D(3, 2, 0, true),
                        fire(16, 64, 64), fire(16, 64, 64), new MaxPool2D(3, 2, 0, true), fire(32, 128, 128),
                        fire(32, 128, 128), new MaxPool2D(3, 2, 0, true), fire(48, 192, 192), fire(48, 192, 192),
                        fire(64, 256, 256), fire(64, 256, 256));
            }
            features.add(new Dropout(0.5));
            output = register("output", new HybridSequential(""));
            output.add(new Conv2D(classes, 1), new Activation("relu"), new AvgPool2D(13), new Flatten());
        }
    }

    private static HybridSequential fire(int squeeze, int expand1x1, int expand3x3) {
        HybridSequential out = new HybridSequential("");
        out.add(fireConv(squeeze, 1, 0));
        HybridConcurrent paths = new HybridConcurrent(1, "");
        paths.add(fireConv(expand1x1, 1, 0), fireConv(expand3x3, 3, 1));
        out.add(paths);
        return out;
    }

    private static HybridSequential fireConv(int channels, int kernel, int padding) {
        HybridSequential out = new HybridSequential("");
        out.add(Conv2D.builder(channels, kernel).padding(padding).build(), new Activation("relu"));
        return out;
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
