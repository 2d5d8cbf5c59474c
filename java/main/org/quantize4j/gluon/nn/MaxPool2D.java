package org.quantize4j.gluon.nn;

/**
 * Max pooling (Gluon's {@code nn.MaxPool2D}; default pool 2, stride = pool, no padding, floor mode).
 *
 * <pre>{@code
 * new MaxPool2D();              // 2x2 / 2
 * new MaxPool2D(3, 2, 1);       // ResNet's stem pool
 * new MaxPool2D(3, 2, 0, true); // SqueezeNet's (ceil mode)
 * }</pre>
 */
public class MaxPool2D extends Pooling2D {
    public MaxPool2D() {
        this(2);
    }

    public MaxPool2D(int poolSize) {
        this(new int[] {poolSize}, null, new int[] {0}, false, "NCHW", null);
    }

    public MaxPool2D(int poolSize, int strides) {
        this(poolSize, strides, 0);
    }

    public MaxPool2D(int poolSize, int strides, int padding) {
        this(poolSize, strides, padding, false);
    }

    public MaxPool2D(int poolSize, int strides, int padding, boolean ceilMode) {
        this(new int[] {poolSize}, new int[] {strides}, new int[] {padding}, ceilMode, "NCHW", null);
    }

    /** @param strides null = pool size */
    public MaxPool2D(int[] poolSize, int[] strides, int[] padding, boolean ceilMode, String layout, String prefix) {
        super(poolSize, strides, padding, ceilMode, false, "max", layout, null, prefix);
    }
}
