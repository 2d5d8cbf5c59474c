package org.quantize4j;

/**
 * Element type of quantized activations (MXNet's {@code quantized_dtype}). Weights are always int8.
 *
 * <pre>{@code
 * QuantizeOptions o = QuantizeOptions.defaults().quantizedDtype(QuantizedDtype.AUTO);
 * }</pre>
 */
public enum QuantizedDtype {
    /** Signed 8 bit everywhere (MXNet's default). */
    INT8("int8"),
    /** Unsigned 8 bit everywhere: negative values clip to 0. */
    UINT8("uint8"),
    /** uint8 where the calibrated minimum is >= 0 (after ReLU), int8 elsewhere; int8 when not calibrated. */
    AUTO("auto");

    private final String mxnetName;

    QuantizedDtype(String mxnetName) {
        this.mxnetName = mxnetName;
    }

    /** MXNet's spelling: {@code "int8"}, {@code "uint8"}, {@code "auto"}. */
    public String mxnetName() { return mxnetName; }

    /**
     * The concrete type of a tensor with calibrated minimum {@code min} ({@code NaN} = not calibrated):
     * {@code "int8"} or {@code "uint8"}.
     */
    public String resolve(double min) {
        return switch (this) {
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case AUTO -> !Double.isNaN(min) && min >= 0 ? "uint8" : "int8";
        };
    }

    /** Parses MXNet's spelling (case-insensitive). */
    public static QuantizedDtype fromName(String name) {
        for (QuantizedDtype d : values()) if (d.mxnetName.equalsIgnoreCase(name.trim())) return d;
        throw new IllegalArgumentException("unknown quantized dtype '" + name + "' (int8, uint8, auto)");
    }
}
