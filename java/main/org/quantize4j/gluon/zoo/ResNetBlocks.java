package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.nn.Conv2D;

/** Shared pieces of the ResNet builders (Gluon's {@code _conv3x3}). */
final class ResNetBlocks {
    private ResNetBlocks() {
    }

    /** 3x3 convolution, padding 1, no bias. */
    static Conv2D conv3x3(int channels, int stride, int inChannels) {
        return Conv2D.builder(channels, 3).strides(stride).padding(1).useBias(false).inChannels(inChannels).build();
    }
}
