package org.quantize4j.gluon.nn;

/**
 * Maximum over each whole feature map, giving (N, C, 1, 1) (Gluon's {@code nn.GlobalMaxPool2D}).
 *
 * <pre>{@code
 * net.add(new GlobalMaxPool2D());
 * }</pre>
 */
public class GlobalMaxPool2D extends Pooling2D {
    public GlobalMaxPool2D() {
        this("NCHW", null);
    }

    public GlobalMaxPool2D(String layout, String prefix) {
        super(new int[] {1, 1}, null, new int[] {0}, true, true, "max", layout, null, prefix);
    }
}
