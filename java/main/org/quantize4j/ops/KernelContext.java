package org.quantize4j.ops;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc_base;
import org.bytedeco.javacpp.Pointer;
import org.quantize4j.graph.Node;

/**
 * What an op's kernel builder gets from the executor while the executor is being built. Memory
 * objects handed out have no buffer yet: the executor plans and assigns buffers after every node is
 * built (so builders never see addresses), except for parameters, which are reordered into their
 * final layout right away.
 *
 * <p>Layout conventions: 4-D activations are NHWC ({@link Layouts#activation}), everything else plain
 * row-major. {@link #input(int)} returns an input in whatever layout its producer chose;
 * {@link #input(int, memory.desc)} returns it in the requested layout, inserting (and sharing) a reorder
 * only when the bytes differ.
 *
 * <pre>{@code
 * memory src = ctx.input(0, Layouts.activation(ctx.inputShape(0)));
 * memory dst = ctx.output(0, Layouts.activation(ctx.outputShape(0)));
 * primitive_attr attr = ctx.newAttr();
 * eltwise_forward.primitive_desc pd = new eltwise_forward.primitive_desc(ctx.engine(), ...);
 * IntMemoryMap args = ctx.newArgs();
 * args.put(DNNL_ARG_SRC, src); args.put(DNNL_ARG_DST, dst);
 * ctx.addPrimitive(new eltwise_forward(pd), pd, args);
 * }</pre>
 */
public interface KernelContext {
    engine engine();

    /** The node being built. */
    Node node();

    int numInputs();

    long[] inputShape(int i);

    long[] outputShape(int j);

    /** The layout input {@code i} has now. */
    memory.desc inputDesc(int i);

    /** Input {@code i} in the layout its producer chose. */
    memory input(int i);

    /**
     * Input {@code i} in layout {@code wanted} (same logical dims). Reorders are shared between consumers;
     * for parameters the reorder runs once, now.
     */
    memory input(int i, memory.desc wanted);

    /**
     * Input {@code i}, first seen through {@code view} (a desc of other dims over the same plain bytes,
     * e.g. grouped conv weights (O, I/g, kh, kw) as (g, O/g, I/g, kh, kw)), then in layout {@code wanted}.
     * The input must currently be plain row-major.
     */
    memory input(int i, memory.desc view, memory.desc wanted);

    /** True if input {@code i} is a parameter (constant at inference). */
    boolean isParameter(int i);

    /**
     * The value of parameter input {@code i} (float32, plain row-major), for builders that fold constants
     * (BatchNorm scale/shift, later conv+BN fusion). Only valid for {@link #isParameter} inputs.
     */
    org.quantize4j.ndarray.NDArray parameterValue(int i);

    /** Output {@code j} in layout {@code desc}, in a buffer of its own. */
    memory output(int j, memory.desc desc);

    /**
     * Output {@code j} in layout {@code desc}, which may share input {@code input}'s buffer when that input
     * is not needed afterwards (the primitive must support in-place src/dst; desc must equal the input's).
     */
    memory outputInPlace(int j, memory.desc desc, int input);

    /**
     * Output {@code j} in layout {@code desc}, holding input {@code input}'s bytes (in layout {@code inputDesc}, of
     * the same size) when this node's next step starts: for oneDNN's sum post-op, which adds into the destination.
     * The output shares the input's buffer when nothing reads the input afterwards; otherwise a copy step runs
     * first. Bytes are copied as they are (an s8 input under a u8 output stays s8 bits; the sum post-op's data
     * type reinterprets them).
     */
    memory outputStartingAs(int j, memory.desc desc, int input, memory.desc inputDesc);

    /**
     * Output {@code j} as a view of {@code source}'s bytes (an input memory from this context) with desc
     * {@code view} (no copy; for identity and reshape-like ops). No step is added.
     */
    memory outputAlias(int j, memory source, memory.desc view);

    /** Another view (desc over the same bytes) of a memory obtained from this context. */
    memory view(memory m, memory.desc desc);

    /** A scratch buffer live only while this node's steps run. */
    memory temp(memory.desc desc);

    /** A constant filled now from {@code values} (plain row-major float32 for {@code desc}). */
    memory constant(memory.desc desc, float[] values);

    /**
     * A zero-filled constant of {@code desc}'s size (any data type or layout), for builders that fill it now, e.g.
     * with a build-time reorder of weights they computed.
     */
    memory constantBuffer(memory.desc desc);

    /** A primitive_attr with the executor's settings (user-managed scratchpad); add post-ops/scales to it. */
    primitive_attr newAttr();

    /** A new argument map, owned by the executor. */
    IntMemoryMap newArgs();

    /**
     * Appends a step that runs {@code prim} with {@code args} each forward(); the executor adds the
     * scratchpad argument from {@code pd}.
     */
    void addPrimitive(primitive prim, primitive_desc_base pd, IntMemoryMap args);

    /**
     * Logical element type of input {@code i} from shape/type inference: FLOAT32, INT8, UINT8 or INT32.
     * Physically an INT32 tensor is held as float32 real values (see {@link Int8#physicalType}).
     */
    org.quantize4j.ndarray.DType inputType(int i);

    /** Logical element type of output {@code j}. */
    org.quantize4j.ndarray.DType outputType(int j);

    /**
     * The values of input {@code i} if they are known now (a parameter, or an output another node declared
     * with {@link #outputConstant}), as floats; null when they are only known at run time.
     */
    float[] constantValue(int i);

    /**
     * Declares output {@code j} (float32) a build-time constant, e.g. the min/max of a calibrated quantize node.
     * No step runs for it; consumers see it through {@link #constantValue} and as a constant memory.
     */
    void outputConstant(int j, float[] values);

    /** Output {@code j} is input {@code i} itself (no copy), e.g. a range passed through a pooling node. */
    void outputSameAs(int j, int i);

    /**
     * Appends a Java step (after the primitives added so far) that sees the bytes of {@code memories}
     * (memories from this context) each forward(). Reading and writing them counts as use at this node.
     */
    void addHostStep(HostStep step, memory... memories);

    /**
     * The nodes that read output {@code output} of node {@code n} (each listed once, graph order), for
     * peephole decisions such as a quantized conv writing its requantized result directly.
     */
    java.util.List<Node> consumersOf(Node n, int output);

    /** True if output {@code output} of node {@code n} is a graph output. */
    boolean isGraphOutput(Node n, int output);

    /** Keeps a native object alive until the executor closes, and returns it. */
    <T extends Pointer> T own(T p);

    /** An error about this node, e.g. an unsupported combination found while building. */
    default UnsupportedOperatorException unsupported(String detail) {
        return new UnsupportedOperatorException(node().name(), node().op(), detail);
    }
}
