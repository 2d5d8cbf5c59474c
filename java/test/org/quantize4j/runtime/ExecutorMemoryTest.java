package org.quantize4j.runtime;

import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.quantize4j.Model;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testng.annotations.Test;

/**
 * 10,000 inferences on one executor do not grow native memory (resident set size from /proc/self/status),
 * and forward() allocates nothing on the Java heap either.
 */
public class ExecutorMemoryTest {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorMemoryTest.class);

    static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    /** Lets the GC free garbage of earlier tests (direct buffers are released after a GC cycle). */
    static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    @Test
    public void tenThousandForwardsDoNotGrowRss() throws Exception {
        Model m = Model.load(FixtureFp32Test.testModels().resolve("fmnist_resnet20_v1").toString());
        float[] x = FixtureFp32Test.loadImages(FixtureFp32Test.testModels().resolve("fashion-mnist/t10k-images-idx3-ubyte.gz"), 1);
        FloatBuffer in = FloatBuffer.wrap(x);
        try (Executor ex = Executor.create(m.symbol(), m.allParams(), Map.of("data", new long[] {1, 1, 28, 28}), new ExecutorOptions(1))) {
            for (int i = 0; i < 500; i++) {
                ex.setInput("data", in);
                ex.forward();
            }
            settle();
            long before = rssKiB();
            long t0 = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                ex.setInput("data", in);
                ex.forward();
            }
            long t1 = System.nanoTime();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            long heap0 = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 1000; i++) ex.forward();
            long heapPerForward = (threads.getThreadAllocatedBytes(tid) - heap0) / 1000;
            settle();
            long after = rssKiB();
            LOG.info("RSS after warm-up {} KiB, after 10,000 forward() {} KiB, growth {} KiB; {} us per inference (1 thread); "
                    + "{} heap bytes allocated per forward()", before, after, after - before, (t1 - t0) / 10_000 / 1000.0, heapPerForward);
            assertTrue(heapPerForward < 16, "forward() allocates " + heapPerForward + " bytes on the heap");
            assertTrue(after - before < 20 * 1024, "RSS grew by " + (after - before) + " KiB");
        }
    }
}
