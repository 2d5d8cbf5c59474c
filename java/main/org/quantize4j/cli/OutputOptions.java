package org.quantize4j.cli;

import picocli.CommandLine.Option;

/** Output options shared by the commands: {@code --json} and {@code --quiet}. */
public final class OutputOptions {
    @Option(names = "--json", description = "Print results as JSON (one object per line) on stdout.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress messages on stderr.")
    boolean quiet;

    public boolean json() { return json; }

    public boolean quiet() { return quiet; }
}
