package org.quantize4j.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quantize4j quickstart}: the first hour in one command, on the bundled fmnist_resnet20_v1 and Fashion-MNIST
 * data in test-models/. Runs {@code quantize --mkldnn} (quantizeModelMkldnn, entropy calibration on 320 training
 * images, compact int8 weights, with a report), evaluates FP32 and INT8 on the test set, benchmarks fused FP32 against
 * fused INT8 in one run, and prints one table (or, with {@code --json}, one JSON object). Each step is the same
 * in-process command a user would run next on their own model, so the output also shows what to type.
 *
 * <pre>{@code
 * ./quantize4j quickstart                      # table; files in quickstart-out/
 * ./quantize4j quickstart --limit 1000 --json  # CI: a 1000-image evaluation, machine-readable
 * }</pre>
 */
@Command(name = "quickstart",
        mixinStandardHelpOptions = true,
        description = {"Quantizes the bundled fmnist_resnet20_v1 (oneDNN-fused INT8, entropy calibration on 320 bundled",
            "Fashion-MNIST training images), evaluates FP32 and INT8 on the bundled 10k test images, benchmarks both and",
            "prints accuracy, drop, images/s, speedup and file sizes. Writes the INT8 model and a calibration report."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  quantize4j quickstart",
            "  quantize4j quickstart --limit 1000 --json --quiet      (what CI runs)",
            "  quantize4j quickstart --out /tmp/qs --threads 2",
            "Then open OUT/report/report.html, and run the printed commands on your own model."})
