package org.quantize4j.ops;

/**
 * What an op input is for. Used to initialise parameters sensibly ({@code RandomParams}) and to tell
 * data inputs from learned tensors and from label inputs that inference ignores.
 *
 * <pre>{@code
 * InputRole r = bound.inputRole(1);   // WEIGHT for Convolution
 * }</pre>
 */
public enum InputRole {
    /** An activation (or anything computed at run time). */
    DATA,
    /** Convolution / FullyConnected weight. */
    WEIGHT,
    /** Convolution / FullyConnected bias. */
    BIAS,
    /** BatchNorm scale. */
    GAMMA,
    /** BatchNorm shift. */
    BETA,
    /** BatchNorm running mean (an auxiliary state). */
    MOVING_MEAN,
    /** BatchNorm running variance (an auxiliary state). */
    MOVING_VAR,
    /** PReLU slopes. */
    SLOPE,
    /** The min or max (one float32) of a quantized input of a quantized op. */
    RANGE,
    /** Label input of a loss op (SoftmaxOutput): ignored at inference. */
    LABEL
}
