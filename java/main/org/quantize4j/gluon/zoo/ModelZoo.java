package org.quantize4j.gluon.zoo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.gluon.Block;

/**
 * Gluon's vision model zoo ({@code mxnet.gluon.model_zoo.vision.get_model}) built with our network API, so
 * the hybridized symbols equal MXNet's node for node. Weights are not included: initialize them, or load
 * trained ones with {@link Block#collectParams()}{@code .load(...)}.
 *
 * <pre>{@code
 * Block net = ModelZoo.get("resnet50_v1", 1000);             // prefix resnetv1N_ (N counts per thread)
 * Block same = ModelZoo.get("resnet50_v1", 1000, "resnetv10_");
 * net.initialize(new Xavier(), 0);
 * net.inferShape(ModelZoo.inputShape("resnet50_v1", 1));    // (1, 3, 224, 224)
 * net.export("resnet50_v1", 0);
 * }</pre>
 */
public final class ModelZoo {
    /** Builds a model for a class count and a prefix (null = automatic). */
    @FunctionalInterface
    private interface Builder {
        Block build(int classes, String prefix);
    }

    private static final Map<String, Builder> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("alexnet", AlexNet::new);
        MODELS.put("densenet121", (c, p) -> new DenseNet(64, 32, new int[] {6, 12, 24, 16}, 4, 0, c, p));
        MODELS.put("densenet161", (c, p) -> new DenseNet(96, 48, new int[] {6, 12, 36, 24}, 4, 0, c, p));
        MODELS.put("densenet169", (c, p) -> new DenseNet(64, 32, new int[] {6, 12, 32, 32}, 4, 0, c, p));
        MODELS.put("densenet201", (c, p) -> new DenseNet(64, 32, new int[] {6, 12, 48, 32}, 4, 0, c, p));
        MODELS.put("inceptionv3", Inception3::new);
        for (String m : new String[] {"1.0", "0.75", "0.5", "0.25"}) {
            double mult = Double.parseDouble(m);
            MODELS.put("mobilenet" + m, (c, p) -> new MobileNet(mult, c, p));
        }
        for (String m : new String[] {"1.0", "0.75", "0.5", "0.25"}) {
            double mult = Double.parseDouble(m);
            MODELS.put("mobilenetv2_" + m, (c, p) -> new MobileNetV2(mult, c, p));
        }
        int[][] resnetLayers = {{2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 6, 3}, {3, 4, 23, 3}, {3, 8, 36, 3}};
        int[] depths = {18, 34, 50, 101, 152};
        int[] basicChannels = {64, 64, 128, 256, 512};
        int[] bottleneckChannels = {64, 256, 512, 1024, 2048};
        for (int version = 1; version <= 2; version++) {
            for (int i = 0; i < depths.length; i++) {
                boolean basic = depths[i] < 50;
                ResNetV1.BlockKind kind = basic ? ResNetV1.BlockKind.BASIC : ResNetV1.BlockKind.BOTTLENECK;
                int[] layers = resnetLayers[i];
                int[] channels = basic ? basicChannels : bottleneckChannels;
                String name = "resnet" + depths[i] + "_v" + version;
                if (version == 1) MODELS.put(name, (c, p) -> new ResNetV1(kind, layers, channels, c, false, p));
                else MODELS.put(name, (c, p) -> new ResNetV2(kind, layers, channels, c, false, p));
            }
        }
        MODELS.put("squeezenet1.0", (c, p) -> new SqueezeNet("1.0", c, p));
        MODELS.put("squeezenet1.1", (c, p) -> new SqueezeNet("1.1", c, p));
        int[] filters = {64, 128, 256, 512, 512};
        Map<Integer, int[]> vgg = new LinkedHashMap<>();
        vgg.put(11, new int[] {1, 1, 2, 2, 2});
        vgg.put(13, new int[] {2, 2, 2, 2, 2});
        vgg.put(16, new int[] {2, 2, 3, 3, 3});
        vgg.put(19, new int[] {2, 2, 4, 4, 4});
        for (Map.Entry<Integer, int[]> e : vgg.entrySet()) {
            int[] layers = e.getValue();
            MODELS.put("vgg" + e.getKey(), (c, p) -> new Vgg(layers, filters, c, false, p));
            MODELS.put("vgg" + e.getKey() + "_bn", (c, p) -> new Vgg(layers, filters, c, true, p));
        }
    }

    private ModelZoo() {
    }

    /** Every model name, as Gluon's {@code get_model} accepts them. */
    public static List<String> names() {
        return new ArrayList<>(MODELS.keySet());
    }

    /** The model {@code name} with {@code classes} outputs and an automatic prefix. */
    public static Block get(String name, int classes) {
        return get(name, classes, null);
    }

    /**
     * The model {@code name} with {@code classes} outputs and the given prefix (null = automatic, e.g.
     * {@code resnetv10_}).
     *
     * @throws IllegalArgumentException for an unknown name (listing the known ones)
     */
    public static Block get(String name, int classes, String prefix) {
        Builder b = MODELS.get(name.toLowerCase());
        if (b == null) {
            throw new IllegalArgumentException("model '" + name + "' is not in the model zoo; available: " + names());
        }
        if (classes <= 0) throw new IllegalArgumentException("classes must be > 0, got " + classes);
        return b.build(classes, prefix);
    }

    /** The NCHW input shape the model expects: (batch, 3, 299, 299) for inceptionv3, (batch, 3, 224, 224) else. */
    public static long[] inputShape(String name, int batch) {
        int side = name.toLowerCase().startsWith("inception") ? 299 : 224;
        return new long[] {batch, 3, side, side};
    }
}
