package org.quantize4j.cli;

import java.io.InputStream;
import java.io.PrintWriter;
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
 * <p>Exit codes: {@value #EXIT_OK} success, {@value #EXIT_FAILURE} runtime failure (unreadable file,
 * model error), {@value #EXIT_USAGE} usage error (unknown option, bad value).
 */
@Command(name = "quantize4j",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {QuantizeCommand.class, EvalCommand.class, BenchCommand.class, ZooCommand.class, CommandLine.HelpCommand.class},
        description = "Runs and evaluates Apache MXNet models (PREFIX-symbol.json + PREFIX-0000.params) on oneDNN.",
        footerHeading = "%n",
        footer = {
            "Examples:",
            "  quantize4j eval --model test-models/fmnist_mlp \\",
            "      --data test-models/fashion-mnist/t10k-images-idx3-ubyte.gz --mean 0.2860 --std 0.3530",
            "  quantize4j bench --model test-models/zoo/resnet50_v1 --random-weights \\",
            "      --shape 1,3,224,224 --batch 1,64 --threads 1,2 --json",
            "",
            "Exit codes: 0 success, 1 runtime failure, 2 usage error.",
            "Logging: warnings only; set QUANTIZE4J_LOG_LEVEL=info or debug for more,",
            "QUANTIZE4J_DEBUG=1 to print stack traces of failures."})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

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

    /** Bare {@code quantize4j}: a usage error listing the subcommands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: give one of eval, bench (see --help)");
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
