package org.quantize4j.gluon.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Parameter;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.init.Initializer;

/**
 * 2-D convolution (Gluon's {@code nn.Conv2D}), with groups (depthwise when groups = channels) and
 * dilation. Parameters {@code weight} (channels, in_channels / groups, kh, kw) and {@code bias} (channels);
 * in_channels 0 = inferred from the data on the first forward. An activation, if given, is a child block
 * {@code <act>_} applied after the convolution.
 *
 * <pre>{@code
 * Conv2D c = new Conv2D(64, 3);                                         // 3x3, stride 1, no padding, bias
 * Conv2D d = Conv2D.builder(32, 3).strides(2).padding(1).groups(32).useBias(false).build();
 * Conv2D e = Conv2D.builder(128, 1, 7).padding(0, 3).activation("relu").inChannels(64).build();
 * }</pre>
 */
public class Conv2D extends Block {
    private final Map<String, Object> kwargs;
    private final Parameter weight;
    private final Parameter bias;
    private final Activation act;

    /** {@code channels} filters of {@code kernel x kernel}, stride 1, no padding, with bias. */
    public Conv2D(int channels, int kernel) {
        this(builder(channels, kernel));
    }

    /** Settings in Gluon's argument order. */
    public static Builder builder(int channels, int... kernel) {
        return new Builder(channels, kernel);
    }

    protected Conv2D(Builder b) {
        super(b.prefix, b.params, "conv");
        int[] k = pair(b.kernel, "kernel_size");
        kwargs = new LinkedHashMap<>();
        kwargs.put("kernel", k);
        kwargs.put("stride", pair(b.strides, "strides"));
        kwargs.put("dilate", pair(b.dilation, "dilation"));
        kwargs.put("pad", pair(b.padding, "padding"));
        kwargs.put("num_filter", b.channels);
        kwargs.put("num_group", b.groups);
        kwargs.put("no_bias", !b.useBias);
        kwargs.put("layout", b.layout);
        if (b.channels <= 0) throw new IllegalArgumentException("Conv2D needs channels > 0, got " + b.channels);
        if (b.groups <= 0 || b.channels % b.groups != 0 || (b.inChannels > 0 && b.inChannels % b.groups != 0)) {
            throw new IllegalArgumentException("Conv2D groups " + b.groups + " must divide channels " + b.channels
                    + " and in_channels " + b.inChannels);
        }
        try (var s = nameScope()) {
            weight = param("weight", new long[] {b.channels, b.inChannels / b.groups, k[0], k[1]}, b.weightInitializer);
            bias = b.useBias ? param("bias", new long[] {b.channels}, b.biasInitializer) : null;
            act = b.activation == null ? null : register("act", new Activation(b.activation, b.activation + "_"));
        }
    }

    private static int[] pair(int[] v, String what) {
        if (v.length == 1) return new int[] {v[0], v[0]};
        if (v.length == 2) return v.clone();
        throw new IllegalArgumentException("Conv2D " + what + " needs 1 or 2 values, got " + v.length);
    }

    public Parameter weight() { return weight; }

    /** The bias, or null without one. */
    public Parameter bias() { return bias; }

    @Override
    public Sym hybridForward(Sym x) {
        Sym y = F.convolution(x, weight.var(), bias == null ? null : bias.var(), "fwd", kwargs);
        return act == null ? y : act.call(y);
    }

    /** Conv2D settings; defaults as Gluon's. */
    public static final class Builder {
        private final int channels;
        private final int[] kernel;
        private int[] strides = {1};
        private int[] padding = {0};
        private int[] dilation = {1};
        private int groups = 1;
        private String layout = "NCHW";
        private String activation;
        private boolean useBias = true;
        private Initializer weightInitializer;
        private Initializer biasInitializer = Initializer.create("zeros");
        private int inChannels;
        private String prefix;
        private org.quantize4j.gluon.ParameterDict params;

        private Builder(int channels, int[] kernel) {
            this.channels = channels;
            this.kernel = kernel.clone();
        }

        public Builder strides(int... v) { strides = v.clone(); return this; }

        public Builder padding(int... v) { padding = v.clone(); return this; }

        public Builder dilation(int... v) { dilation = v.clone(); return this; }

        public Builder groups(int v) { groups = v; return this; }

        public Builder layout(String v) { layout = v; return this; }

        /** An activation applied after the convolution (child block {@code <activation>_}). */
        public Builder activation(String v) { activation = v; return this; }

        public Builder useBias(boolean v) { useBias = v; return this; }

        /** The weight's own initializer (none by default: the one given to initialize() is used). */
        public Builder weightInitializer(Initializer v) { weightInitializer = v; return this; }

        /** The bias initializer ({@code "zeros"} by default). */
        public Builder biasInitializer(Initializer v) { biasInitializer = v; return this; }

        /** Input channels; 0 (default) = inferred from the data. */
        public Builder inChannels(int v) { inChannels = v; return this; }

        public Builder prefix(String v) { prefix = v; return this; }

        /** Shares parameters with another block's dictionary. */
        public Builder params(org.quantize4j.gluon.ParameterDict v) { params = v; return this; }

        public Conv2D build() { return new Conv2D(this); }
    }
}
