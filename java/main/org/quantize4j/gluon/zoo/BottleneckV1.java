package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.HybridSequential;

/**
 * ResNet V1 bottleneck block (ResNet-50/101/152): 1x1 (strided) - 3x3 - 1x1 convolutions with BN, plus the
 * input (1x1 convolution + BN when downsampling), then ReLU. As Gluon's {@code BottleneckV1}.
 *
 * <pre>{@code
 * stage.add(new BottleneckV1(256, 1, true, 64, ""));
 * }</pre>
 */
public class BottleneckV1 extends Block {
    private final HybridSequential body;
    private final HybridSequential downsample;

    public BottleneckV1(int channels, int stride, boolean downsample, int inChannels, String prefix) {
        super(prefix);
        body = register("body", new HybridSequential(""));
        body.add(Conv2D.builder(channels / 4, 1).strides(stride).build(), new BatchNorm(), new Activation("relu"),
                ResNetBlocks.conv3x3(channels / 4, 1, channels / 4), new BatchNorm(), new Activation("relu"),
                Conv2D.builder(channels, 1).strides(1).build(), new BatchNorm());
        if (downsample) {
            this.downsample = register("downsample", new HybridSequential(""));
            this.downsample.add(Conv2D.builder(channels, 1).strides(stride).useBias(false).inChannels(inChannels).build(),
                    new BatchNorm());
        } else {
            this.downsample = null;
        }
    }

    @Override
    public Sym hybridForward(Sym x) {
        Sym residual = x;
        x = body.call(x);
        if (downsample != null) residual = downsample.call(residual);
        return F.activation(x.plus(residual), "relu");
    }
}
