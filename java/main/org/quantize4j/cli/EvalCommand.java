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
import org.quantize4j.ModelFormatException;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.Dataset;
import org.quantize4j.data.DatasetKind;
import org.quantize4j.data.DatasetOptions;
import org.quantize4j.data.Datasets;
import org.quantize4j.data.IdxDataset;
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
 * {@code quantize4j eval}: top-1 / top-5 accuracy of a model on a labeled dataset: IDX (MNIST),
 * an image folder (one subfolder per class), an MXNet RecordIO .rec, or a .npy array with labels.
 *
 * <pre>{@code
 * quantize4j eval --model test-models/fmnist_mlp \
 *     --data test-models/fashion-mnist/t10k-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530 --json
 * quantize4j eval --model resnet50_v1 --data val.rec --data-shape 3,224,224 --resize 256 \
 *     --scale 1 --mean 123.68,116.78,103.94 --std 58.4,57.12,57.38
 * }</pre>
 */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "Top-1 / top-5 accuracy on a labeled dataset (IDX, image folder, RecordIO .rec, .npy).",
        description = {
            "Top-1 and top-5 accuracy of a model on a labeled dataset. --data may be:",
            "  an IDX images file (MNIST / Fashion-MNIST, gzip or not), fed as (batch, 1, rows, cols);",
            "  a folder of JPEG/PNG images, one subfolder per class (label i = i-th subfolder by name);",
            "  an MXNet RecordIO .rec as made by im2rec (the .idx beside it is checked if present);",
            "  a float32 .npy array (N, C, H, W) with NAME-labels.npy beside it (or --labels), fed as stored.",
            "Images: decoded, shorter side resized to --resize, center-cropped to --data-shape, RGB (or --bgr),",
            "then x = (pixel * scale - mean) / std. A short last batch is padded and only its real rows count."},
        footerHeading = "%n",
        footer = {
            "The IDX labels file is found beside the images unless --labels is given:",
            "X-images-idx3-ubyte[.gz] -> X-labels-idx1-ubyte[.gz], X-images.idx3-ubyte -> X-labels.idx1-ubyte.",
            "Gzip is detected from the content, not the name. The kind of --data is detected from its content.",
            "MXNet's ImageRecordIter computes (pixel - mean_r) * scale / std_r: give mean_r,g,b and std_r,g,b",
            "as --mean/--std with --scale 1 (and divide --std by MXNet's scale if it is not 1).",
            "",
            "Examples:",
            "  quantize4j eval --model test-models/fmnist_mlp \\",
            "      --data test-models/fashion-mnist/t10k-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530",
            "  quantize4j eval -m my_model --data train-images-idx3-ubyte --labels my-labels.idx1 \\",
            "      --batch 128 --json",
            "  quantize4j eval -m resnet50_v1 --data val.rec --data-shape 3,224,224 --resize 256 \\",
            "      --scale 1 --mean 123.68,116.78,103.94 --std 58.4,57.12,57.38",
            "  quantize4j eval -m my_model --data imagenet/val --data-shape 3,224,224 --resize 256 --bgr"})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = {"-d", "--data"}, required = true, paramLabel = "DATA",
            description = "Dataset: IDX images file, image folder, RecordIO .rec, or .npy array.")
    Path data;

    @Option(names = "--labels", paramLabel = "LABELS",
            description = "Labels file of IDX images (idx1) or of a .npy array (default: found beside the data).")
    Path labels;

    @Mixin
    NormalizationOptions normalization;

    @Mixin
    DataOptions dataOptions;

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

        DatasetOptions options = dataOptions.toDatasetOptions(cmd, labels, normalization.explicitOrNull(cmd));
        DatasetKind kind = Datasets.detect(data);
        if (kind == DatasetKind.IDX && labels == null) {
            // eval needs labels: fail early with the paths tried and the --labels hint.
            options = options.withLabels(IdxDataset.findLabels(data));
        }
        Dataset dataset;
        try {
            dataset = Datasets.open(data, options);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            // Options that do not fit the data, e.g. three --mean values for gray images.
            throw new CommandLine.ParameterException(cmd, "invalid normalization or data options for " + data + ": "
                    + e.getMessage());
        }
        try (dataset) {
            return evaluate(cmd, dataset);
        }
    }

    private Integer evaluate(CommandLine cmd, Dataset dataset) throws Exception {
        if (!dataset.labeled()) {
            throw new IllegalArgumentException(data + ": " + dataset.kind().description() + " has no labels; eval needs them"
                    + (dataset.kind() == DatasetKind.NPY ? " (put NAME-labels.npy beside it or give --labels)"
                    : dataset.kind() == DatasetKind.IMAGE_FOLDER ? " (put the images of class i in the i-th subfolder)" : ""));
        }
        long total = limit == null ? dataset.size() : Math.min(limit, dataset.size());
        Progress progress = new Progress(cmd.getErr(), !output.quiet(), "eval");
        progress.message("loading " + model.prefix());
        Model m = model.load();

        long[] shape = dataset.batchShape(batch);
        Accuracy acc = new Accuracy(5);
        long start;
        long elapsed;
        try (Executor exec = model.createExecutor(m.symbol(), m.allParams(), shape, new ExecutorOptions(threads), false);
             DataIter it = dataset.iterator(batch)) {
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
                        throw new IllegalArgumentException(dataset.labelsSource() + ": example " + acc.count() + ": "
                                + e.getMessage(), e);
                    }
                }
                progress.update(acc.count(), total, "images");
            }
            elapsed = System.nanoTime() - start;
        } finally {
            progress.done();
        }
        if (dataset.skipped() > 0 && !output.quiet()) {
            cmd.getErr().println("eval: skipped " + dataset.skipped() + " unreadable example(s), e.g. "
                    + dataset.skippedItems().get(0));
        }
        print(dataset, acc, elapsed / 1e9);
        return Main.EXIT_OK;
    }

    private void print(Dataset dataset, Accuracy acc, double seconds) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        double ips = seconds > 0 ? acc.count() / seconds : 0;
        if (output.json()) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode o = json.createObjectNode();
            o.put("model", model.prefix());
            o.put("data", dataset.path().toString());
            o.put("kind", dataset.kind().name().toLowerCase(java.util.Locale.ROOT));
            o.put("labels", String.valueOf(dataset.labelsSource()));
            o.put("skipped", dataset.skipped());
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
            out.printf("data       %s (%s, %d examples%s)%n", dataset.path(), dataset.kind().description(), acc.count(),
                    dataset.skipped() > 0 ? ", " + dataset.skipped() + " skipped" : "");
            out.printf("top-1      %.4f  (%d/%d)%n", acc.top1(), acc.correctTop1(), acc.count());
            out.printf("top-5      %.4f  (%d/%d)%n", acc.topK(), acc.correctTopK(), acc.count());
            out.printf("time       %.2f s, %.1f images/s (batch %d, threads %d)%n", seconds, ips, batch,
                    Main.effectiveThreads(threads));
        }
        out.flush();
    }
}
