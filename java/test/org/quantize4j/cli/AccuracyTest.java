package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.expectThrows;

import java.nio.FloatBuffer;
import org.testng.annotations.Test;

public class AccuracyTest {
    @Test
    public void countsTop1AndTop5FromScoreRows() {
        // Row 0: label 2 is the max -> top-1 and top-5.
        // Row 1: label 0 ranks 3rd -> top-5 only.
        // Row 2: label 6 ranks 7th -> neither.
        // Row 3: tie between classes 1 and 4 at the max; label 4 loses the tie (numpy argmax picks 1) -> top-5 only.
        float[] scores = {
            0, 1, 9, 2, 3, 4, 5,
            5, 7, 1, 9, 0, 0, 0,
            6, 5, 4, 3, 2, 1, 0,
            0, 8, 0, 0, 8, 0, 0};
        int[] labels = {2, 0, 6, 4};
        Accuracy acc = new Accuracy(5);
        FloatBuffer f = FloatBuffer.wrap(scores);
        for (int r = 0; r < 4; r++) acc.addRow(f, r * 7, 7, labels[r]);
        assertEquals(acc.count(), 4);
        assertEquals(acc.correctTop1(), 1);
        assertEquals(acc.correctTopK(), 3);
        assertEquals(acc.top1(), 0.25);
        assertEquals(acc.topK(), 0.75);
    }

    @Test
    public void nanScoreIsWrongAndBadLabelIsRejected() {
        Accuracy acc = new Accuracy(1);
        acc.addRow(FloatBuffer.wrap(new float[] {Float.NaN, 1}), 0, 2, 0);
        acc.addRow(FloatBuffer.wrap(new float[] {Float.NaN, 1}), 0, 2, 1);
        assertEquals(acc.correctTop1(), 0);
        assertEquals(acc.count(), 2);
        expectThrows(IllegalArgumentException.class, () -> acc.addRow(FloatBuffer.wrap(new float[] {1, 2}), 0, 2, 2));
    }
}
