package org.quantize4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.quantize4j.runtime.RandomParams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quantize4j bench}: inference throughput and latency on random input, for each
 * (batch, threads) combination.
 *
 * <pre>{@code
 * quantize4j bench --model test-models/zoo/resnet50_v1 --random-weights --shape 1,3,224,224 --batch 1,64 --threads 1,2
 * }</pre>
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Measures images/s and latency percentiles on random input.",
        description = {
            "Inference speed on random input: for each batch size and thread count, a warm-up,",
            "then forward passes for a fixed time; reports images/s and latency percentiles",
            "(one forward pass including the input copy)."},
        footerHeading = "%n",
        footer = {
            "Examples:",
            "  quantize4j bench --model test-models/fmnist_resnet20_v1 --shape 1,1,28,28 --batch 1,64",
            "  quantize4j bench --model test-models/zoo/resnet50_v1 --random-weights \\",
            "      --shape 1,3,224,224 --batch 1,64 --threads 1,2 --seconds 5 --json",
            "",
            "Exit codes: 0 success, 1 runtime failure, 2 usage error."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = {"-s", "--shape"}, required = true, paramLabel = "N,C,H,W",
            description = "Input shape, comma separated; its first dimension is the batch size unless "
                    + "--batch is given.")
    String shapeText;

    @Option(names = {"-b", "--batch"}, paramLabel = "N[,N...]", split = ",", hideParamSyntax = true,
            description = "Batch sizes to measure (default: the first dimension of --shape).")
    int[] batches;

    @Option(names = {"-t", "--threads"}, paramLabel = "N[,N...]", split = ",", hideParamSyntax = true,
            defaultValue = "0",
            description = "Thread counts to measure, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int[] threads;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "3",
            description = "Duration of each timed phase in seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "1",
            description = "Warm-up: this many seconds or 3 iterations, whichever comes first, "
                    + "at least 1 iteration (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--random-weights",
            description = "Use random weights (fixed seed) instead of the params file, e.g. for model-zoo "
                    + "symbols without weights.")
    boolean randomWeights;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seed of the random input and random weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    OutputOptions output;

    private long[] shape;

    /** One measured (batch, threads) combination. */
    public record Result(int batch, int threads, long iterations, double seconds, LatencyStats latency) {
        public double imagesPerSecond() { return batch * iterations / seconds; }
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        validate(cmd);
        int[] batchList = batches != null ? batches : new int[] {Math.toIntExact(shape[0])};
        Progress progress = new Progress(cmd.getErr(), !output.quiet(), "bench");

        Symbol symbol;
        Map<String, NDArray> params;
        long[] firstShape = withBatch(batchList[0]);
        if (randomWeights) {
            progress.message("loading " + model.symbolFile() + " with random weights");
            symbol = model.loadSymbol();
            params = RandomParams.forSymbol(symbol, Map.of(model.dataName(), firstShape), seed);
        } else {
            if (!model.hasParams() && java.nio.file.Files.isRegularFile(model.symbolFile())) {
                throw new java.nio.file.NoSuchFileException(model.paramsFile().toString(), null,
                        "params file not found; use --random-weights to benchmark a symbol without weights");
            }
            progress.message("loading " + model.prefix());
            var m = model.load();
            symbol = m.symbol();
            params = m.allParams();
        }

        PrintWriter out = cmd.getOut();
        ObjectMapper json = new ObjectMapper();
        if (!output.json()) {
            out.printf("%5s %7s %12s %10s %10s %10s %10s%n", "batch", "threads", "images/s", "p50 ms", "p90 ms",
                    "p99 ms", "iterations");
            out.flush();
        }
        for (int b : batchList) {
            long[] s = withBatch(b);
            FloatBuffer input = randomInput(s, seed);
            for (int t : threads) {
                Result r = measure(symbol, params, s, input, t, progress);
                if (output.json()) {
                    out.println(json.writeValueAsString(toJson(json, r, s)));
                } else {
                    out.printf("%5d %7d %12.1f %10.3f %10.3f %10.3f %10d%n", r.batch(),
                            Main.effectiveThreads(r.threads()), r.imagesPerSecond(),
                            r.latency().percentileMillis(50), r.latency().percentileMillis(90),
                            r.latency().percentileMillis(99), r.iterations());
                }
                out.flush();
            }
        }
        return Main.EXIT_OK;
    }

    private void validate(CommandLine cmd) {
        shape = parseShape(cmd, shapeText);
        for (long d : shape) {
            if (d <= 0) throw new CommandLine.ParameterException(cmd, "--shape dimensions must be positive, got "
                    + Arrays.toString(shape));
        }
        if (batches != null) {
            for (int b : batches) {
                if (b <= 0) throw new CommandLine.ParameterException(cmd, "--batch sizes must be positive, got " + b);
            }
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

    private long[] withBatch(int b) {
        long[] s = shape.clone();
        s[0] = b;
        return s;
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

    private Result measure(Symbol symbol, Map<String, NDArray> params, long[] s, FloatBuffer input, int t,
                           Progress progress) {
        String what = "batch " + s[0] + ", threads " + (t == 0 ? "all" : t);
        try (Executor exec = model.createExecutor(symbol, params, s, new ExecutorOptions(t), randomWeights)) {
            progress.message(what + ": warm-up");
            long warmEnd = System.nanoTime() + (long) (warmup * 1e9);
            int warmIterations = 0;
            do {
                step(exec, input);
                warmIterations++;
            } while (warmIterations < 3 && System.nanoTime() < warmEnd);

            progress.message(what + ": measuring for " + seconds + " s");
            long budget = (long) (seconds * 1e9);
            long[] lat = new long[1024];
            int n = 0;
            long start = System.nanoTime();
            long now = start;
            do {
                long t0 = System.nanoTime();
                step(exec, input);
                now = System.nanoTime();
                if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                lat[n++] = now - t0;
                progress.update((now - start) / 1_000_000_000L, (long) Math.ceil(seconds), "s");
            } while (now - start < budget);
            progress.done();
            return new Result(Math.toIntExact(s[0]), t, n, (now - start) / 1e9, new LatencyStats(lat, n));
        }
    }

    private void step(Executor exec, FloatBuffer input) {
        exec.setInput(model.dataName(), input.duplicate());
        exec.forward();
        exec.output(0);
    }

    private ObjectNode toJson(ObjectMapper json, Result r, long[] s) {
        ObjectNode o = json.createObjectNode();
        o.put("model", model.prefix());
        var shapeNode = o.putArray("shape");
        for (long d : s) shapeNode.add(d);
        o.put("batch", r.batch());
        o.put("threads", r.threads() == 0 ? Main.effectiveThreads(0) : r.threads());
        o.put("threads_requested", r.threads());
        o.put("random_weights", randomWeights);
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
