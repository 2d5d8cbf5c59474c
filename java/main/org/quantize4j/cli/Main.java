package org.quantize4j.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Entry point of the {@code quantize4j} command line (the shaded jar's main class).
 *
 * <pre>{@code
 * ./quantize4j eval --model test-models/fmnist_mlp --data test-models/fashion-mnist/t10k-images-idx3-ubyte.gz \
 *     --mean 0.2860 --std 0.3530 --json
 * int exit = Main.execute(out, err, "bench", "--model", "m", "--shape", "1,3,224,224");   // in-process
 * }</pre>
 *
 * <p>Exit codes, the same for every command and listed at the end of each command's {@code --help}
 * ({@link #EXIT_CODE_HELP}): {@value #EXIT_OK} success, {@value #EXIT_FAILURE} error at run time (a model, data
 * or output file that is missing, unreadable or invalid; a model this version cannot run), {@value #EXIT_USAGE}
 * usage error (unknown command or option, missing or invalid option value; nothing was run).
 */
@Command(name = "quantize4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {QuickstartCommand.class, QuantizeCommand.class, EvalCommand.class, BenchCommand.class, ZooCommand.class, CommandLine.HelpCommand.class},
        description = "Runs and evaluates Apache MXNet models (PREFIX-symbol.json + PREFIX-0000.params) on oneDNN.",
        footerHeading = "%n",
        footer = {
            "Examples:",
            "  quantize4j quickstart             (bundled model and data: quantize, evaluate, benchmark)",
            "  quantize4j quantize --model test-models/fmnist_resnet20_v1 \\",
            "      --calib-data test-models/fashion-mnist/train320-images-idx3-ubyte.gz \\",
            "      --mean 0.2860 --std 0.3530 --calib-mode entropy --quantized-dtype auto \\",
            "      --out out/resnet20-int8 --report out/report",
            "  quantize4j eval --model out/resnet20-int8 \\",
            "      --data test-models/fashion-mnist/t10k-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530",
            "  quantize4j bench --model test-models/zoo/resnet50_v1 --random-weights \\",
            "      --shape 1,3,224,224 --batch 1,64 --threads 1,2 --json",
            "  quantize4j zoo --list",
            "  quantize4j help quantize          (or: quantize4j quantize --help)",
            "",
            "Output: results on stdout (--json: one JSON object); progress and messages on stderr",
            "(--quiet: errors and warnings only).",
            "Logging: warnings only; set QUANTIZE4J_LOG_LEVEL=info or debug for more,",
            "QUANTIZE4J_DEBUG=1 to print stack traces of failures."})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    /** The exit-code section every command's help ends with. */
    static final String[] EXIT_CODE_HELP = {
        "Exit codes: 0 success, 1 runtime failure, 2 usage error.",
        "  1: a model, data or output file missing, unreadable or invalid, or a model this version",
        "     cannot run; one message on stderr names the file (and node)",
        "  2: unknown command or option, missing or invalid option value; nothing was run"};

    @Spec
    CommandSpec spec;

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        configureLogging();
        Progress.interactive = System.console() != null;
        System.exit(commandLine().execute(args));
    }

    /** Runs the command line in-process, writing to {@code out} and {@code err}; returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The configured picocli command line: usage errors exit 2, failures print one message and exit 1. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setUsageHelpWidth(100);
        addExitCodeHelp(cl);
        // A usage error: the message and a pointer to --help, not the whole help text.
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return EXIT_USAGE;
        });
        cl.setExitCodeExceptionMapper(e -> e instanceof ParameterException ? EXIT_USAGE : EXIT_FAILURE);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": error: " + describe(ex));
            if (isDebug()) ex.printStackTrace(err);
            err.flush();
            return EXIT_FAILURE;
        });
        return cl;
    }

    /**
     * Ends the help of this command and its subcommands with {@link #EXIT_CODE_HELP}, replacing any one-line
     * "Exit codes:" summary a command's footer has, so every command documents the same codes the same way.
     */
    private static void addExitCodeHelp(CommandLine cl) {
        CommandSpec s = cl.getCommandSpec();
        if (s.userObject() instanceof CommandLine.HelpCommand) return;
        List<String> footer = new ArrayList<>(Arrays.asList(s.usageMessage().footer()));
        if (footer.size() >= EXIT_CODE_HELP.length
                && footer.subList(footer.size() - EXIT_CODE_HELP.length, footer.size()).equals(Arrays.asList(EXIT_CODE_HELP))) {
            return;
        }
        footer.removeIf(line -> line.startsWith("Exit codes:"));
        while (!footer.isEmpty() && footer.get(footer.size() - 1).isBlank()) footer.remove(footer.size() - 1);
        if (!footer.isEmpty()) footer.add("");
        footer.addAll(Arrays.asList(EXIT_CODE_HELP));
        s.usageMessage().footer(footer.toArray(new String[0]));
        if (s.usageMessage().footerHeading().isEmpty()) s.usageMessage().footerHeading("%n");
        for (CommandLine sub : cl.getSubcommands().values()) addExitCodeHelp(sub);
    }

    /** Bare {@code quantize4j}: a usage error listing the subcommands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: give one of "
                + String.join(", ", commandNames(spec)) + " (see --help)");
    }

    private static List<String> commandNames(CommandSpec spec) {
        List<String> out = new ArrayList<>();
        for (String name : spec.subcommands().keySet()) if (!name.equals("help")) out.add(name);
        return out;
    }

    /** The message of a failure and its distinct causes, e.g. "model: x.params: truncated (caused by: EOF)". */
    static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder(messageOf(ex));
        Throwable c = ex.getCause();
        while (c != null && c != ex) {
            String m = messageOf(c);
            if (!sb.toString().contains(m)) sb.append(" (caused by: ").append(m).append(')');
            if (c.getCause() == c) break;
            c = c.getCause();
        }
        return sb.toString();
    }

    private static String messageOf(Throwable t) {
        String m = t.getMessage();
        // FileSystemException's message is just the path when there is no reason: say what happened.
        if (t instanceof java.nio.file.NoSuchFileException nsf && nsf.getReason() == null) {
            return "file not found: " + nsf.getFile();
        }
        if (t instanceof java.nio.file.AccessDeniedException ade && ade.getReason() == null) {
            return "permission denied: " + ade.getFile();
        }
        if (m == null || m.isBlank()) return t.getClass().getSimpleName();
        return t instanceof RuntimeException || t instanceof java.io.IOException ? m : t.getClass().getSimpleName() + ": " + m;
    }

    /**
     * The thread count a request means: {@code requested} if positive; for 0 ("all cores") what OpenMP
     * uses by default, OMP_NUM_THREADS if set, else the available processors.
     */
    static int effectiveThreads(int requested) {
        if (requested > 0) return requested;
        String env = System.getenv("OMP_NUM_THREADS");
        if (env != null) {
            try {
                int n = Integer.parseInt(env.split(",")[0].trim());
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // Not a plain number: OpenMP ignores it too.
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static boolean isDebug() {
        String d = System.getenv("QUANTIZE4J_DEBUG");
        return d != null && !d.isEmpty() && !d.equals("0");
    }

    // slf4j-simple reads its level once, at the first logger: set it before anything logs.
    private static void configureLogging() {
        String key = "org.slf4j.simpleLogger.defaultLogLevel";
        if (System.getProperty(key) == null) {
            String level = System.getenv("QUANTIZE4J_LOG_LEVEL");
            System.setProperty(key, level == null || level.isBlank() ? "warn" : level.trim().toLowerCase());
        }
        if (System.getProperty("org.slf4j.simpleLogger.logFile") == null) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        }
    }

    /** The version from the jar's Maven metadata ("dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = "dev";
            try (InputStream in = Main.class.getResourceAsStream(
                    "/META-INF/maven/org.quantize4j/quantize4j/pom.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    version = p.getProperty("version", version);
                }
            } catch (java.io.IOException ignored) {
                // No metadata: keep "dev".
            }
            return new String[] {"quantize4j " + version};
        }
    }
}
