package org.quantize4j.cli;

import java.io.PrintWriter;

/**
 * Progress messages on stderr for long work, throttled so they cost nothing: on a terminal one
 * line rewritten in place (carriage return), otherwise a line every few seconds.
 *
 * <pre>{@code
 * Progress p = new Progress(err, !quiet, "eval");
 * p.update(done, total, "images");   // "eval: 2560/10000 images (25%)"
 * p.done();
 * }</pre>
 */
final class Progress {
    /** Set by {@link Main#main} when stderr is a terminal. */
    static volatile boolean interactive;

    private final PrintWriter err;
    private final boolean enabled;
    private final String label;
    private final long intervalNanos;
    private long lastNanos = Long.MIN_VALUE;
    private boolean pendingLine;

    Progress(PrintWriter err, boolean enabled, String label) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.intervalNanos = interactive ? 200_000_000L : 5_000_000_000L;
    }

    /** A one-off message (always printed when enabled). */
    void message(String text) {
        if (!enabled) return;
        clearLine();
        err.println(label + ": " + text);
        err.flush();
    }

    /** Reports {@code done} of {@code total} units; printed at most every interval. */
    void update(long done, long total, String unit) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (lastNanos != Long.MIN_VALUE && now - lastNanos < intervalNanos && done < total) return;
        lastNanos = now;
        String text = total > 0
                ? String.format("%s: %d/%d %s (%d%%)", label, done, total, unit, done * 100 / total)
                : String.format("%s: %d %s", label, done, unit);
        if (interactive) {
            err.print("\r" + text + "\u001b[K");
            pendingLine = true;
        } else {
            err.println(text);
        }
        err.flush();
    }

    /** Ends an in-place line, if any. */
    void done() {
        clearLine();
    }

    private void clearLine() {
        if (pendingLine) {
            err.print("\r\u001b[K");
            err.flush();
            pendingLine = false;
        }
    }
}
