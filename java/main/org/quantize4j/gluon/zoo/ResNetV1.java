package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.Activation;
import org.quantize4j.gluon.nn.BatchNorm;
import org.quantize4j.gluon.nn.Conv2D;
import org.quantize4j.gluon.nn.Dense;
import org.quantize4j.gluon.nn.GlobalAvgPool2D;
import org.quantize4j.gluon.nn.HybridSequential;
import org.quantize4j.gluon.nn.MaxPool2D;

/**
 * ResNet V1 ("Deep Residual Learning for Image Recognition"), as Gluon's {@code ResNetV1}: a 7x7 stem (or a
 * 3x3 one with {@code thumbnail}), stages {@code stage1_..stageN_} of residual blocks, global average pooling
 * and a dense classifier. Prefix {@code resnetv1N_}.
 *
 * <pre>{@code
 * ResNetV1 r18 = new ResNetV1(ResNetV1.BlockKind.BASIC, new int[] {2, 2, 2, 2},
 *                             new int[] {64, 64, 128, 256, 512}, 1000, false, null);
 * }</pre>
 */
public class ResNetV1 extends Block {
    /** Residual block kind: basic (18/34 layers) or bottleneck (50/101/152). */
    public enum BlockKind { BASIC, BOTTLENECK }

    private final HybridSequential features;
    private final Dense output;

    /**
     * @param layers   blocks per stage
     * @param channels stem channels followed by each stage's output channels (one more than layers)
     */
    public ResNetV1(BlockKind kind, int[] layers, int[] channels, int classes, boolean thumbnail, String prefix) {
        super(prefix);
        if (layers.length != channels.length - 1) {
            throw new IllegalArgumentException("ResNetV1 needs one more channel count than stages: layers "
                    + layers.length + ", channels " + channels.length);
        }
        try (NameScope s = nameScope()) {
            features = register("features", new HybridSequential(""));
            if (thumbnail) {
                features.add(ResNetBlocks.conv3x3(channels[0], 1, 0));
            } else {
                features.add(Conv2D.builder(channels[0], 7).strides(2).padding(3).useBias(false).build(),
                        new BatchNorm(), new Activation("relu"), new MaxPool2D(3, 2, 1));
            }
            for (int i = 0; i < layers.length; i++) {
                int stride = i == 0 ? 1 : 2;
                features.add(makeLayer(kind, layers[i], channels[i + 1], stride, i + 1, channels[i]));
            }
            features.add(new GlobalAvgPool2D());
            output = register("output", Dense.builder(classes).inUnits(channels[channels.length - 1]).build());
        }
    }

    private static HybridSequential makeLayer(BlockKind kind, int layers, int channels, int stride, int stage,
                                              int inChannels) {
        HybridSequential layer = new HybridSequential("stage" + stage + "_");
        try (NameScope s = layer.nameScope()) {
            layer.add(block(kind, channels, stride, channels != inChannels, inChannels));
            for (int i = 0; i < layers - 1; i++) layer.add(block(kind, channels, 1, false, channels));
        }
        return layer;
    }

    private static Block block(BlockKind kind, int channels, int stride, boolean downsample, int inChannels) {
        return kind == BlockKind.BASIC ? new BasicBlockV1(channels, stride, downsample, inChannels, "")
                : new BottleneckV1(channels, stride, downsample, inChannels, "");
    }

    @Override
    public Sym hybridForward(Sym x) {
        return output.call(features.call(x));
    }
}
