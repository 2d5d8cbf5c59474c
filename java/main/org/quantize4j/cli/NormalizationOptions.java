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
    @Option(names = "--scale", paramLabel = "S", defaultValue = "1/255", converter = ScaleConverter.class,
            description = "Pixel scale, a number or a fraction like 1/255 (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--mean", paramLabel = "M[,M...]", split = ",", hideParamSyntax = true, defaultValue = "0",
            description = "Mean subtracted after scaling: one value or one per channel, comma separated "
                    + "(default: ${DEFAULT-VALUE}).")
    float[] mean;

    @Option(names = "--std", paramLabel = "S[,S...]", split = ",", hideParamSyntax = true, defaultValue = "1",
            description = "Standard deviation divided by: one value or one per channel, non-zero "
                    + "(default: ${DEFAULT-VALUE}).")
    float[] std;

    /**
     * The normalization for an input with {@code channels} channels.
     *
     * @throws CommandLine.ParameterException (a usage error) if a value is invalid or the channel counts differ
     */
    public Normalization toNormalization(CommandLine cmd, int channels) {
        try {
            Normalization n = new Normalization(scale, mean, std);
            n.checkChannels(channels);
            return n;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "invalid normalization: " + e.getMessage());
        }
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
