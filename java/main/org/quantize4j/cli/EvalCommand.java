package org.quantize4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import org.quantize4j.Model;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.IdxDataset;
import org.quantize4j.data.Normalization;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quantize4j eval}: top-1 / top-5 accuracy of a model on an MNIST-format (IDX) dataset.
 *
 * <pre>{@code
 * quantize4j eval --model test-models/fmnist_mlp \
 *     --data test-models/fashion-mnist/t10k-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530 --json
 * }</pre>
 */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Top-1 / top-5 accuracy on an MNIST-format (IDX) dataset.",
        description = {
            "Top-1 and top-5 accuracy of a model on an MNIST / Fashion-MNIST IDX dataset.",
            "Images (N, rows, cols) are fed as (batch, 1, rows, cols) float32 after",
            "x = (pixel * scale - mean) / std; a short last batch is padded and only its real rows count."},
        footerHeading = "%n",
        footer = {
            "The labels file is found beside the images (X-images-idx3-ubyte[.gz] -> X-labels-idx1-ubyte[.gz],",
            "also X-images.idx3-ubyte -> X-labels.idx1-ubyte) unless --labels is given.",
            "Gzip is detected from the content, not the name.",
            "",
            "Examples:",
            "  quantize4j eval --model test-models/fmnist_mlp \\",
            "      --data test-models/fashion-mnist/t10k-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530",
            "  quantize4j eval -m my_model --data train-images-idx3-ubyte --labels my-labels.idx1 --batch 128 --json",
            "",
            "Exit codes: 0 success, 1 runtime failure, 2 usage error."})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = {"-d", "--data"}, required = true, paramLabel = "IMAGES",
            description = "IDX images file (idx3-ubyte, gzip or not).")
    Path data;

    @Option(names = "--labels", paramLabel = "LABELS",
            description = "IDX labels file (default: found beside the images file).")
    Path labels;

    @Mixin
    NormalizationOptions normalization;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "64",
            description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", defaultValue = "0",
            description = "Compute threads, 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--limit", paramLabel = "N",
            description = "Evaluate only the first N images.")
    Integer limit;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (batch <= 0) throw new CommandLine.ParameterException(cmd, "--batch must be positive, got " + batch);
        if (threads < 0) throw new CommandLine.ParameterException(cmd, "--threads must be >= 0, got " + threads);
        if (limit != null && limit <= 0) throw new CommandLine.ParameterException(cmd, "--limit must be positive, got " + limit);

        IdxDataset dataset = labels != null ? IdxDataset.open(data, labels) : IdxDataset.open(data);
        Normalization norm = normalization.toNormalization(cmd, dataset.channels());
        long total = limit == null ? dataset.count() : Math.min(limit, dataset.count());
        Progress progress = new Progress(cmd.getErr(), !output.quiet(), "eval");
        progress.message("loading " + model.prefix());
        Model m = model.load();

        long[] shape = dataset.batchShape(batch);
        Accuracy acc = new Accuracy(5);
        long start;
        long elapsed;
        try (Executor exec = model.createExecutor(m.symbol(), m.allParams(), shape, new ExecutorOptions(threads), false);
             DataIter it = dataset.iterator(batch, norm)) {
            long[] outShape = exec.outputShape(0);
            if (outShape.length == 0 || outShape[0] != batch) {
                throw new IllegalStateException("model output 0 has shape " + Arrays.toString(outShape)
                        + ", expected (" + batch + ", classes) for input shape " + Arrays.toString(shape));
            }
            int classes = Math.toIntExact(NDArray.size(outShape) / batch);
            start = System.nanoTime();
            while (it.hasNext() && acc.count() < total) {
                DataBatch b = it.next();
                exec.setInput(model.dataName(), b.data().floatView());
                exec.forward();
                FloatBuffer out = exec.output(0).floatView();
                int valid = (int) Math.min(b.count(), total - acc.count());
                for (int r = 0; r < valid; r++) {
                    try {
                        acc.addRow(out, r * classes, classes, b.labels()[r]);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(dataset.labelsFile() + ": image " + acc.count() + ": "
                                + e.getMessage(), e);
                    }
                }
                progress.update(acc.count(), total, "images");
            }
            elapsed = System.nanoTime() - start;
        } finally {
            progress.done();
        }
        print(dataset, acc, elapsed / 1e9);
        return Main.EXIT_OK;
    }

    private void print(IdxDataset dataset, Accuracy acc, double seconds) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        double ips = seconds > 0 ? acc.count() / seconds : 0;
        if (output.json()) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode o = json.createObjectNode();
            o.put("model", model.prefix());
            o.put("data", dataset.imagesFile().toString());
            o.put("labels", String.valueOf(dataset.labelsFile()));
            o.put("count", acc.count());
            o.put("top1", acc.top1());
            o.put("top5", acc.topK());
            o.put("correct_top1", acc.correctTop1());
            o.put("correct_top5", acc.correctTopK());
            o.put("batch", batch);
            o.put("threads", Main.effectiveThreads(threads));
            o.put("threads_requested", threads);
            o.put("seconds", seconds);
            o.put("images_per_second", ips);
            out.println(json.writeValueAsString(o));
        } else {
            out.printf("model      %s%n", model.prefix());
            out.printf("data       %s (%d images)%n", dataset.imagesFile(), acc.count());
            out.printf("top-1      %.4f  (%d/%d)%n", acc.top1(), acc.correctTop1(), acc.count());
            out.printf("top-5      %.4f  (%d/%d)%n", acc.topK(), acc.correctTopK(), acc.count());
            out.printf("time       %.2f s, %.1f images/s (batch %d, threads %d)%n", seconds, ips, batch,
                    Main.effectiveThreads(threads));
        }
        out.flush();
    }
}
