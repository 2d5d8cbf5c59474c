package org.quantize4j.data;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Pixel preprocessing {@code x = (pixel * scale - mean[c]) / std[c]} in float32, as MXNet scripts
 * write it ({@code x = x / 255; x = (x - mean) / std}). Mean and std hold either one value for every
 * channel or one value per channel.
 *
 * <p>{@code pixel * scale} is computed in double and rounded once to float, which for
 * {@code scale = 1/255} gives exactly float32 {@code pixel / 255f}, the value MXNet computes; the
 * subtraction and division are float32 like MXNet's.
 *
 * <pre>{@code
 * Normalization n = new Normalization(1 / 255.0, new float[] {0.2860f}, new float[] {0.3530f});
 * float x = n.apply(0, 255);   // (1 - 0.286) / 0.353
 * }</pre>
 */
public final class Normalization {
    /** Scale used when none is given: uint8 pixels to [0, 1]. */
    public static final double DEFAULT_SCALE = 1.0 / 255.0;

    private final double scale;
    private final float[] mean;
    private final float[] std;

    /**
     * @throws IllegalArgumentException if scale is not finite, mean or std is empty, a value is not
     *     finite, or a std is zero
     */
    public Normalization(double scale, float[] mean, float[] std) {
        if (!Double.isFinite(scale)) throw new IllegalArgumentException("scale must be finite, got " + scale);
        if (mean == null || mean.length == 0) throw new IllegalArgumentException("mean needs at least one value");
        if (std == null || std.length == 0) throw new IllegalArgumentException("std needs at least one value");
        for (float m : mean) {
            if (!Float.isFinite(m)) throw new IllegalArgumentException("mean must be finite, got " + Arrays.toString(mean));
        }
        for (float s : std) {
            if (s == 0f || !Float.isFinite(s)) {
                throw new IllegalArgumentException("std must be finite and non-zero, got " + Arrays.toString(std));
            }
        }
        this.scale = scale;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /** Only scaling: mean 0, std 1. */
    public static Normalization scaleOnly(double scale) {
        return new Normalization(scale, new float[] {0f}, new float[] {1f});
    }

    /** One mean and std for all channels. */
    public static Normalization of(double scale, float mean, float std) {
        return new Normalization(scale, new float[] {mean}, new float[] {std});
    }

    public double scale() { return scale; }

    public float[] mean() { return mean.clone(); }

    public float[] std() { return std.clone(); }

    /**
     * Checks that mean and std fit an input with {@code channels} channels (one value, or one per channel).
     *
     * @throws IllegalArgumentException naming the offending option and the channel count
     */
    public void checkChannels(int channels) {
        if (mean.length != 1 && mean.length != channels) {
            throw new IllegalArgumentException("mean has " + mean.length + " values but the input has " + channels
                    + " channel(s); give one value or one per channel");
        }
        if (std.length != 1 && std.length != channels) {
            throw new IllegalArgumentException("std has " + std.length + " values but the input has " + channels
                    + " channel(s); give one value or one per channel");
        }
    }

    /** The normalized value of {@code pixel} (any number, typically 0..255) in {@code channel}. */
    public float apply(int channel, double pixel) {
        float m = mean.length == 1 ? mean[0] : mean[channel];
        float s = std.length == 1 ? std[0] : std[channel];
        float scaled = (float) (pixel * scale);
        return (scaled - m) / s;
    }

    /** {@code table[c][p]} = {@link #apply}{@code (c, p)} for every uint8 value p: one lookup per pixel. */
    public float[][] uint8Table(int channels) {
        checkChannels(channels);
        float[][] table = new float[channels][256];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < 256; p++) table[c][p] = apply(c, p);
        }
        return table;
    }

    /**
     * Normalizes {@code images} uint8 images stored as planar CHW bytes from {@code src[offset]} on into
     * {@code dst} (at its position, which advances).
     */
    public void normalizeUint8(byte[] src, int offset, int images, int channels, int planeSize, FloatBuffer dst) {
        float[][] table = uint8Table(channels);
        float[] plane = new float[planeSize];   // bulk put: per-element puts into a direct buffer are slow
        int p = offset;
        for (int i = 0; i < images; i++) {
            for (int c = 0; c < channels; c++) {
                float[] t = table[c];
                for (int k = 0; k < planeSize; k++) plane[k] = t[src[p++] & 0xff];
                dst.put(plane);
            }
        }
    }

    @Override
    public String toString() {
        return "Normalization(scale=" + scale + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
