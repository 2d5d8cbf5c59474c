package org.quantize4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.ModelFormatException;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.Dataset;
import org.quantize4j.data.Datasets;
import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameManager;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.init.Xavier;
import org.quantize4j.gluon.zoo.ModelZoo;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.fusion.FusionPass;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.quantize4j.runtime.RandomParams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quantize4j bench}: inference throughput and latency on random input, for each (batch, threads)
 * combination; with {@code --int8} the model is also quantized in memory (oneDNN-fused, as
 * {@link Quantization#quantizeModelMkldnn}) and FP32 (fused) and INT8 are timed side by side, answering
 * "how much faster will my model be in INT8".
 *
 * <pre>{@code
 * quantize4j bench --model test-models/zoo/resnet50_v1 --random-weights --shape 1,3,224,224 --batch 1,64 --threads 1,2
 * quantize4j bench --model test-models/fmnist_resnet20_v1 --shape 1,1,28,28 --int8 --calib-mode naive \
 *     --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530 --json
 * quantize4j bench --zoo resnet18_v1 --int8 --batch 1,64 --threads 1 --profile
 * }</pre>
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        modelTransformer = BenchCommand.SharedOptions.class,
        header = "Measures images/s and latency percentiles on random input; FP32 vs INT8 with --int8.",
        description = {
            "Inference speed on random input: for each batch size and thread count, a warm-up, then forward",
            "passes for a fixed time; reports images/s and latency percentiles (one forward pass including",
            "the input copy). The model is --model PREFIX, or --zoo NAME (a model-zoo architecture built in",
            "memory with random weights).",
            "With --int8 the model is quantized in memory as quantize --mkldnn does (calibrated on --calib-data,",
            "or on random normal input with --random-weights / --zoo) and two variants are timed in one run:",
            "fp32 (the oneDNN-fused FP32 graph) and int8; the int8 row carries the speedup int8/fp32.",
            "Variants of one (batch, threads) are timed in alternating rounds, so they see the same machine.",
            "--profile adds, per variant, the time of every step with its oneDNN kernel implementation",
            "and the number of reorders (layout changes) inside the graph."},
        footerHeading = "%n",
        footer = {
            "Variants: without --int8/--fp32-unfused the model is timed as given (variant \"model\").",
            "  fp32          the fused FP32 graph (Convolution+BatchNorm+add+activation as one oneDNN primitive)",
            "  fp32-unfused  the FP32 graph as given (--fp32-unfused)",
            "  int8          quantizeModelMkldnn's graph (--int8)",
            "  int8-unfused  quantizeModel's graph, one INT8 op per MXNet op (--int8-unfused)",
            "JSON: one object per (variant, batch, threads) with \"variant\"; rows other than fp32 have",
            "\"speedup\" = images_per_second / images_per_second of the fp32 row of the same batch and threads.",
            "",
            "Examples:",
            "  quantize4j bench --model test-models/fmnist_resnet20_v1 --shape 1,1,28,28 --batch 1,64",
            "  quantize4j bench --model test-models/zoo/resnet50_v1 --random-weights \\",
            "      --shape 1,3,224,224 --batch 1,64 --threads 1,2 --seconds 5 --json",
            "  quantize4j bench --model test-models/zoo/resnet50_v1 --random-weights --shape 1,3,224,224 \\",
            "      --int8 --calib-mode naive --batch 1,64 --threads 1,2 --json",
            "  quantize4j bench --model test-models/fmnist_resnet20_v1 --data-shape 1,28,28 --int8 \\",
            "      --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz \\",
            "      --mean 0.2860 --std 0.3530",
            "  quantize4j bench --zoo resnet18_v1 --int8 --fp32-unfused --batch 1 --threads 1 --profile",
            "  quantize4j bench --zoo mobilenetv2_1.0 --classes 10 --data-shape 3,96,96 --int8",
            "",
            "Exit codes: 0 success, 1 runtime failure, 2 usage error."})
public final class BenchCommand implements Callable<Integer> {
    /** Variant names, as printed in the "variant" field. */
    static final String MODEL = "model";
    static final String FP32 = "fp32";
    static final String FP32_UNFUSED = "fp32-unfused";
    static final String INT8 = "int8";
    static final String INT8_UNFUSED = "int8-unfused";

    private static final long DEFAULT_RANDOM_CALIB_EXAMPLES = 64;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--zoo", paramLabel = "NAME",
            description = "Instead of --model: the model-zoo architecture NAME (see zoo --list) built in memory "
                    + "with random weights; input shape from --data-shape (default 3,224,224, 3,299,299 for inceptionv3).")
    String zoo;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "1000",
            description = "With --zoo: number of classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = {"-s", "--shape"}, paramLabel = "N,C,H,W",
            description = "Input shape, comma separated; its first dimension is the batch size unless "
                    + "--batch is given. Or give --data-shape C,H,W.")
    String shapeText;

    @Option(names = {"-b", "--batch"}, paramLabel = "N[,N...]", split = ",", hideParamSyntax = true,
            description = "Batch sizes to measure (default: the first dimension of --shape, else 1).")
    int[] batches;

    @Option(names = {"-t", "--threads"}, paramLabel = "N[,N...]", split = ",", hideParamSyntax = true,
            defaultValue = "0",
            description = "Thread counts to measure, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int[] threads;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3",
            description = "Timed duration per variant and (batch, threads) in seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "With several variants: split each variant's --seconds into N rounds, alternating "
                    + "the variants round by round (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "1",
            description = "Warm-up: this many seconds or 3 iterations, whichever comes first, "
                    + "at least 1 iteration (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--random-weights",
            description = "Use random weights (fixed seed) instead of the params file, e.g. for model-zoo "
                    + "symbols without weights; with --int8, calibrate on random normal input.")
    boolean randomWeights;

    @Option(names = "--int8",
            description = "Quantize in memory (oneDNN-fused, like quantize --mkldnn) and time fp32 (fused) and int8.")
    boolean int8;

    @Option(names = "--fp32-unfused",
            description = "Also time the FP32 graph as given, unfused (variant fp32-unfused).")
    boolean fp32Unfused;

    @Option(names = "--int8-unfused",
            description = "Also time quantizeModel's unfused INT8 graph (variant int8-unfused).")
    boolean int8Unfused;

    @Option(names = "--calib-mode", paramLabel = "MODE", defaultValue = "naive",
            description = "Calibration of the INT8 variants: none, naive or entropy (default: ${DEFAULT-VALUE}).")
    String calibMode;

    @Option(names = "--calib-data", paramLabel = "DATA",
            description = "Calibration data (IDX images, image folder, RecordIO .rec or .npy); needed for --int8 "
                    + "unless --random-weights, --zoo or --calib-mode none.")
    Path calibData;

    @Option(names = "--num-calib-examples", paramLabel = "N",
            description = "Calibrate on the first N examples (default: all of --calib-data, or "
                    + DEFAULT_RANDOM_CALIB_EXAMPLES + " random ones).")
    Integer numCalibExamples;

    @Option(names = "--calib-batch", paramLabel = "N", defaultValue = "32",
            description = "Calibration batch size (default: ${DEFAULT-VALUE}).")
    int calibBatch;

    @Option(names = "--quantized-dtype", paramLabel = "TYPE", defaultValue = "auto",
            description = "int8, uint8 or auto (default: ${DEFAULT-VALUE}).")
    String quantizedDtype;

    @Option(names = "--exclude-match", paramLabel = "GLOB",
            description = "Keep nodes whose name (original or fused) matches GLOB in FP32 (repeatable).")
    List<String> excludeMatch = new ArrayList<>();

    @Mixin
    NormalizationOptions normalization;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--profile",
            description = "After timing, profile each variant: time per step (node, op, oneDNN kernel "
                    + "implementation), slowest first, and the reorders inside the graph.")
    boolean profile;

    @Option(names = "--profile-iterations", paramLabel = "N", defaultValue = "20",
            description = "Forward passes the profile sums over (default: ${DEFAULT-VALUE}).")
    int profileIterations;

    @Mixin
    OutputOptions output;

    /**
     * Adjusts options that come from the shared mixins: {@code --model} is not required here (--zoo replaces
     * it), and {@code --seed} (from {@link DataOptions}) also seeds the random weights, input and calibration data.
     */
    static final class SharedOptions implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            // Options cannot be replaced in place: take them all out and put them back in order, two changed.
            List<OptionSpec> all = new ArrayList<>(spec.options());
            for (OptionSpec o : all) spec.remove(o);
            for (OptionSpec o : all) {
                if (o.longestName().equals("--model")) {
                    o = o.toBuilder().required(false).description("Model prefix: reads PREFIX-symbol.json and "
                            + "PREFIX-<epoch>.params (a path to PREFIX-symbol.json is accepted too). Give --model or --zoo.")
                            .build();
                } else if (o.longestName().equals("--seed")) {
                    o = o.toBuilder().description("Seed of the random input, random weights and random calibration "
                            + "data, and of --shuffle (default: ${DEFAULT-VALUE}).").build();
                }
                spec.addOption(o);
            }
            return spec;
        }
    }

    /** One measured (batch, threads) combination of one variant. */
    public record Result(String variant, int batch, int threads, long iterations, double seconds, LatencyStats latency) {
        public double imagesPerSecond() { return batch * iterations / seconds; }
    }

    /** The FP32 model the variants derive from, and where it came from (for messages). */
    private record Source(String description, Model model, boolean random) {
    }

    /** A graph to time. */
    private record Variant(String name, Symbol symbol, Map<String, NDArray> params) {
    }

    private long[] exampleShape;     // C,H,W (without the batch), null until known
    private int[] batchList;
    private CalibMode mode;
    private QuantizedDtype dtype;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        validate(cmd);
        Progress progress = new Progress(cmd.getErr(), !output.quiet(), "bench");

        Dataset dataset = null;
        try {
            if (calibData != null) {
                dataset = openCalibData(cmd);
                if (exampleShape == null) {
                    long[] s = dataset.batchShape(1);
                    exampleShape = Arrays.copyOfRange(s, 1, s.length);
                }
            }
            if (exampleShape == null && model.model != null && randomWeights) exampleShape = defaultShape(progress);
            if (exampleShape == null) {
                throw new CommandLine.ParameterException(cmd, "--shape N,C,H,W is required (or --data-shape C,H,W, "
                        + "or --zoo NAME)");
            }
            if (batchList == null) batchList = new int[] {1};
            Source source = loadSource(progress);
            List<Variant> variants = variants(cmd, source, dataset, progress);
            run(cmd, source, variants, progress);
        } finally {
            if (dataset != null) dataset.close();
        }
        return Main.EXIT_OK;
    }

    // ------------------------------------------------------------------ options

    private void validate(CommandLine cmd) {
        boolean hasModel = model.model != null;
        if (hasModel == (zoo != null)) {
            throw new CommandLine.ParameterException(cmd, hasModel ? "give --model or --zoo, not both"
                    : "missing --model PREFIX (or --zoo NAME)");
        }
        if (zoo != null) {
            if (!ModelZoo.names().contains(zoo.toLowerCase())) {
                throw new CommandLine.ParameterException(cmd, "--zoo: unknown model '" + zoo + "'; available: "
                        + String.join(", ", ModelZoo.names()));
            }
            if (classes <= 0) throw new CommandLine.ParameterException(cmd, "--classes must be > 0, got " + classes);
        }
        if (shapeText != null) {
            long[] shape = parseShape(cmd, shapeText);
            for (long d : shape) {
                if (d <= 0) throw new CommandLine.ParameterException(cmd, "--shape dimensions must be positive, got "
                        + Arrays.toString(shape));
            }
            if (shape.length < 2) {
                throw new CommandLine.ParameterException(cmd, "--shape needs a batch and at least one more dimension, got "
                        + Arrays.toString(shape));
            }
            exampleShape = Arrays.copyOfRange(shape, 1, shape.length);
            if (batches == null) batchList = new int[] {Math.toIntExact(shape[0])};
        }
        if (dataOptions.dataShape != null) {
            long[] ds = new long[dataOptions.dataShape.length];
            for (int i = 0; i < ds.length; i++) {
                ds[i] = dataOptions.dataShape[i];
                if (ds[i] <= 0) throw new CommandLine.ParameterException(cmd, "--data-shape dimensions must be positive, got "
                        + Arrays.toString(dataOptions.dataShape));
            }
            if (exampleShape != null && !Arrays.equals(exampleShape, ds)) {
                throw new CommandLine.ParameterException(cmd, "--shape " + shapeText + " and --data-shape "
                        + Arrays.toString(ds) + " disagree; give one of them");
            }
            exampleShape = ds;
        }
        if (exampleShape == null && zoo != null) {
            long[] s = ModelZoo.inputShape(zoo, 1);
            exampleShape = Arrays.copyOfRange(s, 1, s.length);
        }
        if (batches != null) {
            for (int b : batches) {
                if (b <= 0) throw new CommandLine.ParameterException(cmd, "--batch sizes must be positive, got " + b);
            }
            batchList = batches;
        }
        for (int t : threads) {
            if (t < 0) throw new CommandLine.ParameterException(cmd, "--threads must be >= 0, got " + t);
        }
        if (!(seconds > 0) || !Double.isFinite(seconds)) {
            throw new CommandLine.ParameterException(cmd, "--seconds must be positive, got " + seconds);
        }
        if (!(warmup >= 0) || !Double.isFinite(warmup)) {
            throw new CommandLine.ParameterException(cmd, "--warmup must be >= 0, got " + warmup);
        }
        if (rounds <= 0) throw new CommandLine.ParameterException(cmd, "--rounds must be positive, got " + rounds);
        if (profileIterations <= 0) {
            throw new CommandLine.ParameterException(cmd, "--profile-iterations must be positive, got " + profileIterations);
        }
        boolean quantizes = int8 || int8Unfused;
        mode = parse(cmd, "--calib-mode", () -> CalibMode.fromName(calibMode));
        if (mode == CalibMode.CUSTOMIZE) throw new CommandLine.ParameterException(cmd, "--calib-mode customize is API-only");
        dtype = parse(cmd, "--quantized-dtype", () -> QuantizedDtype.fromName(quantizedDtype));
        if (!quantizes) {
            String stray = calibData != null ? "--calib-data" : numCalibExamples != null ? "--num-calib-examples"
                    : !excludeMatch.isEmpty() ? "--exclude-match" : given("--calib-mode") ? "--calib-mode"
                    : given("--quantized-dtype") ? "--quantized-dtype" : given("--calib-batch") ? "--calib-batch" : null;
            if (stray != null) throw new CommandLine.ParameterException(cmd, stray + " needs --int8 (or --int8-unfused)");
        }
        if (calibBatch <= 0) throw new CommandLine.ParameterException(cmd, "--calib-batch must be positive, got " + calibBatch);
        if (numCalibExamples != null && numCalibExamples <= 0) {
            throw new CommandLine.ParameterException(cmd, "--num-calib-examples must be positive, got " + numCalibExamples);
        }
        if (quantizes && mode != CalibMode.NONE && calibData == null && !randomInputs()) {
            throw new CommandLine.ParameterException(cmd, "--int8 with --calib-mode " + mode.mxnetName()
                    + " needs --calib-data DATA (or --random-weights to calibrate on random input, "
                    + "or --calib-mode none)");
        }
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** Random weights (given, or a zoo model): calibration on random input is then meaningful enough. */
    private boolean randomInputs() {
        return randomWeights || zoo != null;
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

    /** "1,3,224,224" or "(1, 3, 224, 224)" to a shape. */
    static long[] parseShape(CommandLine cmd, String text) {
        String t = text.trim();
        if (t.startsWith("(") && t.endsWith(")")) t = t.substring(1, t.length() - 1);
        String[] parts = t.split("[,x]");
        long[] s = new long[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) s[i] = Long.parseLong(parts[i].trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(cmd, "--shape '" + text + "' is not a list of integers like 1,3,224,224");
        }
        return s;
    }

    private long[] withBatch(long b) {
        long[] s = new long[exampleShape.length + 1];
        s[0] = b;
        System.arraycopy(exampleShape, 0, s, 1, exampleShape.length);
        return s;
    }

    private Dataset openCalibData(CommandLine cmd) throws Exception {
        try {
            // Calibration needs no labels: the dataset's labels are ignored even where present.
            return Datasets.open(calibData, dataOptions.toDatasetOptions(cmd, null, normalization.explicitOrNull(cmd)));
        } catch (ModelFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, "invalid normalization or data options for " + calibData
                    + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ models

    private long seed() {
        return dataOptions.seed;
    }

    /**
     * The input shape of a symbol benchmarked with random weights when none is given: the data variable's recorded
     * {@code __shape__}, else ImageNet's 3x224x224 (3x299x299 for Inception), which is what MXNet's zoo symbols take.
     */
    private long[] defaultShape(Progress progress) throws Exception {
        Symbol symbol = model.loadSymbol();
        Node data = symbol.find(model.dataName());
        String recorded = data == null ? null : data.attr("__shape__");
        if (recorded != null) {
            try {
                long[] s = parseShape(spec.commandLine(), recorded);
                if (s.length == 4 && s[1] > 0 && s[2] > 0 && s[3] > 0) return Arrays.copyOfRange(s, 1, 4);
            } catch (CommandLine.ParameterException e) {
                // Not a shape we can read: fall back to the ImageNet default below.
            }
        }
        boolean inception = false;
        for (Node n : symbol.nodes()) inception |= n.name().toLowerCase().contains("inception");
        long side = inception ? 299 : 224;
        progress.message("no --shape given: assuming 3x" + side + "x" + side + " (ImageNet) input");
        return new long[] {3, side, side};
    }

    private Source loadSource(Progress progress) throws Exception {
        if (zoo != null) {
            progress.message("building zoo model " + zoo + " (" + classes + " classes, random weights)");
            Block net;
            // A fresh name manager: names as in a new Python process (resnetv10_...).
            try (NameScope s = NameManager.fresh()) {
                net = ModelZoo.get(zoo, classes);
            }
            net.initialize(new Xavier(), seed());
            net.inferShape(withBatch(1));
            return new Source("zoo:" + zoo.toLowerCase(), net.toModel(), true);
        }
        if (randomWeights) {
            progress.message("loading " + model.symbolFile() + " with random weights");
            Symbol symbol = model.loadSymbol();
            Map<String, NDArray> all;
            try {
                all = RandomParams.forSymbol(symbol, Map.of(model.dataName(), withBatch(batchList[0])), seed());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(model.symbolFile() + " (random weights, input shape "
                        + Arrays.toString(withBatch(batchList[0])) + "): " + e.getMessage(), e);
            }
            Set<String> aux = new LinkedHashSet<>(symbol.listAuxiliaryStates());
            Map<String, NDArray> args = new LinkedHashMap<>();
            Map<String, NDArray> auxParams = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : all.entrySet()) {
                (aux.contains(e.getKey()) ? auxParams : args).put(e.getKey(), e.getValue());
            }
            return new Source(model.symbolFile() + " (random weights)", new Model(symbol, args, auxParams), true);
        }
        if (!model.hasParams() && Files.isRegularFile(model.symbolFile())) {
            throw new NoSuchFileException(model.paramsFile().toString(), null,
                    "params file not found; use --random-weights to benchmark a symbol without weights");
        }
        progress.message("loading " + model.prefix());
        return new Source(model.symbolFile() + " + " + model.paramsFile(), model.load(), false);
    }

    private List<Variant> variants(CommandLine cmd, Source source, Dataset dataset, Progress progress) {
        Model m = source.model();
        Map<String, NDArray> params = m.allParams();
        List<Variant> out = new ArrayList<>();
        if (!int8 && !int8Unfused && !fp32Unfused) {
            out.add(new Variant(MODEL, m.symbol(), params));
            return out;
        }
        out.add(new Variant(FP32, FusionPass.fuse(m.symbol()), params));
        if (fp32Unfused) out.add(new Variant(FP32_UNFUSED, m.symbol(), params));
        if (int8) {
            QuantizedModel q = quantize(source, dataset, true, progress);
            out.add(new Variant(INT8, q.symbol(), q.toModel().allParams()));
        }
        if (int8Unfused) {
            QuantizedModel q = quantize(source, dataset, false, progress);
            out.add(new Variant(INT8_UNFUSED, q.symbol(), q.toModel().allParams()));
        }
        return out;
    }

    private QuantizedModel quantize(Source source, Dataset dataset, boolean fused, Progress progress) {
        Model m = source.model();
        QuantizeOptions options = QuantizeOptions.defaults()
                .dataNames(model.dataName())
                .calibMode(mode)
                .quantizedDtype(dtype)
                .executorOptions(ExecutorOptions.defaults())
                .excludedSymNamesMatch(excludeMatch);
        String what = fused ? "quantizeModelMkldnn" : "quantizeModel";
        long start = System.nanoTime();
        QuantizedModel q;
        try {
            if (mode == CalibMode.NONE) {
                progress.message(what + " (calibration none)");
                q = quantizeWith(m, options, fused);
            } else if (dataset != null) {
                long n = numCalibExamples == null ? dataset.size() : Math.min(numCalibExamples, dataset.size());
                progress.message(what + " (" + mode.mxnetName() + ") on " + n + " examples of " + calibData);
                try (DataIter it = dataset.iterator(calibBatch)) {
                    q = quantizeWith(m, options.calibData(it).numCalibExamples(numCalibExamples), fused);
                }
            } else {
                long n = numCalibExamples == null ? DEFAULT_RANDOM_CALIB_EXAMPLES : numCalibExamples;
                progress.message(what + " (" + mode.mxnetName() + ") on " + n + " random normal examples");
                try (DataIter it = new RandomCalibData(withBatch(Math.min(calibBatch, n)), n, seed())) {
                    q = quantizeWith(m, options.calibData(it), fused);
                }
            }
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(source.description() + ": " + what + ": " + e.getMessage(), e);
        }
        progress.message(String.format("%s took %.1f s", what, (System.nanoTime() - start) / 1e9));
        return q;
    }

    private static QuantizedModel quantizeWith(Model m, QuantizeOptions options, boolean fused) {
        return fused ? Quantization.quantizeModelMkldnn(m.symbol(), m.argParams(), m.auxParams(), options)
                : Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), options);
    }

    // ------------------------------------------------------------------ timing

    private void run(CommandLine cmd, Source source, List<Variant> variants, Progress progress) throws Exception {
        PrintWriter out = cmd.getOut();
        ObjectMapper json = new ObjectMapper();
        boolean compare = variants.size() > 1 || !variants.get(0).name().equals(MODEL);
        if (!output.json()) {
            if (compare) out.printf("%-13s ", "variant");
            out.printf("%5s %7s %12s %10s %10s %10s %10s%s%n", "batch", "threads", "images/s", "p50 ms", "p90 ms",
                    "p99 ms", "iterations", compare ? "   speedup" : "");
            out.flush();
        }
        for (int b : batchList) {
            long[] s = withBatch(b);
            FloatBuffer input = randomInput(s, seed());
            for (int t : threads) {
                List<Result> results = new ArrayList<>();
                List<ProfileReport> profiles = new ArrayList<>();
                measure(source, variants, s, input, t, progress, results, profiles);
                double fp32Ips = Double.NaN;
                for (Result r : results) if (r.variant().equals(FP32)) fp32Ips = r.imagesPerSecond();
                for (int i = 0; i < results.size(); i++) {
                    Result r = results.get(i);
                    boolean hasSpeedup = compare && !r.variant().equals(FP32) && !Double.isNaN(fp32Ips);
                    double speedup = r.imagesPerSecond() / fp32Ips;
                    if (output.json()) {
                        ObjectNode o = toJson(json, source, r, s);
                        if (hasSpeedup) {
                            o.put("speedup", speedup);
                            o.put("speedup_vs", FP32);
                        }
                        if (r.variant().startsWith(INT8)) {
                            o.put("calib_mode", mode.mxnetName());
                            o.put("quantized_dtype", dtype.mxnetName());
                        }
                        if (profile) toJsonProfile(o, profiles.get(i));
                        out.println(json.writeValueAsString(o));
                    } else {
                        if (compare) out.printf("%-13s ", r.variant());
                        out.printf("%5d %7d %12.1f %10.3f %10.3f %10.3f %10d%s%n", r.batch(),
                                Main.effectiveThreads(r.threads()), r.imagesPerSecond(),
                                r.latency().percentileMillis(50), r.latency().percentileMillis(90),
                                r.latency().percentileMillis(99), r.iterations(),
                                hasSpeedup ? String.format("%9.2fx", speedup) : "");
                    }
                }
                if (!output.json()) {
                    for (Result r : results) {
                        if (compare && r.variant().startsWith(INT8) && !Double.isNaN(fp32Ips)) {
                            out.printf("  %s/%s = %.2fx (batch %d, threads %d)%n", r.variant(), FP32,
                                    r.imagesPerSecond() / fp32Ips, r.batch(), Main.effectiveThreads(r.threads()));
                        }
                    }
                    if (profile) {
                        for (int i = 0; i < results.size(); i++) {
                            Result r = results.get(i);
                            out.println();
                            profiles.get(i).print(out, r.variant() + ", batch " + r.batch() + ", threads "
                                    + Main.effectiveThreads(r.threads()));
                        }
                        out.println();
                    }
                }
                out.flush();
            }
        }
    }

    private static void toJsonProfile(ObjectNode o, ProfileReport p) {
        p.toJson(o.putObject("profile"));
    }

    /**
     * Times every variant at one (batch, threads): all executors are built first and warmed up, then the
     * timed phase runs in {@code rounds} rounds, each giving every variant {@code seconds / rounds}.
     */
    private void measure(Source source, List<Variant> variants, long[] s, FloatBuffer input, int t, Progress progress,
                         List<Result> results, List<ProfileReport> profiles) {
        String what = "batch " + s[0] + ", threads " + (t == 0 ? "all" : t);
        // 0 means all cores: say so explicitly, or an earlier 1-thread run would leave OpenMP at 1 thread.
        ExecutorOptions options = new ExecutorOptions(t == 0 ? Main.effectiveThreads(0) : t);
        List<Executor> execs = new ArrayList<>();
        try {
            List<String> names = new ArrayList<>();
            for (Variant v : variants) names.add(v.name());
            progress.message(what + ": building and warming up " + String.join(", ", names));
            for (Variant v : variants) execs.add(createExecutor(source, v, s, options));
            for (int i = 0; i < variants.size(); i++) {
                Executor exec = execs.get(i);
                long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
                int warmIterations = 0;
                do {
                    step(exec, input);
                    warmIterations++;
                } while (warmIterations < 3 && System.nanoTime() < warmEnd);
            }
            int n = variants.size();
            int r = n == 1 ? 1 : rounds;
            long budget = (long) (seconds * 1e9 / r);
            long[][] lat = new long[n][1024];
            int[] count = new int[n];
            long[] elapsed = new long[n];
            progress.message(what + ": measuring " + (r > 1 ? "in " + r + " rounds of " : "for ")
                    + String.format("%.2f", budget / 1e9) + " s" + (n > 1 ? " per variant" : ""));
            long total = budget * r * n;
            long measured = 0;
            for (int round = 0; round < r; round++) {
                for (int i = 0; i < n; i++) {
                    Executor exec = execs.get(i);
                    long start = System.nanoTime();
                    long now;
                    do {
                        long t0 = System.nanoTime();
                        step(exec, input);
                        now = System.nanoTime();
                        if (count[i] == lat[i].length) lat[i] = Arrays.copyOf(lat[i], count[i] * 2);
                        lat[i][count[i]++] = now - t0;
                        progress.update((measured + now - start) / 1_000_000_000L, (long) Math.ceil(total / 1e9), "s");
                    } while (now - start < budget);
                    elapsed[i] += now - start;
                    measured += now - start;
                }
            }
            progress.done();
            for (int i = 0; i < n; i++) {
                results.add(new Result(variants.get(i).name(), Math.toIntExact(s[0]), t, count[i], elapsed[i] / 1e9,
                        new LatencyStats(lat[i], count[i])));
            }
            if (profile) {
                progress.message(what + ": profiling (" + profileIterations + " iterations per variant)");
                for (int i = 0; i < n; i++) {
                    Executor exec = execs.get(i);
                    exec.setInput(model.dataName(), input.duplicate());
                    profiles.add(new ProfileReport(exec.profile(profileIterations), variants.get(i).symbol()));
                }
            }
        } finally {
            for (Executor e : execs) e.close();
        }
    }

    /** An executor for {@code v}; a model that cannot run fails naming the model and the variant. */
    private Executor createExecutor(Source source, Variant v, long[] shape, ExecutorOptions options) {
        try {
            return Executor.create(v.symbol(), v.params(), Map.of(model.dataName(), shape), options);
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            String variant = v.name().equals(MODEL) ? "" : " (" + v.name() + " variant)";
            throw new IllegalArgumentException(source.description() + variant + ": " + e.getMessage(), e);
        }
    }

    private void step(Executor exec, FloatBuffer input) {
        exec.setInput(model.dataName(), input.duplicate());
        exec.forward();
        exec.output(0);
    }

    /** Uniform [-1, 1) input from a fixed seed, off-heap as the executor wants. */
    static FloatBuffer randomInput(long[] shape, long seed) {
        NDArray a = NDArray.zeros(shape, DType.FLOAT32);
        FloatBuffer buf = a.floatView();
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] chunk = new float[4096];
        while (buf.hasRemaining()) {
            int n = Math.min(chunk.length, buf.remaining());
            for (int i = 0; i < n; i++) chunk[i] = (float) (rnd.nextDouble() * 2 - 1);
            buf.put(chunk, 0, n);
        }
        return buf.flip();
    }

    private ObjectNode toJson(ObjectMapper json, Source source, Result r, long[] s) {
        ObjectNode o = json.createObjectNode();
        o.put("model", zoo != null ? source.description() : model.prefix());
        o.put("variant", r.variant());
        var shapeNode = o.putArray("shape");
        for (long d : s) shapeNode.add(d);
        o.put("batch", r.batch());
        o.put("threads", r.threads() == 0 ? Main.effectiveThreads(0) : r.threads());
        o.put("threads_requested", r.threads());
        o.put("random_weights", source.random());
        o.put("iterations", r.iterations());
        o.put("seconds", r.seconds());
        o.put("images_per_second", r.imagesPerSecond());
        o.put("latency_ms_mean", r.latency().meanMillis());
        o.put("latency_ms_p50", r.latency().percentileMillis(50));
        o.put("latency_ms_p90", r.latency().percentileMillis(90));
        o.put("latency_ms_p99", r.latency().percentileMillis(99));
        o.put("latency_ms_min", r.latency().minMillis());
        o.put("latency_ms_max", r.latency().maxMillis());
        return o;
    }
}
