package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.HybridSequential;

/**
 * ResNet V1 basic block (ResNet-18/34): conv3x3-BN-ReLU-conv3x3-BN, plus the input (through a 1x1
 * convolution + BN when downsampling), then ReLU. As Gluon's {@code BasicBlockV1}.
 *
 * <pre>{@code
 * stage.add(new BasicBlockV1(128, 2, true, 64, ""));
 * }</pre>
 */
public class BasicBlockV1 extends Block {
    private final HybridSequential body;
    private final HybridSequential downsample;

    public BasicBlockV1(int channels, int stride, boolean downsample, int inChannels, String prefix) {
        super(prefix);
        body = register("body", new HybridSequential(""));
        body.add(ResNetBlocks.conv3x3(channels, stride, inChannels), new BatchNorm(), new Activation("relu"),
                ResNetBlocks.conv3x3(channels, 1, channels), new BatchNorm());
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
        return F.activation(residual.plus(x), "relu");
    }
}
