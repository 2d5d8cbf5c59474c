package org.quantize4j.gluon.nn;

import java.util.Map;
import org.quantize4j.gluon.Block;
import org.quantize4j.gluon.F;
import org.quantize4j.gluon.Sym;

/**
 * Base of the 2-D pooling blocks (Gluon's {@code _Pooling}): one {@code Pooling} op named {@code <prefix>fwd};
 * automatic names {@code pool0_}, {@code pool1_}, ...; stride defaults to the pool size; ceil mode gives
 * {@code pooling_convention="full"}.
 *
 * <pre>{@code
 * new MaxPool2D(3, 2, 1);               // kernel 3, stride 2, pad 1
 * new AvgPool2D(2);                     // kernel 2, stride 2
 * new GlobalAvgPool2D();
 * }</pre>
 */
public abstract class Pooling2D extends Block {
    private final Map<String, Object> kwargs;

    /**
     * @param strides null = pool size
     * @param countIncludePad null = not written (max pooling); Boolean for average pooling
     */
    protected Pooling2D(int[] poolSize, int[] strides, int[] padding, boolean ceilMode, boolean globalPool,
                        String poolType, String layout, Boolean countIncludePad, String prefix) {
        super(prefix, null, "pool");
        int[] k = pair(poolSize);
        int[] s = strides == null ? k : pair(strides);
        kwargs = F.kwargs("kernel", k, "stride", s, "pad", pair(padding), "global_pool", globalPool,
                "pool_type", poolType, "layout", layout, "pooling_convention", ceilMode ? "full" : "valid");
        if (countIncludePad != null) kwargs.put("count_include_pad", countIncludePad);
    }

    private static int[] pair(int[] v) {
        if (v.length == 1) return new int[] {v[0], v[0]};
        if (v.length == 2) return v.clone();
        throw new IllegalArgumentException("2-D pooling needs 1 or 2 values per setting, got " + v.length);
    }

    @Override
    public Sym hybridForward(Sym x) {
        return F.pooling(x, "fwd", kwargs);
    }
}
