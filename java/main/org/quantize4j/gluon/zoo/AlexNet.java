package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.Dropout;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.gluon.nn.MaxPool2D;

/**
 * AlexNet ("One weird trick..."), as Gluon's {@code AlexNet}. Prefix {@code alexnetN_}.
 *
 * <pre>{@code
 * AlexNet net = new AlexNet(1000, null);
 * }</pre>
 */
public class AlexNet extends Block {
    private final HybridSequential features;
    private final Dense output;

    public AlexNet(int classes, String prefix) {
        super(prefix);
        try (NameScope s = nameScope()) {
            features = register("features", new HybridSequential(""));
            try (NameScope f = features.nameScope()) {
                features.add(Conv2D.builder(64, 11).strides(4).padding(2).activation("relu").build());
                features.add(new MaxPool2D(3, 2));
                features.add(Conv2D.builder(192, 5).padding(2).activation("relu").build());
                features.add(new MaxPool2D(3, 2));
                features.add(Conv2D.builder(384, 3).padding(1).activation("relu").build());
                features.add(Conv2D.builder(256, 3).padding(1).activation("relu").build());
                features.add(Conv2D.builder(256, 3).padding(1).activation("relu").build());
                features.add(new MaxPool2D(3, 2));
                features.add(new Flatten());
                features.add(Dense.builder(4096).activation("relu").build());
                features.add(new Dropout(0.5));
                features.add(Dense.builder(4096).activation("relu").build());
                features.add(new Dropout(0.5));
            }
            output = register("output", new Dense(classes));
        }
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
