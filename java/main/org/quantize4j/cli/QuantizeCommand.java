package org.quantize4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.quantize4j.CalibMode;
import org.quantize4j.MkldnnQuantizeResult;
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
import org.quantize4j.graph.Symbol;
import org.quantize4j.passes.CalibrationTarget;
import org.quantize4j.passes.fusion.FusionResult;
import org.quantize4j.report.CalibrationRecorder;
import org.quantize4j.report.CalibrationReport;
import org.quantize4j.report.LayerError;
import org.quantize4j.report.LayerErrors;
import org.quantize4j.report.TensorReport;
import org.quantize4j.QuantizeGranularity;
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
            "on --calib-data (IDX images, an image folder, RecordIO .rec or .npy, read as eval reads them;",
            "x = (pixel * scale - mean) / std). Writes OUT-symbol.json and OUT-0000.params; with --report DIR",
            "also DIR/report.html and DIR/report.json (calibration details and per-layer INT8 vs FP32 error)."},
        footerHeading = "%n",
        footer = {
            "Calibration modes: none (ranges computed at run time), naive (min/max), entropy (KL threshold).",
            "Quantized dtypes: int8, uint8, auto (uint8 where the calibrated minimum is >= 0).",
            "Quantize modes: smart (pooling/concat/add/relu only between quantized conv/FC), full.",
            "",
            "Examples:",
            "  quantize4j quantize --model test-models/fmnist_resnet20_v1 \\",
            "      --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz \\",
            "      --mean 0.2860 --std 0.3530 --calib-mode entropy --num-calib-examples 320 \\",
            "      --quantized-dtype auto --out out/resnet20-int8",
            "  quantize4j quantize -m my_model --calib-mode none --exclude conv0_fwd --exclude-op Concat \\",
            "      --out my_int8",
            "  quantize4j quantize --mkldnn --compact --model test-models/fmnist_resnet20_v1 \\",
            "      --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz \\",
            "      --mean 0.2860 --std 0.3530 --calib-mode naive --exclude-match '*stage1_conv0*' \\",
            "      --out out/resnet20-int8-fused",
            "  quantize4j quantize --model test-models/fmnist_resnet20_v1 \\",
            "      --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz \\",
            "      --mean 0.2860 --std 0.3530 --calib-mode naive --out out/resnet20-int8 \\",
            "      --report out/report --quiet --json",
            "    (out/report/report.html: per-tensor histograms and thresholds, per-layer INT8 vs FP32 error)"})
