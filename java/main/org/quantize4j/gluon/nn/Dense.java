package org.quantize4j.gluon.nn;

import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Parameter;
import org.quantize4j.gluon.ParameterDict;
import org.quantize4j.gluon.Sym;
import org.quantize4j.gluon.init.Initializer;

/**
 * Fully connected layer (Gluon's {@code nn.Dense}): {@code FullyConnected} with {@code weight}
 * (units, in_units) and {@code bias} (units); in_units 0 = inferred on the first forward. Flattens its input
 * by default. An activation, if given, is a child block {@code <act>_}.
 *
 * <pre>{@code
 * Dense fc = new Dense(10);
 * Dense hidden = Dense.builder(4096).activation("relu").weightInitializer(Initializer.create("normal")).build();
 * }</pre>
 */
public class Dense extends Block {
    private final int units;
    private final boolean flatten;
    private final Parameter weight;
    private final Parameter bias;
    private final Activation act;

    public Dense(int units) {
        this(builder(units));
    }

    public static Builder builder(int units) {
        return new Builder(units);
    }

    protected Dense(Builder b) {
        super(b.prefix, b.params, "dense");
        if (b.units <= 0) throw new IllegalArgumentException("Dense needs units > 0, got " + b.units);
        this.units = b.units;
        this.flatten = b.flatten;
        try (var s = nameScope()) {
            weight = param("weight", new long[] {b.units, b.inUnits}, b.weightInitializer);
            bias = b.useBias ? param("bias", new long[] {b.units}, b.biasInitializer) : null;
            act = b.activation == null ? null : register("act", new Activation(b.activation, b.activation + "_"));
        }
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    @Override
    public Sym hybridForward(Sym x) {
        Sym y = F.fullyConnected(x, weight.var(), bias == null ? null : bias.var(), "fwd",
                F.kwargs("no_bias", bias == null, "num_hidden", units, "flatten", flatten));
        return act == null ? y : act.call(y);
    }

    /** Dense settings; defaults as Gluon's. */
    public static final class Builder {
        private final int units;
        private String activation;
        private boolean useBias = true;
        private boolean flatten = true;
        private Initializer weightInitializer;
        private Initializer biasInitializer = Initializer.create("zeros");
        private int inUnits;
        private String prefix;
        private ParameterDict params;

        private Builder(int units) {
            this.units = units;
        }

        public Builder activation(String v) { activation = v; return this; }

        public Builder useBias(boolean v) { useBias = v; return this; }

        public Builder flatten(boolean v) { flatten = v; return this; }

        public Builder weightInitializer(Initializer v) { weightInitializer = v; return this; }

        public Builder biasInitializer(Initializer v) { biasInitializer = v; return this; }

        /** Input size; 0 (default) = inferred from the data. */
        public Builder inUnits(int v) { inUnits = v; return this; }

        public Builder prefix(String v) { prefix = v; return this; }

        public Builder params(ParameterDict v) { params = v; return this; }

        public Dense build() { return new Dense(this); }
    }
}
