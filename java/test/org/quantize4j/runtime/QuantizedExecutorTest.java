package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

import org.quantize4j.CalibMode;
import org.quantize4j.Model;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.QuantizedModel;
import org.testng.annotations.Test;

/**
 * An INT8 executor with run-time ranges (calib mode none: range measurements and Java steps between the
 * primitives) serves many batches without allocating on the heap, and its results depend only on the
 * current batch.
 */
public class QuantizedExecutorTest {
    @Test
    public void runTimeRangesAllocateNothingAndFollowTheBatch() throws Exception {
        Model m = Model.load(FixtureFp32Test.testModels().resolve("fmnist_resnet20_v1").toString());
        QuantizedModel q = QuantizedAccuracyTest.quantize(m, CalibMode.NONE, QuantizedDtype.AUTO, QuantizeMode.FULL);
        float[] all = Fmnist.testImages();
        float[] a = Arrays.copyOfRange(all, 0, 8 * 784);
        float[] b = Arrays.copyOfRange(all, 8 * 784, 16 * 784);
        try (Executor ex = Executor.create(q.symbol(), q.toModel().allParams(), Map.of("data", new long[] {8, 1, 28, 28}),
                new ExecutorOptions(1))) {
            float[] outA = ex.forward(a);
            float[] outB = ex.forward(b);
            assertEquals(ex.forward(a), outA, "same batch twice");
            assertTrue(!Arrays.equals(outA, outB));
            FloatBuffer in = FloatBuffer.wrap(b);
            for (int i = 0; i < 50; i++) {
                ex.setInput("data", in);
                ex.forward();
            }
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long tid = Thread.currentThread().getId();
            long heap0 = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 200; i++) ex.forward();
            long perForward = (threads.getThreadAllocatedBytes(tid) - heap0) / 200;
            assertTrue(perForward < 16, "forward() allocates " + perForward + " bytes on the heap");
            assertEquals(ex.output(0).toFloatArray(), outB);
        }
    }
}
