package org.quantize4j.cli;

import java.nio.FloatBuffer;

/**
 * Top-1 and top-k accuracy over rows of class scores (logits or probabilities), like MXNet's
 * {@code Accuracy} and {@code TopKAccuracy} metrics. Ties rank the lower class index first
 * (numpy's argmax); a NaN score of the true class counts as wrong.
 *
 * <pre>{@code
 * Accuracy acc = new Accuracy(5);
 * acc.addRow(executor.output(0).floatView(), row * classes, classes, label);
 * double top1 = acc.top1(), top5 = acc.topK();
 * }</pre>
 */
public final class Accuracy {
    private final int k;
    private long count;
    private long correctTop1;
    private long correctTopK;

    /** @param k the k of top-k (5 for top-5) */
    public Accuracy(int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        this.k = k;
    }

    /**
     * Scores one example: {@code scores[offset .. offset + classes)} against {@code label}.
     *
     * @throws IllegalArgumentException if the label is not a class index
     */
    public void addRow(FloatBuffer scores, int offset, int classes, int label) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + label + " is outside the model's " + classes + " classes");
        }
        float target = scores.get(offset + label);
        count++;
        if (Float.isNaN(target)) return;
        // Rank of the true class: classes scoring higher, or equal with a lower index.
        int rank = 0;
        for (int j = 0; j < classes; j++) {
            float s = scores.get(offset + j);
            if (s > target || (s == target && j < label) || Float.isNaN(s)) rank++;
        }
        if (rank == 0) correctTop1++;
        if (rank < k) correctTopK++;
    }

    public int k() { return k; }

    /** Examples scored. */
    public long count() { return count; }

    public long correctTop1() { return correctTop1; }

    public long correctTopK() { return correctTopK; }

    /** Fraction correct at top-1 (0 when nothing was scored). */
    public double top1() { return count == 0 ? 0 : (double) correctTop1 / count; }

    /** Fraction correct at top-k. */
    public double topK() { return count == 0 ? 0 : (double) correctTopK / count; }
}
