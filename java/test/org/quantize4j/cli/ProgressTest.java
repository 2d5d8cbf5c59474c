package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.testng.annotations.Test;

public class ProgressTest {
    @Test
    public void terminalGetsOneLineRedrawnWithABar() {
        StringWriter s = new StringWriter();
        Progress p = new Progress(new PrintWriter(s), true, "eval", true);
        p.update(0, 100, "images");
        p.update(100, 100, "images");
        p.done();
        String out = s.toString();
        assertTrue(out.startsWith("\reval [........................]   0%  0/100 images"), out);
        assertTrue(out.contains("\reval [########################] 100%  100/100 images"), out);
        assertFalse(out.contains("\n"), "no new lines: " + out);
        assertTrue(out.endsWith("\r\u001b[K"), "the line is cleared at the end");
    }

    @Test
    public void pipeGetsPlainLinesOnlyNowAndThen() {
        StringWriter s = new StringWriter();
        Progress p = new Progress(new PrintWriter(s), true, "calibrating", false);
        for (int i = 1; i <= 10; i++) p.update(i * 32, 320, "images");
        p.update(320, 320, "images");   // repeated: not printed again
        p.done();
        assertEquals(s.toString(), "calibrating: 320/320 images (100%)\n", "a fast loop: only its last line");
        assertFalse(s.toString().contains("\r"));
    }

    @Test
    public void barParts() {
        Progress p = new Progress(new PrintWriter(new StringWriter()), true, "bench", true);
        assertEquals(p.bar(50, 200, "images", 2.0), "bench [######..................]  25%  50/200 images  25.0/s  ETA 6s");
        assertEquals(p.bar(7, 0, "batches", 0), "bench 7 batches");
        assertEquals(p.bar(2, 5, "s", 2.0), "bench [#########...............]  40%  2/5 s  ETA 3s");
        assertEquals(Progress.duration(75), "1m15s");
        assertEquals(Progress.duration(3725), "1h02m");
        assertEquals(p.plain(3, 12, "images"), "bench: 3/12 images (25%)");
    }

    @Test
    public void quietPrintsNothing() {
        StringWriter s = new StringWriter();
        Progress p = new Progress(new PrintWriter(s), false, "eval", true);
        p.message("loading");
        p.update(5, 10, "images");
        p.update(10, 10, "images");
        p.done();
        assertEquals(s.toString(), "");
    }
}
