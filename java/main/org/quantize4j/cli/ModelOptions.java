package org.quantize4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.quantize4j.Model;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import picocli.CommandLine.Option;

/**
 * Options naming the model, shared by the commands: {@code --model PREFIX [--epoch N] [--data-name NAME]}.
 *
 * <pre>{@code
 * @Mixin ModelOptions model;
 * Model m = model.load();   // PREFIX-symbol.json + PREFIX-0000.params
 * }</pre>
 */
public final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PREFIX",
            description = "Model prefix: reads PREFIX-symbol.json and PREFIX-<epoch>.params "
                    + "(a path to PREFIX-symbol.json is accepted too).")
    String model;

    @Option(names = "--epoch", paramLabel = "N", defaultValue = "0",
            description = "Epoch of the params file PREFIX-%%04d.params (default: ${DEFAULT-VALUE}).")
    int epoch;

    @Option(names = "--data-name", paramLabel = "NAME", defaultValue = "data",
            description = "Name of the model's input variable (default: ${DEFAULT-VALUE}).")
    String dataName;

    /** The prefix, without a trailing {@code -symbol.json} if the user gave the symbol file. */
    public String prefix() {
        String p = model;
        if (p.endsWith("-symbol.json")) p = p.substring(0, p.length() - "-symbol.json".length());
        return p;
    }

    public String dataName() { return dataName; }

    public Path symbolFile() { return Path.of(prefix() + "-symbol.json"); }

    public Path paramsFile() { return Path.of(String.format("%s-%04d.params", prefix(), epoch)); }

    /** Whether the params file exists. */
    public boolean hasParams() { return Files.isRegularFile(paramsFile()); }

    /**
     * Loads symbol and params.
     *
     * @throws NoSuchFileException naming the missing file and what --model expects
     */
    public Model load() throws IOException {
        requireFile(symbolFile());
        requireFile(paramsFile());
        // Compact INT8 files (quantize --compact) run with their int8 weights expanded, as QuantizedModel.load does.
        return org.quantize4j.QuantizedModel.load(prefix(), epoch).toModel();
    }

    /** Loads the symbol only (for random weights). */
    public Symbol loadSymbol() throws IOException {
        requireFile(symbolFile());
        return SymbolJson.read(symbolFile());
    }

    /**
     * Builds an executor for this model's symbol; a model that cannot run (missing or mis-shaped
     * parameter, unknown op or attribute) fails with a message that names the model files as well as
     * the node and tensor the executor names.
     */
    public Executor createExecutor(Symbol symbol, Map<String, NDArray> params, long[] inputShape,
            ExecutorOptions options, boolean randomWeights) {
        try {
            return Executor.create(symbol, params, Map.of(dataName, inputShape), options);
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            String files = randomWeights ? symbolFile() + " (random weights)" : symbolFile() + " + " + paramsFile();
            throw new IllegalArgumentException(files + ": " + e.getMessage(), e);
        }
    }

    private void requireFile(Path p) throws NoSuchFileException {
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(p.toString(), null, "model file not found (--model " + model
                    + " expects PREFIX-symbol.json and PREFIX-" + String.format("%04d", epoch) + ".params)");
        }
    }
}
