package org.quantize4j.gluon.nn;

/**
 * Average pooling (Gluon's {@code nn.AvgPool2D}; default pool 2, stride = pool, no padding, floor mode,
 * padding counted in the average).
 *
 * <pre>{@code
 * new AvgPool2D(3, 1, 1);       // Inception's branch pool
 * new AvgPool2D(7);             // DenseNet's final pool
 * }</pre>
 */
public class AvgPool2D extends Pooling2D {
    public AvgPool2D() {
        this(2);
    }

    public AvgPool2D(int poolSize) {
        this(new int[] {poolSize}, null, new int[] {0}, false, "NCHW", true, null);
    }

    public AvgPool2D(int poolSize, int strides) {
        this(poolSize, strides, 0);
    }

    public AvgPool2D(int poolSize, int strides, int padding) {
        this(new int[] {poolSize}, new int[] {strides}, new int[] {padding}, false, "NCHW", true, null);
    }

    /** @param strides null = pool size */
    public AvgPool2D(int[] poolSize, int[] strides, int[] padding, boolean ceilMode, String layout,
                     boolean countIncludePad, String prefix) {
        super(poolSize, strides, padding, ceilMode, false, "avg", layout, countIncludePad, prefix);
    }
}
