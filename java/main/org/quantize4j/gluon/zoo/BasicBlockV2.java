package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;

/**
 * ResNet V2 (pre-activation) basic block: BN-ReLU-conv3x3-BN-ReLU-conv3x3 plus the input (a 1x1 convolution
 * of the first activation when downsampling). As Gluon's {@code BasicBlockV2}.
 *
 * <pre>{@code
 * stage.add(new BasicBlockV2(128, 2, true, 64, ""));
 * }</pre>
 */
public class BasicBlockV2 extends Block {
    private final BatchNorm bn1;
    private final Conv2D conv1;
    private final BatchNorm bn2;
    private final Conv2D conv2;
    private final Conv2D downsample;

    public BasicBlockV2(int channels, int stride, boolean downsample, int inChannels, String prefix) {
        super(prefix);
        bn1 = register("bn1", new BatchNorm());
        conv1 = register("conv1", ResNetBlocks.conv3x3(channels, stride, inChannels));
        bn2 = register("bn2", new BatchNorm());
        conv2 = register("conv2", ResNetBlocks.conv3x3(channels, 1, channels));
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
        return x.plus(residual);
    }
}
