package org.quantize4j.gluon.zoo;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.nn.HybridSequential;

/**
 * MobileNet V2 inverted residual: 1x1 expansion (t times), depthwise 3x3, linear 1x1 projection, plus the
 * input when stride is 1 and the channel count is unchanged. As Gluon's {@code LinearBottleneck}.
 *
 * <pre>{@code
 * features.add(new LinearBottleneck(24, 24, 6, 1));
 * }</pre>
 */
public class LinearBottleneck extends Block {
    private final boolean useShortcut;
    private final HybridSequential out;

    public LinearBottleneck(int inChannels, int channels, int t, int stride) {
        super();
        useShortcut = stride == 1 && inChannels == channels;
        try (NameScope s = nameScope()) {
            out = register("out", new HybridSequential(""));
            MobileNets.addConv(out, inChannels * t, 1, 1, 0, 1, true, true);
            MobileNets.addConv(out, inChannels * t, 3, stride, 1, inChannels * t, true, true);
            MobileNets.addConv(out, channels, 1, 1, 0, 1, false, true);
        }
    }

    @Override
    public Sym hybridForward(Sym x) {
        Sym y = out.call(x);
        return useShortcut ? F.elemwiseAdd(y, x) : y;
    }
}