public final class QuantizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--calib-data", paramLabel = "DATA",
            description = "Calibration data: IDX images (gzip or not), image folder, RecordIO .rec or .npy; "
                    + "required unless --calib-mode none.")
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

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write DIR/report.html and DIR/report.json: per calibrated tensor its range, threshold, "
                    + "KL divergence and histogram; per quantized layer its INT8-vs-FP32 error on the calibration data, "
                    + "worst first (DIR is created if missing).")
    Path report;

    @Option(names = "--report-examples", paramLabel = "N",
            description = "Measure the per-layer errors of --report on the first N examples of --calib-data "
                    + "(default: the calibration examples).")
    Integer reportExamples;

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
        if (report != null && calibData == null) {
            throw new CommandLine.ParameterException(cmd, "--report needs --calib-data (the per-layer errors are "
                    + "measured on the calibration data)");
        }
        if (reportExamples != null && reportExamples <= 0) {
            throw new CommandLine.ParameterException(cmd, "--report-examples must be positive, got " + reportExamples);
        }
        if (report != null && Files.exists(report) && !Files.isDirectory(report)) {
            throw new CommandLine.ParameterException(cmd, "--report " + report + " is a file, not a folder");
        }
        Progress progress = new Progress(cmd.getErr(), !output.quiet(), "quantize");
        progress.message("loading " + model.prefix());
        Model m = model.load();
        CalibrationRecorder recorder = report != null && mode != CalibMode.NONE ? new CalibrationRecorder(mode) : null;
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
                .executorOptions(new ExecutorOptions(threads))
                .calibrationListener(recorder);
        long start = System.nanoTime();
        Result result;
        long examples = 0;
        CalibrationReport written = null;
        if (calibData == null || (mode == CalibMode.NONE && report == null)) {
            result = quantize(m, options);
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
                if (mode == CalibMode.NONE) {
                    examples = 0;
                    result = quantize(m, options);
                } else {
                    progress.message("calibrating (" + mode.mxnetName() + ") on " + examples + " examples of " + calibData);
                    Progress bar = new Progress(cmd.getErr(), !output.quiet(), "calibrating");
                    Runnable atEnd = mode == CalibMode.ENTROPY
                            ? () -> progress.message("choosing thresholds (KL divergence search over each histogram)")
                            : null;
                    try (DataIter shown = new ProgressDataIter(it, bar, examples, "images", atEnd)) {
                        result = quantize(m, options.calibData(shown));
                    }
                }
                if (report != null) {
                    written = writeReport(cmd, progress, m, result, recorder, options, it, examples, dataset.size());
                }
            }
        }
        QuantizedModel q = result.model();
        progress.message("writing " + out);
        q.save(out, 0, compact);
        double seconds = (System.nanoTime() - start) / 1e9;
        print(q, m, mode, dtype, qmode, examples, seconds, written);
        return Main.EXIT_OK;
    }

    /** What quantization produced, and for --mkldnn how the graph was fused. */
    private record Result(QuantizedModel model, FusionResult fusion) {
    }

    private CalibrationReport writeReport(CommandLine cmd, Progress progress, Model m, Result result,
                                          CalibrationRecorder recorder, QuantizeOptions options, DataIter it,
                                          long calibExamples, long datasetSize) {
        QuantizedModel q = result.model();
        long n = reportExamples != null ? Math.min(reportExamples, datasetSize)
                : calibExamples > 0 ? calibExamples : datasetSize;
        List<String> notes = new ArrayList<>();
        List<TensorReport> tensors = List.of();
        // Calibration ran on the FP32 graph the quantized one came from (the fused one for --mkldnn).
        Symbol reference = result.fusion() == null ? m.symbol() : result.fusion().symbol();
        if (recorder != null) {
            List<CalibrationTarget> targets = CalibrationRecorder.targetsOf(q.symbol());
            tensors = CalibrationRecorder.inGraphOrder(recorder.tensors(targets, 160), reference);
        } else {
            notes.add("Calibration mode none: ranges are computed at run time, so there are no calibrated tensors.");
        }
        Map<String, List<String>> originals = result.fusion() == null ? Map.of()
                : LayerErrors.originalsByFusedName(result.fusion().fusedNameOf());
        List<LayerError> layers = List.of();
        progress.message("measuring per-layer INT8 vs FP32 error on " + n + " examples");
        Progress bar = new Progress(cmd.getErr(), !output.quiet(), "layer errors");
        try {
            layers = LayerErrors.measure(reference, m.allParams(), q.symbol(), q.toModel().allParams(), originals, model.dataName(), it,
                    (int) n, options.executorOptions(), done -> bar.update(done, n, "images"));
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            // E.g. a quantized graph using a kernel this version lacks: the model and the calibration part of the
            // report still stand, so say what failed rather than lose them.
            notes.add("Per-layer errors not measured: " + e.getMessage());
            cmd.getErr().println("quantize4j quantize: warning: report without per-layer errors: " + e.getMessage());
        } finally {
            bar.done();
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("model", model.prefix());
        settings.put("calibration_data", String.valueOf(calibData));
        settings.put("calib_mode", options.calibMode().mxnetName());
        settings.put("quantized_dtype", options.quantizedDtype().mxnetName());
        settings.put("quantize_mode", options.quantizeMode().mxnetName());
        settings.put("quantize_granularity", options.quantizeGranularity().mxnetName());
        settings.put("graph", mkldnn ? "fused for oneDNN (quantize_model_mkldnn)" : "unfused (quantize_model)");
        settings.put("excluded", exclude.isEmpty() && excludeOp.isEmpty() && excludeMatch.isEmpty() ? "none"
                : String.join(", ", concat(exclude, prefixed("op ", excludeOp), prefixed("match ", excludeMatch))));
        settings.put("batch", Integer.toString(batch));
        settings.put("output", out);
        CalibrationReport r = new CalibrationReport(model.prefix(),
                OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString(), settings,
                recorder == null ? 0 : recorder.table().numExamples(), layers.isEmpty() ? 0 : n, tensors, layers, notes);
        progress.message("writing report " + report.resolve(CalibrationReport.HTML_FILE));
        r.write(report);
        return r;
    }

    private static List<String> prefixed(String prefix, List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) out.add(prefix + v);
        return out;
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> out = new ArrayList<>();
        for (List<String> l : lists) out.addAll(l);
        return out;
    }

    private Result quantize(Model m, QuantizeOptions options) {
        if (mkldnn) {
            MkldnnQuantizeResult r = Quantization.quantizeMkldnn(m.symbol(), m.argParams(), m.auxParams(), options);
            return new Result(r.model(), r.fusion());
        }
        return new Result(Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), options), null);
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
                       long examples, double seconds, CalibrationReport rep) throws Exception {
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
            if (rep != null) {
                o.put("report_html", report.resolve(CalibrationReport.HTML_FILE).toString());
                o.put("report_json", report.resolve(CalibrationReport.JSON_FILE).toString());
                if (!rep.layers().isEmpty()) {
                    LayerError worst = rep.layers().get(0);
                    o.put("worst_layer", worst.layer());
                    o.put("worst_layer_relative_l2", worst.relativeL2());
                    o.put("worst_layer_cosine", worst.cosine());
                }
            }
            w.println(json.writeValueAsString(o));
        } else {
            w.printf("model       %s (%d op nodes)%n", model.prefix(), ops);
            w.printf("quantized   %d nodes (%s, %s, calibration %s%s)%n", quantized, qmode.mxnetName(), dtype.mxnetName(),
                    mode.mxnetName(), mode == CalibMode.NONE ? "" : " on " + examples + " images");
            w.printf("calibrated  %d nodes%s%n", calibrated, mkldnn ? " (oneDNN-fused graph" + (compact ? ", compact int8 weights)" : ")") : "");
            w.printf("wrote       %s, %s (%.1f s)%n", symbolFile, paramsFile, seconds);
            if (rep != null) {
                w.printf("report      %s (%d tensors, %d layers)%n", report.resolve(CalibrationReport.HTML_FILE),
                        rep.tensors().size(), rep.layers().size());
                for (int i = 0; i < Math.min(3, rep.layers().size()); i++) {
                    LayerError e = rep.layers().get(i);
                    w.printf("%-11s %s: relative L2 %.4f, cosine %.5f%n", i == 0 ? "worst" : "", e.layer(),
                            e.relativeL2(), e.cosine());
                }
            }
        }
        w.flush();
    }
}
