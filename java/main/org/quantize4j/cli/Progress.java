package org.quantize4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on stderr for long loops (calibration, evaluation, benchmarks), throttled so it costs nothing.
 * On a terminal ({@link #interactive}) one line redrawn in place with a bar, rate and time left:
 * {@code eval  [##########..........]  51%  5120/10000 images  2311/s  ETA 2s}; otherwise (a pipe, a log
 * file, CI) a plain line every few seconds and one at the end: {@code eval: 5120/10000 images (51%)}.
 * Disabled ({@code --quiet}), it prints nothing, messages included.
 *
 * <pre>{@code
 * Progress p = new Progress(err, !quiet, "eval");
 * p.message("loading model");        // "eval: loading model"
 * p.update(done, total, "images");  // a bar on a terminal, a line every 5 s otherwise
 * p.done();                          // ends the bar's line
 * }</pre>
 */
final class Progress {
    /** Set by {@link Main#main} when the JVM has a terminal (stderr is then the terminal too, in practice). */
    static volatile boolean interactive;

    private static final int BAR_WIDTH = 24;

    private final PrintWriter err;
    private final boolean enabled;
    private final String label;
    private final boolean redraw;
    private final long intervalNanos;
    private long startNanos = Long.MIN_VALUE;
    private long lastNanos = Long.MIN_VALUE;
    private long lastDone = -1;
    private boolean pendingLine;

    Progress(PrintWriter err, boolean enabled, String label) {
        this(err, enabled, label, interactive);
    }

    /** @param redraw one line redrawn in place (a terminal) instead of periodic lines */
    Progress(PrintWriter err, boolean enabled, String label, boolean redraw) {
        this.err = err;
        this.enabled = enabled;
        this.label = label;
        this.redraw = redraw;
        this.intervalNanos = redraw ? 100_000_000L : 5_000_000_000L;
    }

    /** Whether anything is printed. */
    boolean enabled() { return enabled; }

    /** A one-off line, e.g. what is about to happen (printed unless disabled). */
    void message(String text) {
        if (!enabled) return;
        clearLine();
        err.println(label + ": " + text);
        err.flush();
    }

    /**
     * Reports {@code done} of {@code total} units ({@code total <= 0}: unknown). Printed at most every interval,
     * and always when {@code done} reaches {@code total}.
     */
    void update(long done, long total, String unit) {
        if (!enabled) return;
        long now = System.nanoTime();
        if (startNanos == Long.MIN_VALUE) startNanos = now;
        boolean finished = total > 0 && done >= total;
        if (finished && done == lastDone) return;
        // A plain log gets its first line after one interval (a short loop prints only its last line).
        long since = lastNanos == Long.MIN_VALUE ? (redraw ? Long.MAX_VALUE : now - startNanos) : now - lastNanos;
        if (!finished && since < intervalNanos) return;
        lastNanos = now;
        lastDone = done;
        double seconds = (now - startNanos) / 1e9;
        if (redraw) {
            err.print("\r" + bar(done, total, unit, seconds) + "\u001b[K");
            pendingLine = true;
            if (finished) clearLine();
        } else {
            err.println(plain(done, total, unit));
        }
        err.flush();
    }

    /** Ends an in-place line, if any. */
    void done() {
        clearLine();
    }

    /** {@code label: done/total unit (p%)}. */
    String plain(long done, long total, String unit) {
        return total > 0
                ? String.format(Locale.ROOT, "%s: %d/%d %s (%d%%)", label, done, total, unit, done * 100 / total)
                : String.format(Locale.ROOT, "%s: %d %s", label, done, unit);
    }

    /** {@code label [#####.....] p% done/total unit rate/s ETA t}. */
    String bar(long done, long total, String unit, double seconds) {
        StringBuilder b = new StringBuilder(label).append(' ');
        double rate = seconds > 0 ? done / seconds : 0;
        if (total > 0) {
            int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
            b.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append(']');
            b.append(String.format(Locale.ROOT, " %3d%%  %d/%d %s", done * 100 / total, done, total, unit));
        } else {
            b.append(String.format(Locale.ROOT, "%d %s", done, unit));
        }
        boolean timed = unit.equals("s");   // a loop counting seconds (a timed benchmark): no rate to show
        if (rate > 0 && !timed) {
            b.append("  ").append(String.format(Locale.ROOT, rate >= 100 ? "%.0f" : "%.1f", rate)).append("/s");
        }
        if (total > 0 && rate > 0 && done < total) b.append("  ETA ").append(duration(timed ? total - done : (total - done) / rate));
        return b.toString();
    }

    static String duration(double s) {
        long t = Math.round(s);
        if (t < 60) return t + "s";
        if (t < 3600) return (t / 60) + "m" + String.format(Locale.ROOT, "%02d", t % 60) + "s";
        return (t / 3600) + "h" + String.format(Locale.ROOT, "%02d", (t % 3600) / 60) + "m";
    }

    private void clearLine() {
        if (pendingLine) {
            err.print("\r\u001b[K");
            err.flush();
            pendingLine = false;
        }
    }
}
