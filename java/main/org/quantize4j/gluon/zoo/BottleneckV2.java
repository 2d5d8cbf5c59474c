package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;

/**
 * ResNet V2 (pre-activation) bottleneck block: three BN-ReLU-conv steps (1x1, strided 3x3, 1x1) plus the
 * input (a 1x1 convolution of the first activation when downsampling). As Gluon's {@code BottleneckV2}.
 *
 * <pre>{@code
 * stage.add(new BottleneckV2(256, 1, true, 64, ""));
 * }</pre>
 */
public class BottleneckV2 extends Block {
    private final BatchNorm bn1;
    private final Conv2D conv1;
    private final BatchNorm bn2;
    private final Conv2D conv2;
    private final BatchNorm bn3;
    private final Conv2D conv3;
    private final Conv2D downsample;

    public BottleneckV2(int channels, int stride, boolean downsample, int inChannels, String prefix) {
        super(prefix);
        bn1 = register("bn1", new BatchNorm());
        conv1 = register("conv1", Conv2D.builder(channels / 4, 1).strides(1).useBias(false).build());
        bn2 = register("bn2", new BatchNorm());
        conv2 = register("conv2", ResNetBlocks.conv3x3(channels / 4, stride, channels / 4));
        bn3 = register("bn3", new BatchNorm());
        conv3 = register("conv3", Conv2D.builder(channels, 1).strides(1).useBias(false).build());
        this.downsample = downsample ? register("downsample",
                Conv2D.builder(channels, 1).strides(stride).useBias(false).inChannels(inChannels).build()) : null;
    }

    @Override
    public Sym hybridForward(Sym x) {
        Sym residual = x;
        x = bn1.call(x);
        x = F.activation(x, "relu");
        if (downsample != null) residual = downsample.call(x);
        x = conv1.call(x);
        x = bn2.call(x);
        x = F.activation(x, "relu");
        x = conv2.call(x);
        x = bn3.call(x);
        x = F.activation(x, "relu");
        x = conv3.call(x);
        return x.plus(residual);
    }
}
