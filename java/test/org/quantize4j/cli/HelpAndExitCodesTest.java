package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import org.testng.annotations.Test;

/** Every command documents examples and the exit codes, and the codes are what the help says. */
public class HelpAndExitCodesTest {
    private static final Path MODELS = Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    private static final String IMAGES = MODELS.resolve("fashion-mnist/t10k-images-idx3-ubyte.gz").toString();

    private static List<CommandLine> commands() {
        CommandLine root = Main.commandLine();
        List<CommandLine> out = new ArrayList<>();
        out.add(root);
        for (CommandLine sub : root.getSubcommands().values()) {
            if (!(sub.getCommandSpec().userObject() instanceof CommandLine.HelpCommand)) out.add(sub);
        }
        return out;
    }

    @Test
    public void everyHelpHasExamplesAndTheExitCodes() {
        List<String> names = new ArrayList<>();
        for (CommandLine c : commands()) {
            String name = c.getCommandSpec().qualifiedName();
            names.add(name);
            String[] args = c.getParent() == null ? new String[] {"--help"} : new String[] {c.getCommandName(), "--help"};
            CliRunner r = CliRunner.run(args);
            assertEquals(r.exitCode(), Main.EXIT_OK, r.toString());
            assertEquals(r.err(), "", name);
            String help = r.out();
            assertTrue(help.contains("Examples:\n  quantize4j "), name + ": examples\n" + help);
            assertTrue(help.endsWith(String.join("\n", Main.EXIT_CODE_HELP) + "\n"), name + ": ends with the exit codes\n" + help);
            assertEquals(help.split("Exit codes").length, 2, name + ": the exit codes once\n" + help);
            assertTrue(help.contains("Exit codes: 0 success, 1 runtime failure, 2 usage error.\n  1: a model, data")
                    && help.contains("  2: unknown command or option"), name);
            // Footer lines fit the help width, so picocli does not break an example in the middle.
            for (String line : c.getCommandSpec().usageMessage().footer()) {
                assertTrue(line.length() <= 100, name + ": footer line of " + line.length() + " characters: " + line);
            }
            if (c.getParent() != null) {
                assertTrue(help.contains("--quiet") && help.contains("--json"), name + ": --quiet and --json");
            }
        }
        assertTrue(names.containsAll(List.of("quantize4j", "quantize4j quantize", "quantize4j eval", "quantize4j bench",
                "quantize4j zoo", "quantize4j quickstart")), names.toString());
    }

    @Test
    public void usageErrorsExit2() {
        CliRunner bare = CliRunner.run();
        assertEquals(bare.exitCode(), Main.EXIT_USAGE);
        for (CommandLine c : commands().subList(1, commands().size())) {
            assertTrue(bare.err().contains(c.getCommandName()), c.getCommandName() + " listed in: " + bare.err());
        }
        for (String[] args : new String[][] {
                {"--frobnicate"},
                {"quantize", "--model", "m", "--out", "o", "--calib-mode", "sometimes"},
                {"quantize", "--model", "m", "--out", "o", "--calib-mode", "none", "--report", "r"},
                {"quantize", "--model", "m", "--out", "o", "--calib-data", IMAGES, "--report-examples", "0"},
                {"eval", "--model", "m"},
                {"zoo", "--list", "--export", "resnet18_v1"},
                {"zoo", "--export", "no_such_net", "--out", "x"}}) {
            CliRunner r = CliRunner.run(args);
            assertEquals(r.exitCode(), Main.EXIT_USAGE, r.toString());
            assertTrue(r.err().contains("--help"), r.toString());
            assertEquals(r.out(), "", r.toString());
        }
    }

    @Test
    public void missingModelFileExits1NamingIt() throws Exception {
        Path dir = Files.createTempDirectory("q4j-exit");
        String prefix = dir.resolve("nothing_here").toString();
        for (String[] args : new String[][] {
                {"quantize", "--model", prefix, "--calib-mode", "none", "--out", dir.resolve("o").toString()},
                {"eval", "--model", prefix, "--data", IMAGES, "--limit", "8"},
                {"bench", "--model", prefix, "--shape", "1,1,28,28", "--seconds", "0.1"}}) {
            CliRunner r = CliRunner.run(args);
            assertEquals(r.exitCode(), Main.EXIT_FAILURE, r.toString());
            assertTrue(r.err().contains(prefix + "-symbol.json"), r.toString());
            assertFalse(r.err().contains("Exception"), "one clear message, no stack trace: " + r.err());
        }
        try (var files = Files.list(dir)) {
            assertEquals(files.count(), 0L, "nothing written");
        }
    }

    @Test
    public void zooJsonAndQuiet() throws Exception {
        CliRunner list = CliRunner.run("zoo", "--list", "--json");
        assertEquals(list.exitCode(), 0, list.toString());
        JsonNode models = new ObjectMapper().readTree(list.out()).path("models");
        assertTrue(models.size() > 10, list.out());
        JsonNode first = models.get(0);
        assertEquals(first.path("input_shape").size(), 3, list.out());
        Path dir = Files.createTempDirectory("q4j-zoo");
        String out = dir.resolve("sq").toString();
        CliRunner loud = CliRunner.run("zoo", "--export", "squeezenet1.1", "--classes", "10", "--out", out);
        assertEquals(loud.exitCode(), 0, loud.toString());
        assertTrue(loud.err().contains("zoo: building squeezenet1.1"), loud.err());
        CliRunner quiet = CliRunner.run("zoo", "--export", "squeezenet1.1", "--classes", "10", "--out", out, "--quiet", "--json");
        assertEquals(quiet.exitCode(), 0, quiet.toString());
        assertEquals(quiet.err(), "");
        JsonNode o = new ObjectMapper().readTree(quiet.out());
        assertEquals(o.path("symbol").asText(), out + "-symbol.json");
        assertTrue(Files.isRegularFile(Path.of(o.path("params").asText())));
    }

    @Test
    public void evalQuietPrintsNoProgress() {
        String model = MODELS.resolve("fmnist_mlp").toString();
        CliRunner loud = CliRunner.run("eval", "--model", model, "--data", IMAGES, "--mean", "0.2860", "--std", "0.3530",
                "--limit", "256", "--batch", "64", "--threads", "1");
        assertEquals(loud.exitCode(), 0, loud.toString());
        assertTrue(loud.err().contains("eval: 256/256 images (100%)"), loud.err());
        CliRunner quiet = CliRunner.run("eval", "--model", model, "--data", IMAGES, "--mean", "0.2860", "--std", "0.3530",
                "--limit", "256", "--batch", "64", "--threads", "1", "--quiet");
        assertEquals(quiet.exitCode(), 0, quiet.toString());
        assertEquals(quiet.err(), "");
        assertEquals(quiet.out().replaceAll("time .*\n", ""), loud.out().replaceAll("time .*\n", ""),
                "same results either way");
        assertTrue(quiet.out().contains("top-1"), quiet.out());
    }
}
