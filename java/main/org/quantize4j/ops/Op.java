package org.quantize4j.ops;

import java.util.List;
import java.util.Set;

/**
 * One MXNet operator: its attributes (MXNet's parameter names, parsed with MXNet's defaults into a
 * small params record {@code P}), its inputs and outputs, its shape rule and its oneDNN FP32 kernel.
 * Ops are stateless singletons; everything per node lives in {@code P}. Use them through
 * {@link OpRegistry#bind} which checks the attribute names first.
 *
 * <p>Room for later issues: {@link #quantizability} tells the quantize pass what to do; INT8 kernels
 * and fused post-ops reuse the ops' public primitive builders (e.g.
 * {@link ConvolutionOp#build(ConvolutionOp.Params, KernelContext, org.bytedeco.dnnl.primitive_attr)})
 * with a {@code primitive_attr} carrying scales and post-ops.
 *
 * <pre>{@code
 * Op<?> op = OpRegistry.standard().find("Convolution");
 * BoundOp<?> b = OpRegistry.standard().bind(node);   // validates attrs, parses params
 * b.inferShape(shapeContext);
 * b.build(kernelContext);
 * }</pre>
 *
 * @param <P> the parsed attributes
 */
public interface Op<P> {
    /** The canonical MXNet op name, e.g. {@code "Convolution"}. */
    String name();

    /** Other names MXNet registers for the same op (e.g. {@code "_plus"} for elemwise_add). */
    default List<String> aliases() { return List.of(); }

    /**
     * Every attribute name MXNet accepts for this op (its full parameter list). Names starting with
     * {@code "__"} are graph metadata and always accepted; anything else not listed is an error.
     */
    Set<String> attributeNames();

    /** Parses the node's attributes (with MXNet's defaults); rejects values this runtime cannot run. */
    P parse(AttrReader attrs);

    /** Names of the inputs, in order (MXNet's argument names; data first). */
    List<String> inputNames(P params);

    /** What input {@code i} is for. */
    default InputRole inputRole(P params, int i) { return InputRole.DATA; }

    /** Outputs MXNet counts for the node (node_row_ptr), including hidden ones (BatchNorm: 3). */
    default int numOutputs(P params) { return 1; }

    /** Outputs visible to users of the symbol (BatchNorm: 1). */
    default int numVisibleOutputs(P params) { return 1; }

    /** Output shapes from input shapes; also fills unknown parameter input shapes. */
    void inferShape(P params, ShapeContext ctx);

    /**
     * Element types of the outputs from those of the inputs (MXNet's FInferType). The default is the FP32
     * rule: every output is float32, and a data input holding a quantized tensor (int8, uint8, int32) is an
     * error naming the node (a {@code _contrib_dequantize} is missing); label inputs and other float types
     * (float16/64 parameters, converted when loaded) are accepted.
     */
    default void inferType(P params, TypeContext ctx) {
        for (int i = 0; i < ctx.numInputs(); i++) {
            org.quantize4j.ndarray.DType t = ctx.in(i);
            if (t == null) {
                ctx.assignIn(i, org.quantize4j.ndarray.DType.FLOAT32);
            } else if ((t == org.quantize4j.ndarray.DType.INT8 || t == org.quantize4j.ndarray.DType.UINT8
                    || t == org.quantize4j.ndarray.DType.INT32) && inputRole(params, i) != InputRole.LABEL) {
                ctx.assignIn(i, org.quantize4j.ndarray.DType.FLOAT32);   // fails with the input's name
            }
        }
        for (int j = 0; j < ctx.numOutputs(); j++) ctx.setOut(j, org.quantize4j.ndarray.DType.FLOAT32);
    }

    /** Creates the FP32 oneDNN primitive(s) for the node, once, at executor build time. */
    void build(P params, KernelContext ctx);

    /** What MXNet's quantize pass does with the node. */
    default Quantizability quantizability(P params) { return Quantizability.NONE; }

    /**
     * Whether the op can build an INT8 kernel (quantized inputs, scales in a {@code primitive_attr}). The
     * FP32 runtime has none; the INT8 issue overrides this together with its kernel builder.
     */
    default boolean hasInt8Kernel(P params) { return false; }

    /**
     * The op that replaces this one in a quantized graph (MXNet's FQuantizedOp), e.g.
     * {@code "_contrib_quantized_conv"} for Convolution; null when there is none.
     */
    default String quantizedOpName(P params) { return null; }

    /**
     * True if the quantized variant outputs int32 that needs a {@code _contrib_requantize} after it
     * (MXNet's FNeedRequantize: conv, FC, elemwise_add, elemwise_mul).
     */
    default boolean needsRequantize(P params) { return false; }
}
