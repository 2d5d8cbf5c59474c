package org.quantize4j.cli;

import java.nio.file.Path;
import org.quantize4j.data.ChannelOrder;
import org.quantize4j.data.DatasetOptions;
import org.quantize4j.data.Normalization;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How a dataset given with {@code --data} is read, after MXNet's ImageRecordIter options:
 * {@code --data-shape}, {@code --resize}, {@code --rgb}/{@code --bgr}, {@code --shuffle}/{@code --seed},
 * {@code --skip-unreadable}, {@code --decode-threads}.
 *
 * <pre>{@code
 * @Mixin DataOptions dataOptions;
 * DatasetOptions o = dataOptions.toDatasetOptions(cmd, labels, normalization.explicitOrNull(cmd));
 * }</pre>
 */
public final class DataOptions {
    @Option(names = "--data-shape", paramLabel = "C,H,W", split = ",", hideParamSyntax = true,
            description = "Shape of one example fed to the model, e.g. 3,224,224 (default: from the data). "
                    + "Images larger than H x W are center-cropped.")
    int[] dataShape;

    @Option(names = "--resize", paramLabel = "N",
            description = "Resize images so the shorter side is N (bilinear) before the center crop.")
    Integer resize;

    @Option(names = "--rgb", description = "Feed color channels as R,G,B (default, like MXNet's ImageRecordIter).")
    boolean rgb;

    @Option(names = "--bgr", description = "Feed color channels as B,G,R (give --mean/--std in that order too).")
    boolean bgr;

    @Option(names = "--shuffle", description = "Shuffle the example order (default: file order, reproducible).")
    boolean shuffle;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of --shuffle (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--skip-unreadable",
            description = "Skip images that cannot be decoded (reported with a count) instead of failing.")
    boolean skipUnreadable;

    @Option(names = "--decode-threads", paramLabel = "N", defaultValue = "0",
            description = "Threads decoding images, 0 = min(4, cores) (default: ${DEFAULT-VALUE}).")
    int decodeThreads;

    /**
     * The dataset options these flags ask for.
     *
     * @param labels        explicit labels file, or null
     * @param normalization explicit normalization, or null for the data kind's default
     * @throws CommandLine.ParameterException (a usage error) for invalid values
     */
    public DatasetOptions toDatasetOptions(CommandLine cmd, Path labels, Normalization normalization) {
        if (rgb && bgr) throw new CommandLine.ParameterException(cmd, "--rgb and --bgr are mutually exclusive");
        if (decodeThreads < 0) throw new CommandLine.ParameterException(cmd, "--decode-threads must be >= 0, got " + decodeThreads);
        DatasetOptions o = DatasetOptions.defaults();
        try {
            if (dataShape != null) o = o.withDataShape(dataShape);
            if (resize != null) {
                if (resize <= 0) throw new IllegalArgumentException("--resize must be positive, got " + resize);
                o = o.withResize(resize);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, (e.getMessage().startsWith("--") ? "" : "--data-shape: ") + e.getMessage());
        }
        int threads = decodeThreads > 0 ? decodeThreads : Math.min(4, Runtime.getRuntime().availableProcessors());
        return o.withChannelOrder(bgr ? ChannelOrder.BGR : ChannelOrder.RGB)
                .withShuffle(shuffle, seed)
                .withSkipUnreadable(skipUnreadable)
                .withThreads(threads)
                .withLabels(labels)
                .withNormalization(normalization);
    }
}
