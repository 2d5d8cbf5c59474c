package org.quantize4j.ops;

/**
 * How MXNet's quantize pass treats an op (quantize_graph_pass.cc): {@code MUST} ops (Convolution,
 * FullyConnected) are always quantized unless excluded; {@code SUPPORT} ops (relu, BatchNorm, Concat,
 * Pooling max/avg, Flatten, elemwise_add/mul) only when sandwiched between quantized ops in "smart"
 * mode; {@code NONE} ops stay FP32.
 *
 * <pre>{@code
 * if (bound.quantizability() == Quantizability.MUST) { ... }
 * }</pre>
 */
public enum Quantizability {
    MUST,
    SUPPORT,
    NONE
}
