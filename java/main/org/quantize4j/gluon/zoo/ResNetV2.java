package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.Flatten;
import org.quantize4j.gluon.nn.GlobalAvgPool2D;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.gluon.nn.MaxPool2D;

/**
 * ResNet V2 ("Identity Mappings in Deep Residual Networks"), as Gluon's {@code ResNetV2}: input BatchNorm
 * (no scale or shift), stem, pre-activation stages, final BN-ReLU, global pooling, flatten, dense. Prefix
 * {@code resnetv2N_}.
 *
 * <pre>{@code
 * ResNetV2 r50 = new ResNetV2(ResNetV1.BlockKind.BOTTLENECK, new int[] {3, 4, 6, 3},
 *                             new int[] {64, 256, 512, 1024, 2048}, 1000, false, null);
 * }</pre>
 */
public class ResNetV2 extends Block {
    private final HybridSequential features;
    private final Dense output;

    public ResNetV2(ResNetV1.BlockKind kind, int[] layers, int[] channels, int classes, boolean thumbnail, String prefix) {
        super(prefix);
        if (layers.length != channels.length - 1) {
            throw new IllegalArgumentException("ResNetV2 needs one more channel count than stages: layers "
                    + layers.length + ", channels " + channels.length);
        }
        try (NameScope s = nameScope()) {
            features = register("features", new HybridSequential(""));
            features.add(BatchNorm.builder().scale(false).center(false).build());
            if (thumbnail) {
                features.add(ResNetBlocks.conv3x3(channels[0], 1, 0));
            } else {
                features.add(Conv2D.builder(channels[0], 7).strides(2).padding(3).useBias(false).build(),
                        new BatchNorm(), new Activation("relu"), new MaxPool2D(3, 2, 1));
            }
            int inChannels = channels[0];
            for (int i = 0; i < layers.length; i++) {
                int stride = i == 0 ? 1 : 2;
                features.add(makeLayer(kind, layers[i], channels[i + 1], stride, i + 1, inChannels));
                inChannels = channels[i + 1];
            }
            features.add(new BatchNorm(), new Activation("relu"), new GlobalAvgPool2D(), new Flatten());
            output = register("output", Dense.builder(classes).inUnits(inChannels).build());
        }
    }

    private static HybridSequential makeLayer(ResNetV1.BlockKind kind, int layers, int channels, int stride, int stage,
                                              int inChannels) {
        HybridSequential layer = new HybridSequential("stage" + stage + "_");
        try (NameScope s = layer.nameScope()) {
            layer.add(block(kind, channels, stride, channels != inChannels, inChannels));
            for (int i = 0; i < layers - 1; i++) layer.add(block(kind, channels, 1, false, channels));
        }
        return layer;
    }

    private static Block block(ResNetV1.BlockKind kind, int channels, int stride, boolean downsample, int inChannels) {
        return kind == ResNetV1.BlockKind.BASIC ? new BasicBlockV2(channels, stride, downsample, inChannels, "")
                : new BottleneckV2(channels, stride, downsample, inChannels, "");
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
