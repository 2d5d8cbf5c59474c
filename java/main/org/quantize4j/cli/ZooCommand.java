package org.quantize4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.quantize4j.Model;
import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.NameManager;
import org.quantize4j.gluon.NameScope;
import org.quantize4j.gluon.init.Xavier;
import org.quantize4j.gluon.zoo.ModelZoo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quantize4j zoo}: lists the Gluon model-zoo architectures and exports one as an MXNet checkpoint
 * (symbol named as Gluon names it, random Xavier weights from a seed).
 *
 * <pre>{@code
 * quantize4j zoo --list
 * quantize4j zoo --export resnet50_v1 --out models/resnet50_v1          # models/resnet50_v1-symbol.json + -0000.params
 * quantize4j zoo --export mobilenetv2_1.0 --out m --classes 10 --seed 7
 * }</pre>
 */
@Command(name = "zoo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        header = "List or export the Gluon model-zoo architectures.",
        description = {
            "Lists the model-zoo architectures (MXNet Gluon's vision zoo, built with Quantize4J's network API),",
            "or exports one as PREFIX-symbol.json + PREFIX-%%04d.params with random weights",
            "(Xavier, fixed seed; BatchNorm statistics 0 and 1). The symbol is named as MXNet names it",
            "(e.g. resnetv10_conv0_fwd), so MXNet loads the files."},
        footerHeading = "%n",
        footer = {
            "Examples:",
            "  quantize4j zoo --list",
            "  quantize4j zoo --list --json",
            "  quantize4j zoo --export resnet50_v1 --out models/resnet50_v1",
            "  quantize4j zoo --export squeezenet1.1 --out sq --classes 10 --seed 7"})
public final class ZooCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--list", description = "List the architectures with their input shapes.")
    boolean list;

    @Option(names = "--export", paramLabel = "NAME", description = "Architecture to export (see --list).")
    String export;

    @Option(names = {"-o", "--out"}, paramLabel = "PREFIX", description = "Output prefix of the exported files.")
    String out;

    @Option(names = "--classes", paramLabel = "N", defaultValue = "1000",
            description = "Number of classes (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--epoch", paramLabel = "N", defaultValue = "0",
            description = "Epoch number in the params file name (default: ${DEFAULT-VALUE}).")
    int epoch;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        PrintWriter pw = cmd.getOut();
        if (list == (export != null)) {
            throw new CommandLine.ParameterException(cmd, "give exactly one of --list and --export NAME");
        }
        if (list) {
            ObjectMapper json = new ObjectMapper();
            ArrayNode models = json.createArrayNode();
            for (String n : ModelZoo.names()) {
                long[] s = ModelZoo.inputShape(n, 1);
                if (output.json()) {
                    ObjectNode o = models.addObject();
                    o.put("name", n);
                    ArrayNode shape = o.putArray("input_shape");
                    for (int i = 1; i < s.length; i++) shape.add(s[i]);
                } else {
                    pw.printf("%-18s %dx%dx%d%n", n, s[1], s[2], s[3]);
                }
            }
            if (output.json()) pw.println(json.writeValueAsString(json.createObjectNode().set("models", models)));
            pw.flush();
            return Main.EXIT_OK;
        }
        if (out == null) throw new CommandLine.ParameterException(cmd, "--export needs --out PREFIX");
        if (classes <= 0) throw new CommandLine.ParameterException(cmd, "--classes must be > 0, got " + classes);
        if (epoch < 0) throw new CommandLine.ParameterException(cmd, "--epoch must be >= 0, got " + epoch);
        if (!ModelZoo.names().contains(export.toLowerCase())) {
            throw new CommandLine.ParameterException(cmd, "unknown model '" + export + "'; available: "
                    + String.join(", ", ModelZoo.names()));
        }
        Progress progress = new Progress(cmd.getErr(), !output.quiet(), "zoo");
        progress.message("building " + export + " and initializing its weights");
        Block net;
        // A fresh name manager: names start at 0 (resnetv10_), as in a new Python process.
        try (NameScope s = NameManager.fresh()) {
            net = ModelZoo.get(export, classes);
        }
        net.initialize(new Xavier(), seed);
        net.inferShape(ModelZoo.inputShape(export, 1));
        Path parent = Path.of(out).toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        net.export(out, epoch);
        if (output.json()) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("model", export.toLowerCase());
            o.put("symbol", Model.symbolPath(out).toString());
            o.put("params", Model.paramsPath(out, epoch).toString());
            o.put("classes", classes);
            o.put("seed", seed);
            o.put("parameters", net.collectParams().size());
            pw.println(new ObjectMapper().writeValueAsString(o));
        } else {
            pw.printf("wrote %s and %s (%s, %d classes, %d parameters)%n", Model.symbolPath(out), Model.paramsPath(out, epoch),
                    export, classes, net.collectParams().size());
        }
        pw.flush();
        return Main.EXIT_OK;
    }
}