public final class QuickstartCommand implements Callable<Integer> {
    private static final String MODEL = "fmnist_resnet20_v1";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--models", paramLabel = "DIR", description = "Folder with the bundled models and data (default: ${DEFAULT-VALUE}).",
            defaultValue = "test-models")
    Path models;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the INT8 model and the report go (default: ${DEFAULT-VALUE}).",
            defaultValue = "quickstart-out")
    Path out;

    @Option(names = "--calib-mode", paramLabel = "MODE", description = "naive or entropy (default: ${DEFAULT-VALUE}).",
            defaultValue = "entropy")
    String calibMode;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate on the first N test images (default: all 10000).")
    Integer limit;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads for the benchmark (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    int threads;

    @Option(names = "--batch", paramLabel = "N", description = "Benchmark batch size (default: ${DEFAULT-VALUE}).", defaultValue = "64")
    int batch;

    @Option(names = "--seconds", paramLabel = "S", description = "Benchmark time per variant (default: ${DEFAULT-VALUE}).",
            defaultValue = "3")
    double seconds;

    @Mixin
    OutputOptions output;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (!calibMode.equals("naive") && !calibMode.equals("entropy")) {
            throw new CommandLine.ParameterException(cmd, "--calib-mode must be naive or entropy, got '" + calibMode + "'");
        }
        if (limit != null && limit <= 0) throw new CommandLine.ParameterException(cmd, "--limit must be positive, got " + limit);
        if (threads <= 0 || batch <= 0 || !(seconds > 0)) {
            throw new CommandLine.ParameterException(cmd, "--threads, --batch and --seconds must be positive");
        }
        Path fp32 = models.resolve(MODEL);
        Path calib = models.resolve("fashion-mnist/train320-images-idx3-ubyte.gz");
        Path test = models.resolve("fashion-mnist/t10k-images-idx3-ubyte.gz");
        for (Path p : List.of(Path.of(fp32 + "-symbol.json"), Path.of(fp32 + "-0000.params"), calib, test)) {
            if (!Files.isRegularFile(p)) {
                throw new java.nio.file.NoSuchFileException(p.toString(), null, "bundled quickstart file missing (run from the "
                        + "project root, or give --models DIR)");
            }
        }
        Files.createDirectories(out);
        String int8 = out.resolve(MODEL + "-int8").toString();
        String[] norm = {"--mean", "0.2860", "--std", "0.3530"};
        List<String> quiet = output.quiet() ? List.of("--quiet") : List.of();
        PrintWriter err = cmd.getErr();

        step(err, "1/4 quantize (quantizeModelMkldnn, " + calibMode + " calibration, compact int8 weights, report)");
        JsonNode q = run(cmd, concat(List.of("quantize", "--mkldnn", "--model", fp32.toString(), "--calib-data", calib.toString()),
                List.of(norm), List.of("--calib-mode", calibMode, "--quantized-dtype", "auto", "--compact", "--out", int8,
                        "--report", out.resolve("report").toString(), "--json"), quiet)).get(0);
        step(err, "2/4 evaluate FP32");
        List<String> evalTail = new ArrayList<>(List.of("--data", test.toString()));
        evalTail.addAll(List.of(norm));
        evalTail.addAll(List.of("--batch", "100", "--json"));
        if (limit != null) evalTail.addAll(List.of("--limit", limit.toString()));
        JsonNode evalFp32 = run(cmd, concat(List.of("eval", "--model", fp32.toString()), evalTail, quiet)).get(0);
        step(err, "3/4 evaluate INT8");
        JsonNode evalInt8 = run(cmd, concat(List.of("eval", "--model", int8), evalTail, quiet)).get(0);
        step(err, "4/4 benchmark fused FP32 vs fused INT8 (batch " + batch + ", " + threads + " thread(s))");
        List<JsonNode> bench = run(cmd, concat(List.of("bench", "--model", fp32.toString(), "--data-shape", "1,28,28", "--int8",
                "--calib-data", calib.toString()), List.of(norm), List.of("--calib-mode", "naive", "--batch", "" + batch, "--threads",
                "" + threads, "--seconds", "" + seconds, "--json"), quiet));
        JsonNode benchFp32 = variant(bench, "fp32");
        JsonNode benchInt8 = variant(bench, "int8");

        long fp32Bytes = Files.size(Path.of(fp32 + "-0000.params"));
        long int8Bytes = Files.size(Path.of(int8 + "-0000.params"));
        ObjectNode result = json.createObjectNode();
        result.put("model", fp32.toString());
        result.put("calib_mode", calibMode);
        result.put("test_images", evalFp32.get("count").asLong());
        result.put("batch", batch);
        result.put("threads", threads);
        result.set("fp32", summary(evalFp32, benchFp32, fp32 + "-symbol.json", fp32Bytes));
        result.set("int8", summary(evalInt8, benchInt8, int8 + "-symbol.json", int8Bytes));
        result.put("top1_drop", evalFp32.get("top1").asDouble() - evalInt8.get("top1").asDouble());
        result.put("speedup", benchInt8.get("images_per_second").asDouble() / benchFp32.get("images_per_second").asDouble());
        result.put("size_ratio", (double) fp32Bytes / int8Bytes);
        result.put("report", out.resolve("report").resolve("report.html").toString());
        result.put("quantize_seconds", q.get("seconds").asDouble());

        PrintWriter o = cmd.getOut();
        if (output.json()) {
            o.println(json.writeValueAsString(result));
        } else {
            printTable(o, result);
        }
        o.flush();
        return Main.EXIT_OK;
    }

    private ObjectNode summary(JsonNode eval, JsonNode bench, String symbol, long paramsBytes) {
        ObjectNode n = json.createObjectNode();
        n.put("top1", eval.get("top1").asDouble());
        n.put("top5", eval.get("top5").asDouble());
        n.put("images_per_second", bench.get("images_per_second").asDouble());
        n.put("latency_ms_p50", bench.get("latency_ms_p50").asDouble());
        n.put("symbol", symbol);
        n.put("params_bytes", paramsBytes);
        return n;
    }

    private static void printTable(PrintWriter o, JsonNode r) {
        JsonNode f = r.get("fp32");
        JsonNode q = r.get("int8");
        o.printf(Locale.ROOT, "Quickstart: %s, %s calibration on 320 images, %d test images; benchmark batch %d, %d thread(s)%n%n",
                r.get("model").asText(), r.get("calib_mode").asText(), r.get("test_images").asLong(), r.get("batch").asInt(),
                r.get("threads").asInt());
        o.printf(Locale.ROOT, "%-6s %8s %8s %12s %9s %12s%n", "", "top-1", "change", "images/s", "speedup", "params");
        o.printf(Locale.ROOT, "%-6s %8.4f %8s %12.1f %9s %12s%n", "FP32", f.get("top1").asDouble(), "", f.get("images_per_second").asDouble(),
                "", bytes(f.get("params_bytes").asLong()));
        o.printf(Locale.ROOT, "%-6s %8.4f %+8.4f %12.1f %8.2fx %12s (%.1fx smaller)%n", "INT8", q.get("top1").asDouble(),
                -r.get("top1_drop").asDouble(), q.get("images_per_second").asDouble(), r.get("speedup").asDouble(),
                bytes(q.get("params_bytes").asLong()), r.get("size_ratio").asDouble());
        o.printf(Locale.ROOT, "%nINT8 model: %s (+ params)%nreport:     %s%n", q.get("symbol").asText(), r.get("report").asText());
    }

    private static String bytes(long b) {
        return b >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MB", b / 1048576.0) : String.format(Locale.ROOT, "%.1f KB", b / 1024.0);
    }

    private void step(PrintWriter err, String what) {
        if (!output.quiet()) {
            err.println("quickstart: " + what);
            err.flush();
        }
    }

    /** Runs one of our commands in-process and returns the JSON objects it printed; fails with its exit code. */
    private List<JsonNode> run(CommandLine cmd, List<String> args) throws Exception {
        StringWriter buf = new StringWriter();
        int code = Main.execute(new PrintWriter(buf), cmd.getErr(), args.toArray(new String[0]));
        if (code != Main.EXIT_OK) {
            throw new IllegalStateException("step '" + String.join(" ", args) + "' failed with exit code " + code);
        }
        List<JsonNode> objects = new ArrayList<>();
        for (String line : buf.toString().split("\n")) {
            if (line.startsWith("{")) objects.add(json.readTree(line));
        }
        if (objects.isEmpty()) throw new IllegalStateException("step '" + args.get(0) + "' printed no JSON result");
        return objects;
    }

    private static JsonNode variant(List<JsonNode> rows, String name) {
        for (JsonNode r : rows) if (name.equals(r.path("variant").asText())) return r;
        throw new IllegalStateException("the benchmark printed no '" + name + "' row");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) all.addAll(p);
        return all;
    }
}
