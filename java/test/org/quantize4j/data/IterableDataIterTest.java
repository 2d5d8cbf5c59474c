package org.quantize4j.data;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertTrue;

import java.util.List;
import org.quantize4j.ndarray.NDArray;
import org.testng.annotations.Test;

/** An Iterable of batches as a DataIter: passes restart, a short batch is zero-padded, labels optional. */
public class IterableDataIterTest {
    private static NDArray rows(int n, float first) {
        float[] v = new float[n * 2];
        for (int i = 0; i < v.length; i++) v[i] = first + i;
        return NDArray.ofFloats(new long[] {n, 2}, v);
    }

    @Test
    public void shortBatchIsPaddedAndResetStartsAgain() {
        List<DataBatch> batches = List.of(new DataBatch(rows(3, 1), new int[] {0, 1, 2}, 3),
                new DataBatch(rows(2, 100), new int[] {3, 4}, 2));
        DataIter it = IterableDataIter.of(batches);
        assertEquals(it.batchSize(), 3);
        assertEquals(it.size(), 5);
        for (int pass = 0; pass < 2; pass++) {
            assertTrue(it.hasNext());
            DataBatch a = it.next();
            assertEquals(a.data().toFloatArray(), new float[] {1, 2, 3, 4, 5, 6});
            DataBatch b = it.next();
            assertEquals(b.data().shape(), new long[] {3, 2}, "padded to the first batch's rows");
            assertEquals(b.count(), 2);
            assertEquals(b.labels(), new int[] {3, 4});
            assertEquals(b.data().toFloatArray(), new float[] {100, 101, 102, 103, 0, 0});
            assertFalse(it.hasNext());
            it.reset();
        }
    }

    @Test
    public void plainArraysAreUnlabeledBatchesWithEveryRowReal() {
        DataIter it = IterableDataIter.ofArrays(List.of(rows(4, 0)));
        DataBatch b = it.next();
        assertEquals(b.count(), 4);
        assertNull(b.labels());
        assertEquals(it.size(), -1, "size of a non-collection source is unknown");
        assertEquals(IterableDataIter.of(List.of()).batchSize(), 0);
    }
}
