package org.quantize4j.ops;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.fail;

/**
 * Plain-Java reference implementations of the ops, written from MXNet's definitions (NCHW, row-major,
 * double accumulation), independent of oneDNN.
 */
final class Reference {
    private Reference() {
    }

    /** MXNet Convolution: x (N,C,H,W), w (O, C/g, kh, kw), b (O) or null. */
    static float[] conv2d(float[] x, long[] xs, float[] w, int o, int kh, int kw, float[] b, int[] stride, int[] pad,
                          int[] dilate, int groups, long[] ys) {
        int n = (int) xs[0], c = (int) xs[1], h = (int) xs[2], wd = (int) xs[3];
        int oh = (int) ys[2], ow = (int) ys[3];
        int cg = c / groups, og = o / groups;
        float[] y = new float[n * o * oh * ow];
        for (int in = 0; in < n; in++)
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double acc = b == null ? 0 : b[oc];
                        for (int ic = 0; ic < cg; ic++)
                            for (int p = 0; p < kh; p++)
                                for (int q = 0; q < kw; q++) {
                                    int yy = i * stride[0] - pad[0] + p * dilate[0];
                                    int xx = j * stride[1] - pad[1] + q * dilate[1];
                                    if (yy < 0 || yy >= h || xx < 0 || xx >= wd) continue;
                                    acc += (double) x[((in * c + g * cg + ic) * h + yy) * wd + xx]
                                            * w[((oc * cg + ic) * kh + p) * kw + q];
                                }
                        y[((in * o + oc) * oh + i) * ow + j] = (float) acc;
                    }
            }
        return y;
    }

    /** y (rows, o) = x (rows, k) W^T + b. */
    static float[] fc(float[] x, int rows, int k, float[] w, int o, float[] b) {
        float[] y = new float[rows * o];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < o; j++) {
                double acc = b == null ? 0 : b[j];
                for (int i = 0; i < k; i++) acc += (double) x[r * k + i] * w[j * k + i];
                y[r * o + j] = (float) acc;
            }
        return y;
    }

    /** MXNet's CPU pooling (pool.h), NCHW. type: max, avg, sum. */
    static float[] pool(float[] x, long[] xs, long[] ys, int[] kernel, int[] stride, int[] pad, String type, boolean includePad) {
        int n = (int) xs[0], c = (int) xs[1], h = (int) xs[2], w = (int) xs[3];
        int oh = (int) ys[2], ow = (int) ys[3];
        float[] y = new float[n * c * oh * ow];
        for (int in = 0; in < n; in++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        int hs = i * stride[0] - pad[0], ws = j * stride[1] - pad[1];
                        int he = Math.min(hs + kernel[0], h + pad[0]), we = Math.min(ws + kernel[1], w + pad[1]);
                        int poolSize = (he - hs) * (we - ws);
                        hs = Math.max(hs, 0);
                        ws = Math.max(ws, 0);
                        he = Math.min(he, h);
                        we = Math.min(we, w);
                        if (!includePad) poolSize = (he - hs) * (we - ws);
                        double acc = type.equals("max") ? Double.NEGATIVE_INFINITY : 0;
                        for (int p = hs; p < he; p++)
                            for (int q = ws; q < we; q++) {
                                float v = x[((in * c + ch) * h + p) * w + q];
                                acc = type.equals("max") ? Math.max(acc, v) : acc + v;
                            }
                        if (type.equals("avg")) acc /= poolSize;
                        y[((in * c + ch) * oh + i) * ow + j] = (float) acc;
                    }
        return y;
    }

    static float[] batchNorm(float[] x, long[] xs, float[] gamma, float[] beta, float[] mean, float[] var, float eps, boolean fixGamma) {
        int n = (int) xs[0], c = (int) xs[1];
        int inner = (int) (x.length / n / c);
        float[] y = new float[x.length];
        for (int in = 0; in < n; in++)
            for (int ch = 0; ch < c; ch++) {
                double g = fixGamma ? 1 : gamma[ch];
                double inv = 1 / Math.sqrt(var[ch] + (double) eps);
                for (int k = 0; k < inner; k++) {
                    int idx = (in * c + ch) * inner + k;
                    y[idx] = (float) ((x[idx] - mean[ch]) * inv * g + beta[ch]);
                }
            }
        return y;
    }

    /** Softmax (or log-softmax) over {@code axis} of a row-major tensor. */
    static float[] softmax(float[] x, long[] shape, int axis, boolean log) {
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        int len = (int) shape[axis];
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++)
            for (int in = 0; in < inner; in++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < len; k++) max = Math.max(max, x[(int) ((o * len + k) * inner + in)]);
                double sum = 0;
                for (int k = 0; k < len; k++) sum += Math.exp(x[(int) ((o * len + k) * inner + in)] - max);
                for (int k = 0; k < len; k++) {
                    int idx = (int) ((o * len + k) * inner + in);
                    y[idx] = (float) (log ? x[idx] - max - Math.log(sum) : Math.exp(x[idx] - max) / sum);
                }
            }
        return y;
    }

    /** Concatenation along {@code axis} of row-major tensors. */
    static float[] concat(float[][] xs, long[][] shapes, int axis) {
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shapes[0][i];
        for (int i = axis + 1; i < shapes[0].length; i++) inner *= shapes[0][i];
        int total = 0;
        for (float[] a : xs) total += a.length;
        float[] y = new float[total];
        int pos = 0;
        for (int o = 0; o < outer; o++)
            for (int t = 0; t < xs.length; t++) {
                int chunk = (int) (shapes[t][axis] * inner);
                System.arraycopy(xs[t], o * chunk, y, pos, chunk);
                pos += chunk;
            }
        return y;
    }

    /** Mean over the axes flagged in {@code reduce} (result in keepdims row-major order). */
    static float[] mean(float[] x, long[] shape, boolean[] reduce) {
        long[] out = shape.clone();
        long count = 1;
        for (int i = 0; i < shape.length; i++) if (reduce[i]) { out[i] = 1; count *= shape[i]; }
        double[] acc = new double[(int) org.quantize4j.ndarray.NDArray.size(out)];
        int[] idx = new int[shape.length];
        for (int flat = 0; flat < x.length; flat++) {
            int rem = flat;
            for (int d = shape.length - 1; d >= 0; d--) { idx[d] = (int) (rem % shape[d]); rem /= shape[d]; }
            long o = 0;
            for (int d = 0; d < shape.length; d++) o = o * out[d] + (reduce[d] ? 0 : idx[d]);
            acc[(int) o] += x[flat];
        }
        float[] y = new float[acc.length];
        for (int i = 0; i < y.length; i++) y[i] = (float) (acc[i] / count);
        return y;
    }

    /** Numpy broadcasting of a binary function over row-major tensors of equal rank. */
    static float[] broadcast(float[] a, long[] as, float[] b, long[] bs, long[] ys, java.util.function.DoubleBinaryOperator f) {
        float[] y = new float[(int) org.quantize4j.ndarray.NDArray.size(ys)];
        int[] idx = new int[ys.length];
        for (int flat = 0; flat < y.length; flat++) {
            int rem = flat;
            for (int d = ys.length - 1; d >= 0; d--) { idx[d] = (int) (rem % ys[d]); rem /= ys[d]; }
            long ia = 0, ib = 0;
            for (int d = 0; d < ys.length; d++) {
                ia = ia * as[d] + (as[d] == 1 ? 0 : idx[d]);
                ib = ib * bs[d] + (bs[d] == 1 ? 0 : idx[d]);
            }
            y[flat] = (float) f.applyAsDouble(a[(int) ia], b[(int) ib]);
        }
        return y;
    }

    /** Asserts |got - want| <= tol * max(1, max|want|) elementwise. */
    static void assertClose(float[] got, float[] want, double tol, String what) {
        assertEquals(got.length, want.length, what + ": length");
        double scale = 1;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs(got[i] - want[i]);
            if (!(err <= tol * scale)) fail(what + ": element " + i + " is " + got[i] + ", expected " + want[i] + " (tol " + tol * scale + ")");
        }
    }
}
