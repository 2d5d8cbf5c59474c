package org.quantize4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.data.DataIter;
import org.quantize4j.ModelFormatException;
import org.quantize4j.data.Dataset;
import org.quantize4j.data.Datasets;
import org.quantize4j.graph.Node;
import org.quantize4j.QuantizeGranularity;
import org.quantize4j.passes.ExcludedNames;
import org.quantize4j.passes.MkldnnAttrs;
import org.quantize4j.runtime.ExecutorOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quantize4j quantize}: post-training INT8 quantization of an MXNet model, like MXNet's
 * {@code quantize_model}, calibrated on an MNIST-format (IDX) image set.
 *
 * <pre>{@code
 * quantize4j quantize [--mkldnn [--compact]] --model test-models/fmnist_resnet20_v1 \
 *     --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530 \
 *     --calib-mode entropy --num-calib-examples 320 --quantized-dtype auto --quantize-mode smart \
 *     --out out/fmnist_resnet20_v1-quantized --json
 * }</pre>
 */
@Command(name = "quantize",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Post-training INT8 quantization (MXNet quantize_model / quantize_model_mkldnn).",
        description = {
            "Quantizes a model to INT8 as MXNet's mxnet.contrib.quantization.quantize_model does, calibrating",
            "on an MNIST / Fashion-MNIST IDX image set (fed as (batch, 1, rows, cols) float32 after",
            "x = (pixel * scale - mean) / std). Writes OUT-symbol.json and OUT-0000.params."},
        footerHeading = "%n",
        footer = {
            "Calibration modes: none (ranges computed at run time), naive (min/max), entropy (KL threshold).",
            "Quantized dtypes: int8, uint8, auto (uint8 where the calibrated minimum is >= 0).",
            "Quantize modes: smart (pooling/concat/add/relu only between quantized conv/FC), full.",
            "",
            "Examples:",
            "  quantize4j quantize --model test-models/fmnist_resnet20_v1 \\",
            "      --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530 \\",
            "      --calib-mode entropy --num-calib-examples 320 --quantized-dtype auto --out out/resnet20-int8",
            "  quantize4j quantize -m my_model --calib-mode none --exclude conv0_fwd --exclude-op Concat --out my_int8",
            "  quantize4j quantize --mkldnn --compact --model test-models/fmnist_resnet20_v1 --calib-mode naive \\",
            "      --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530 \\",
            "      --exclude-match '*stage1_conv0*' --out out/resnet20-int8-fused",
            "",
            "Exit codes: 0 success, 1 runtime failure, 2 usage error."})
