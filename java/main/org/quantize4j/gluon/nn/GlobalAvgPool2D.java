package org.quantize4j.gluon.nn;

/**
 * Average over each whole feature map, giving (N, C, 1, 1) (Gluon's {@code nn.GlobalAvgPool2D}).
 *
 * <pre>{@code
 * net.add(new GlobalAvgPool2D(), new Flatten(), new Dense(10));
 * }</pre>
 */
public class GlobalAvgPool2D extends Pooling2D {
    public GlobalAvgPool2D() {
        this("NCHW", null);
    }

    public GlobalAvgPool2D(String layout, String prefix) {
        super(new int[] {1, 1}, null, new int[] {0}, true, true, "avg", layout, null, prefix);
    }
}
