package org.quantize4j.gluon.nn;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Parameter;
import org.quantize4j.gluon.ParameterDict;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.init.Initializer;

/**
 * Batch normalization (Gluon's {@code nn.BatchNorm}): parameters {@code gamma} (ones), {@code beta} (zeros)
 * and the auxiliary states {@code running_mean} (zeros), {@code running_var} (ones), all of shape
 * (in_channels,), 0 = inferred. {@code scale=false} fixes gamma at 1 ({@code fix_gamma=True}).
 *
 * <pre>{@code
 * BatchNorm bn = new BatchNorm();                                   // eps 1e-05, momentum 0.9
 * BatchNorm inc = BatchNorm.builder().epsilon(0.001).build();       // Inception's
 * BatchNorm plain = BatchNorm.builder().scale(false).center(false).build();
 * }</pre>
 */
public class BatchNorm extends Block {
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final java.util.Map<String, Object> kwargs;

    public BatchNorm() {
        this(builder());
    }

    public static Builder builder() {
        return new Builder();
    }

    protected BatchNorm(Builder b) {
        super(b.prefix, b.params, "batchnorm");
        kwargs = F.kwargs("axis", b.axis, "eps", b.epsilon, "momentum", b.momentum, "fix_gamma", !b.scale,
                "use_global_stats", b.useGlobalStats);
        long[] shape = {b.inChannels};
        try (var s = nameScope()) {
            gamma = param("gamma", shape, b.gammaInitializer, b.scale ? "write" : "null", true, b.scale);
            beta = param("beta", shape, b.betaInitializer, b.center ? "write" : "null", true, b.center);
            runningMean = param("running_mean", shape, b.runningMeanInitializer, "null", true, false);
            runningVar = param("running_var", shape, b.runningVarianceInitializer, "null", true, false);
        }
    }

    public Parameter gamma() { return gamma; }

    public Parameter beta() { return beta; }

    public Parameter runningMean() { return runningMean; }

    public Parameter runningVar() { return runningVar; }

    @Override
    public Sym hybridForward(Sym x) {
        return F.batchNorm(x, gamma.var(), beta.var(), runningMean.var(), runningVar.var(), "fwd", kwargs);
    }

    /** BatchNorm settings; defaults as Gluon's. */
    public static final class Builder {
        private int axis = 1;
        private double momentum = 0.9;
        private double epsilon = 1e-5;
        private boolean center = true;
        private boolean scale = true;
        private boolean useGlobalStats;
        private Initializer betaInitializer = Initializer.create("zeros");
        private Initializer gammaInitializer = Initializer.create("ones");
        private Initializer runningMeanInitializer = Initializer.create("zeros");
        private Initializer runningVarianceInitializer = Initializer.create("ones");
        private int inChannels;
        private String prefix;
        private ParameterDict params;

        private Builder() {
        }

        public Builder axis(int v) { axis = v; return this; }

        public Builder momentum(double v) { momentum = v; return this; }

        public Builder epsilon(double v) { epsilon = v; return this; }

        public Builder center(boolean v) { center = v; return this; }

        public Builder scale(boolean v) { scale = v; return this; }

        public Builder useGlobalStats(boolean v) { useGlobalStats = v; return this; }

        public Builder betaInitializer(Initializer v) { betaInitializer = v; return this; }

        public Builder gammaInitializer(Initializer v) { gammaInitializer = v; return this; }

        public Builder runningMeanInitializer(Initializer v) { runningMeanInitializer = v; return this; }

        public Builder runningVarianceInitializer(Initializer v) { runningVarianceInitializer = v; return this; }

        /** Channels; 0 (default) = inferred from the data. */
        public Builder inChannels(int v) { inChannels = v; return this; }

        public Builder prefix(String v) { prefix = v; return this; }

        public Builder params(ParameterDict v) { params = v; return this; }

        public BatchNorm build() { return new BatchNorm(this); }
    }
}