public final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--calib-data", paramLabel = "IMAGES",
            description = "IDX images file for calibration (idx3-ubyte, gzip or not); required unless --calib-mode none.")
    Path calibData;

    @Mixin
    NormalizationOptions normalization;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--calib-mode", paramLabel = "MODE", defaultValue = "entropy",
            description = "none, naive or entropy (default: ${DEFAULT-VALUE}).")
    String calibMode;

    @Option(names = "--num-calib-examples", paramLabel = "N",
            description = "Calibrate on the first N images (default: all).")
    Integer numCalibExamples;

    @Option(names = "--quantized-dtype", paramLabel = "TYPE", defaultValue = "int8",
            description = "int8, uint8 or auto (default: ${DEFAULT-VALUE}).")
    String quantizedDtype;

    @Option(names = "--quantize-mode", paramLabel = "MODE", defaultValue = "smart",
            description = "smart or full (default: ${DEFAULT-VALUE}).")
    String quantizeMode;

    @Option(names = "--exclude", paramLabel = "NAME",
            description = "Keep node NAME in FP32 (repeatable).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--exclude-op", paramLabel = "OP",
            description = "Keep every node of op OP (e.g. Pooling) in FP32 (repeatable).")
    List<String> excludeOp = new ArrayList<>();

    @Option(names = "--exclude-match", paramLabel = "GLOB",
            description = "Keep every node whose name (original or, with --mkldnn, fused) matches GLOB in FP32; "
                    + "* and ? are wildcards, a pattern without them matches names containing it (repeatable).")
    List<String> excludeMatch = new ArrayList<>();

    @Option(names = "--mkldnn",
            description = "Fuse for oneDNN first and quantize the fused graph (MXNet quantize_model_mkldnn): "
                    + "_sg_mkldnn_conv / _sg_mkldnn_fully_connected with requantize and dequantize absorbed.")
    boolean mkldnn;

    @Option(names = "--quantize-granularity", paramLabel = "G", defaultValue = "channel-wise",
            description = "Weight scales of quantized conv / FC: one per output channel or one per tensor (MXNet's plain quantize_model; default: ${DEFAULT-VALUE}).")
    String granularity;

    @Option(names = "--compact",
            description = "With --mkldnn: store the FP32 weights of quantized fused nodes as int8 + per-channel "
                    + "scales (about 4x smaller; only Quantize4J reads these params).")
    boolean compact;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "32",
            description = "Calibration batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "0",
            description = "Compute threads, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "PREFIX",
            description = "Output prefix: writes PREFIX-symbol.json and PREFIX-0000.params.")
    String out;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        CalibMode mode = parse(cmd, "--calib-mode", () -> CalibMode.fromName(calibMode));
        if (mode == CalibMode.CUSTOMIZE) throw new CommandLine.ParameterException(cmd, "--calib-mode customize is API-only");
        QuantizedDtype dtype = parse(cmd, "--quantized-dtype", () -> QuantizedDtype.fromName(quantizedDtype));
        QuantizeMode qmode = parse(cmd, "--quantize-mode", () -> QuantizeMode.fromName(quantizeMode));
        QuantizeGranularity gran = parse(cmd, "--quantize-granularity", () -> QuantizeGranularity.fromName(granularity));
        if (compact && !mkldnn) throw new CommandLine.ParameterException(cmd, "--compact needs --mkldnn");
        if (batch <= 0) throw new CommandLine.ParameterException(cmd, "--batch must be positive, got " + batch);
        if (threads < 0) throw new CommandLine.ParameterException(cmd, "--threads must be >= 0, got " + threads);
        if (numCalibExamples != null && numCalibExamples <= 0) {
            throw new CommandLine.ParameterException(cmd, "--num-calib-examples must be positive, got " + numCalibExamples);
        }
        if (mode != CalibMode.NONE && calibData == null) {
            throw new CommandLine.ParameterException(cmd, "--calib-data is required with --calib-mode " + mode.mxnetName()
                    + " (or use --calib-mode none)");
        }
        Progress progress = new Progress(cmd.getErr(), !output.quiet(), "quantize");
        progress.message("loading " + model.prefix());
        Model m = model.load();
        QuantizeOptions options = QuantizeOptions.defaults()
                .dataNames(model.dataName())
                .calibMode(mode)
                .numCalibExamples(numCalibExamples)
                .quantizedDtype(dtype)
                .quantizeMode(qmode)
                .excludedSymNames(exclude)
                .excludedOpNames(excludeOp)
                .excludedSymNamesMatch(excludeMatch)
                .quantizeGranularity(gran)
                .executorOptions(new ExecutorOptions(threads));
        long start = System.nanoTime();
        QuantizedModel q;
        long examples = 0;
        if (mode == CalibMode.NONE) {
            q = quantize(m, options);
        } else {
            Dataset dataset;
            try {
                // Calibration needs no labels: the dataset's labels are ignored even where present.
                dataset = Datasets.open(calibData, dataOptions.toDatasetOptions(cmd, null, normalization.explicitOrNull(cmd)));
            } catch (ModelFormatException e) {
                throw e;
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "invalid normalization or data options for " + calibData
                        + ": " + e.getMessage());
            }
            try (dataset; DataIter it = dataset.iterator(batch)) {
                examples = numCalibExamples == null ? dataset.size() : Math.min(numCalibExamples, dataset.size());
                progress.message("calibrating (" + mode.mxnetName() + ") on " + examples + " examples of " + calibData);
                q = quantize(m, options.calibData(it));
            }
        }
        progress.message("writing " + out);
        q.save(out, 0, compact);
        double seconds = (System.nanoTime() - start) / 1e9;
        print(q, m, mode, dtype, qmode, examples, seconds);
        return Main.EXIT_OK;
    }

    private QuantizedModel quantize(Model m, QuantizeOptions options) {
        if (mkldnn) return Quantization.quantizeModelMkldnn(m.symbol(), m.argParams(), m.auxParams(), options);
        if (!excludeMatch.isEmpty()) {
            // The plain pass takes names: expand the patterns over the graph's node names.
            java.util.Set<String> names = new java.util.LinkedHashSet<>(exclude);
            for (Node n : m.symbol().nodes()) {
                if (n.isVariable()) continue;
                for (String p : excludeMatch) if (ExcludedNames.matches(p, n.name())) names.add(n.name());
            }
            options.excludedSymNames(names);
        }
        return Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), options);
    }

    private interface Parser<T> {
        T parse();
    }

    private static <T> T parse(CommandLine cmd, String option, Parser<T> p) {
        try {
            return p.parse();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, option + ": " + e.getMessage());
        }
    }

    private void print(QuantizedModel q, Model m, CalibMode mode, QuantizedDtype dtype, QuantizeMode qmode,
                       long examples, double seconds) throws Exception {
        int quantized = 0;
        int ops = 0;
        int calibrated = 0;
        for (Node n : q.symbol().nodes()) {
            if (n.op().startsWith("_contrib_quantized_") || MkldnnAttrs.isQuantizedFused(n)) quantized++;
            if (n.attr("min_calib_range") != null) calibrated++;
        }
        for (Node n : m.symbol().nodes()) if (!n.isVariable()) ops++;
        PrintWriter w = spec.commandLine().getOut();
        String symbolFile = Model.symbolPath(out).toString();
        String paramsFile = Model.paramsPath(out, 0).toString();
        if (output.json()) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode o = json.createObjectNode();
            o.put("model", model.prefix());
            o.put("out", out);
            o.put("symbol", symbolFile);
            o.put("params", paramsFile);
            o.put("calib_mode", mode.mxnetName());
            o.put("quantized_dtype", dtype.mxnetName());
            o.put("quantize_mode", qmode.mxnetName());
            o.put("mkldnn", mkldnn);
            o.put("compact", compact);
            o.put("calib_examples", examples);
            o.put("fp32_op_nodes", ops);
            o.put("quantized_nodes", quantized);
            o.put("calibrated_nodes", calibrated);
            o.put("seconds", seconds);
            w.println(json.writeValueAsString(o));
        } else {
            w.printf("model       %s (%d op nodes)%n", model.prefix(), ops);
            w.printf("quantized   %d nodes (%s, %s, calibration %s%s)%n", quantized, qmode.mxnetName(), dtype.mxnetName(),
                    mode.mxnetName(), mode == CalibMode.NONE ? "" : " on " + examples + " images");
            w.printf("calibrated  %d nodes%s%n", calibrated, mkldnn ? " (oneDNN-fused graph" + (compact ? ", compact int8 weights)" : ")") : "");
            w.printf("wrote       %s, %s (%.1f s)%n", symbolFile, paramsFile, seconds);
        }
        w.flush();
    }
}
