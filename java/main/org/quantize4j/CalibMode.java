package org.quantize4j;

/**
 * How {@link Quantization#quantizeModel} finds the ranges of the tensors it quantizes (MXNet's
 * {@code calib_mode}).
 *
 * <pre>{@code
 * QuantizeOptions o = QuantizeOptions.defaults().calibMode(CalibMode.NAIVE).calibData(iter);
 * }</pre>
 */
public enum CalibMode {
    /** No calibration: quantize and requantize nodes compute ranges from every batch at run time (slower). */
    NONE("none"),
    /** Global min and max of each tensor over the calibration set. */
    NAIVE("naive"),
    /** Histogram per tensor, threshold minimising the KL divergence (MXNet's default). */
    ENTROPY("entropy"),
    /** A user {@link org.quantize4j.calib.CalibrationCollector} gives the ranges (MXNet's "customize"). */
    CUSTOMIZE("customize");

    private final String mxnetName;

    CalibMode(String mxnetName) {
        this.mxnetName = mxnetName;
    }

    /** MXNet's spelling: {@code "none"}, {@code "naive"}, {@code "entropy"}, {@code "customize"}. */
    public String mxnetName() { return mxnetName; }

    /** Parses MXNet's spelling (case-insensitive). */
    public static CalibMode fromName(String name) {
        for (CalibMode m : values()) if (m.mxnetName.equalsIgnoreCase(name.trim())) return m;
        throw new IllegalArgumentException("unknown calibration mode '" + name + "' (none, naive, entropy, customize)");
    }
}
