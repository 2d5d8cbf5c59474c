package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.HybridSequential;

/** Gluon's {@code _add_conv} / {@code _add_conv_dw} of the MobileNet family. */
final class MobileNets {
    private MobileNets() {
    }

    /** Conv (no bias) - BN - ReLU or ReLU6 (unless not active). */
    static void addConv(HybridSequential out, int channels, int kernel, int stride, int pad, int numGroup,
                        boolean active, boolean relu6) {
        out.add(Conv2D.builder(channels, kernel).strides(stride).padding(pad).groups(numGroup).useBias(false).build());
        out.add(BatchNorm.builder().scale(true).build());
        if (active) out.add(relu6 ? new Relu6() : new Activation("relu"));
    }

    /** Depthwise 3x3 then pointwise 1x1. */
    static void addConvDw(HybridSequential out, int dwChannels, int channels, int stride, boolean relu6) {
        addConv(out, dwChannels, 3, stride, 1, dwChannels, true, relu6);
        addConv(out, channels, 1, 1, 0, 1, true, relu6);
    }
}
