package org.quantize4j.cli;

import org.quantize4j.data.Normalization;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Input normalization options {@code x = (pixel * scale - mean) / std}: {@code --scale}, {@code --mean},
 * {@code --std}, mean and std one value or one per channel (comma separated).
 *
 * <pre>{@code
 * @Mixin NormalizationOptions norm;
 * Normalization n = norm.toNormalization(spec.commandLine(), 1);
 * }</pre>
 */
public final class NormalizationOptions {
    // No picocli defaults: a float .npy tensor is fed unchanged unless one of these is given.
    @Option(names = "--scale", paramLabel = "S", converter = ScaleConverter.class,
            description = "Pixel scale, a number or a fraction like 1/255 (default: 1/255 for pixels; "
                    + "float .npy data is fed unchanged unless --scale/--mean/--std is given).")
    Double scale;

    @Option(names = "--mean", paramLabel = "M[,M...]", split = ",", hideParamSyntax = true,
            description = "Mean subtracted after scaling: one value or one per fed channel, comma separated "
                    + "(default: 0).")
    float[] mean;

    @Option(names = "--std", paramLabel = "S[,S...]", split = ",", hideParamSyntax = true,
            description = "Standard deviation divided by: one value or one per fed channel, non-zero "
                    + "(default: 1).")
    float[] std;

    /**
     * The normalization for an input with {@code channels} channels.
     *
     * @throws CommandLine.ParameterException (a usage error) if a value is invalid or the channel counts differ
     */
    public Normalization toNormalization(CommandLine cmd, int channels) {
        try {
            Normalization n = withDefaults();
            n.checkChannels(channels);
            return n;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "invalid normalization: " + e.getMessage());
        }
    }

    /** Whether any of --scale, --mean, --std was given. */
    public boolean given() {
        return scale != null || mean != null || std != null;
    }

    /**
     * The normalization given on the command line (missing values at their defaults), or null if none
     * of the options was given; the channel count is checked later, against the data.
     *
     * @throws CommandLine.ParameterException (a usage error) if a value is invalid
     */
    public Normalization explicitOrNull(CommandLine cmd) {
        if (!given()) return null;
        try {
            return withDefaults();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "invalid normalization: " + e.getMessage());
        }
    }

    private Normalization withDefaults() {
        return new Normalization(scale == null ? Normalization.DEFAULT_SCALE : scale,
                mean == null ? new float[] {0f} : mean, std == null ? new float[] {1f} : std);
    }

    /** Parses "0.0039", "1/255" or "2/3.5". */
    public static final class ScaleConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.trim();
            double d;
            try {
                int slash = v.indexOf('/');
                d = slash < 0 ? Double.parseDouble(v)
                        : Double.parseDouble(v.substring(0, slash).trim()) / Double.parseDouble(v.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a number or fraction like 1/255");
            }
            if (!Double.isFinite(d)) throw new CommandLine.TypeConversionException("'" + value + "' is not a finite number");
            return d;
        }
    }
}
