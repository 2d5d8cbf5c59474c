package org.quantize4j;

/**
 * How many int8 scales the weights of a quantized convolution / FullyConnected get (MXNet's
 * {@code quantize_granularity}): one per output channel (more accurate, the default) or one per tensor.
 * Used by {@link Quantization#quantizeModelMkldnn}; recorded in the quantized symbol as the fused node's
 * {@code channel_wise_quantize} attribute (see {@link org.quantize4j.passes.MkldnnAttrs}).
 *
 * <pre>{@code
 * QuantizeOptions o = QuantizeOptions.defaults().quantizeGranularity(QuantizeGranularity.TENSOR_WISE);
 * }</pre>
 */
public enum QuantizeGranularity {
    /** One symmetric scale per output channel ({@code max|w[c]| / 127}). */
    CHANNEL_WISE("channel-wise"),
    /** One symmetric scale for the whole weight tensor ({@code max|w| / 127}). */
    TENSOR_WISE("tensor-wise");

    private final String mxnetName;

    QuantizeGranularity(String mxnetName) {
        this.mxnetName = mxnetName;
    }

    /** MXNet's spelling: {@code "channel-wise"} or {@code "tensor-wise"}. */
    public String mxnetName() { return mxnetName; }

    /** Parses MXNet's spelling (case-insensitive; {@code channel_wise} / {@code tensor_wise} too). */
    public static QuantizeGranularity fromName(String name) {
        String n = name.trim().replace('_', '-');
        for (QuantizeGranularity g : values()) if (g.mxnetName.equalsIgnoreCase(n)) return g;
        throw new IllegalArgumentException("unknown quantize granularity '" + name + "' (channel-wise, tensor-wise)");
    }
}
