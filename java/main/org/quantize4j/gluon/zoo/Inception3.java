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
import org.quantize4j.gluon.nn.HybridConcurrent;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.gluon.nn.MaxPool2D;

/**
 * Inception V3 ("Rethinking the Inception Architecture"), as Gluon's {@code Inception3}: stem, inception
 * blocks A1-A3, B, C1-C4, D, E1-E2 (each a {@link HybridConcurrent} of branches with its own prefix),
 * 8x8 average pooling, dropout, dense. Input 299x299. Prefix {@code inception3N_}.
 *
 * <pre>{@code
 * Inception3 net = new Inception3(1000, null);
 * }</pre>
 */
public class Inception3 extends Block {
    private final HybridSequential features;
    private final Dense output;

    public Inception3(int classes, String prefix) {
        super(prefix);
        try (NameScope s = nameScope()) {
            features = register("features", new HybridSequential(""));
            features.add(basicConv(32, k(3), k(2), null));
            features.add(basicConv(32, k(3), null, null));
            features.add(basicConv(64, k(3), null, k(1)));
            features.add(new MaxPool2D(3, 2));
            features.add(basicConv(80, k(1), null, null));
            features.add(basicConv(192, k(3), null, null));
            features.add(new MaxPool2D(3, 2));
            features.add(makeA(32, "A1_"), makeA(64, "A2_"), makeA(64, "A3_"), makeB("B_"));
            features.add(makeC(128, "C1_"), makeC(160, "C2_"), makeC(160, "C3_"), makeC(192, "C4_"));
            features.add(makeD("D_"), makeE("E1_"), makeE("E2_"));
            features.add(new AvgPool2D(8), new Dropout(0.5));
            output = register("output", new Dense(classes));
        }
    }

    private static int[] k(int... v) {
        return v;
    }

    /** One convolution setting of a branch: channels, kernel, strides (null = 1), padding (null = 0). */
    private record ConvSpec(int channels, int[] kernel, int[] strides, int[] padding) {
    }

    private static ConvSpec c(int channels, int[] kernel, int[] strides, int[] padding) {
        return new ConvSpec(channels, kernel, strides, padding);
    }

    private static HybridSequential basicConv(int channels, int[] kernel, int[] strides, int[] padding) {
        HybridSequential out = new HybridSequential("");
        Conv2D.Builder b = Conv2D.builder(channels, kernel).useBias(false);
        if (strides != null) b.strides(strides);
        if (padding != null) b.padding(padding);
        out.add(b.build(), BatchNorm.builder().epsilon(0.001).build(), new Activation("relu"));
        return out;
    }

    /** A branch: optional pool ("avg" 3/1/1 or "max" 3/2) then basic convolutions. */
    private static HybridSequential branch(String pool, ConvSpec... convs) {
        HybridSequential out = new HybridSequential("");
        if ("avg".equals(pool)) out.add(new AvgPool2D(3, 1, 1));
        else if ("max".equals(pool)) out.add(new MaxPool2D(3, 2));
        for (ConvSpec cs : convs) out.add(basicConv(cs.channels(), cs.kernel(), cs.strides(), cs.padding()));
        return out;
    }

    private static HybridConcurrent makeA(int poolFeatures, String prefix) {
        HybridConcurrent out = new HybridConcurrent(1, prefix);
        try (NameScope s = out.nameScope()) {
            out.add(branch(null, c(64, k(1), null, null)));
            out.add(branch(null, c(48, k(1), null, null), c(64, k(5), null, k(2))));
            out.add(branch(null, c(64, k(1), null, null), c(96, k(3), null, k(1)), c(96, k(3), null, k(1))));
            out.add(branch("avg", c(poolFeatures, k(1), null, null)));
        }
        return out;
    }

    private static HybridConcurrent makeB(String prefix) {
        HybridConcurrent out = new HybridConcurrent(1, prefix);
        try (NameScope s = out.nameScope()) {
            out.add(branch(null, c(384, k(3), k(2), null)));
            out.add(branch(null, c(64, k(1), null, null), c(96, k(3), null, k(1)), c(96, k(3), k(2), null)));
            out.add(branch("max"));
        }
        return out;
    }

    private static HybridConcurrent makeC(int c7, String prefix) {
        HybridConcurrent out = new HybridConcurrent(1, prefix);
        try (NameScope s = out.nameScope()) {
            out.add(branch(null, c(192, k(1), null, null)));
            out.add(branch(null, c(c7, k(1), null, null), c(c7, k(1, 7), null, k(0, 3)), c(192, k(7, 1), null, k(3, 0))));
            out.add(branch(null, c(c7, k(1), null, null), c(c7, k(7, 1), null, k(3, 0)), c(c7, k(1, 7), null, k(0, 3)),
                    c(c7, k(7, 1), null, k(3, 0)), c(192, k(1, 7), null, k(0, 3))));
            out.add(branch("avg", c(192, k(1), null, null)));
        }
        return out;
    }

    private static HybridConcurrent makeD(String prefix) {
        HybridConcurrent out = new HybridConcurrent(1, prefix);
        try (NameScope s = out.nameScope()) {
            out.add(branch(null, c(192, k(1), null, null), c(320, k(3), k(2), null)));
            out.add(branch(null, c(192, k(1), null, null), c(192, k(1, 7), null, k(0, 3)), c(192, k(7, 1), null, k(3, 0)),
                    c(192, k(3), k(2), null)));
            out.add(branch("max"));
        }
        return out;
    }

    private static HybridConcurrent makeE(String prefix) {
        HybridConcurrent out = new HybridConcurrent(1, prefix);
        try (NameScope s = out.nameScope()) {
            out.add(branch(null, c(320, k(1), null, null)));

            HybridSequential b3x3 = new HybridSequential("");
            out.add(b3x3);
            b3x3.add(branch(null, c(384, k(1), null, null)));
            HybridConcurrent b3x3Split = new HybridConcurrent(1, "");
            b3x3Split.add(branch(null, c(384, k(1, 3), null, k(0, 1))));
            b3x3Split.add(branch(null, c(384, k(3, 1), null, k(1, 0))));
            b3x3.add(b3x3Split);

            HybridSequential dbl = new HybridSequential("");
            out.add(dbl);
            dbl.add(branch(null, c(448, k(1), null, null), c(384, k(3), null, k(1))));
            HybridConcurrent dblSplit = new HybridConcurrent(1, "");
            dbl.add(dblSplit);
            dblSplit.add(branch(null, c(384, k(1, 3), null, k(0, 1))));
            dblSplit.add(branch(null, c(384, k(3, 1), null, k(1, 0))));

            out.add(branch("avg", c(192, k(1), null, null)));
        }
        return out;
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
