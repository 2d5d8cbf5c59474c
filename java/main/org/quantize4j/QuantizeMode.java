package org.quantize4j;

/**
 * Which quantizable nodes the quantize pass converts (MXNet's {@code quantize_mode}).
 *
 * <pre>{@code
 * QuantizeOptions o = QuantizeOptions.defaults().quantizeMode(QuantizeMode.FULL);
 * }</pre>
 */
public enum QuantizeMode {
    /** Every node whose op has an INT8 kernel (and is not excluded). */
    FULL("full"),
    /**
     * Convolution / FullyConnected always; pooling, concat, relu, add, ... only when they sit between
     * quantized conv/FC nodes on both sides, so no quantize -> op -> dequantize islands appear.
     */
    SMART("smart");

    private final String mxnetName;

    QuantizeMode(String mxnetName) {
        this.mxnetName = mxnetName;
    }

    /** MXNet's spelling: {@code "full"} or {@code "smart"}. */
    public String mxnetName() { return mxnetName; }

    /** Parses MXNet's spelling (case-insensitive). */
    public static QuantizeMode fromName(String name) {
        for (QuantizeMode m : values()) if (m.mxnetName.equalsIgnoreCase(name.trim())) return m;
        throw new IllegalArgumentException("unknown quantize mode '" + name + "' (full, smart)");
    }
}
