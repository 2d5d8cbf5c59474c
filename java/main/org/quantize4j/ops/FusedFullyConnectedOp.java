package org.quantize4j.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;

/**
 * MXNet's oneDNN fused inner product {@code _sg_mkldnn_fully_connected}: a FullyConnected, optionally
 * followed by an activation (relu, sigmoid, tanh, softrelu, leaky/elu/gelu, clip, square, sqrt, exp,
 * abs) run as a oneDNN eltwise post-op. The subgraph (field {@code "subgraphs"}) holds the original
 * ops; the node's inputs are {@code data, weight, [bias]}. INT8 nodes ({@code quantized=True}) add the data's
 * (min, max), and without {@code channel_wise_quantize} take MXNet's int8 weight and bias with their ranges
 * ({@link FusedFullyConnectedInt8}).
 *
 * <pre>{@code
 * // sg_mkldnn_fully_connected_eltwise_0 = FullyConnected(x, w, b, num_hidden=128) -> Activation(relu)
 * Symbol fused = FusionPass.fuse(symbol);
 * }</pre>
 */
public final class FusedFullyConnectedOp implements Op<FusedFullyConnectedOp.Params> {
    /** The MXNet op name. */
    public static final String NAME = "_sg_mkldnn_fully_connected";

    /**
     * @param fc                the inner FullyConnected's params
     * @param act               the fused activation, or null
     * @param quantized         MXNet's {@code quantized} flag
     * @param enableFloatOutput INT8 node with float output (one output instead of three)
     */
    public record Params(FullyConnectedOp.Params fc, EltwisePostOp act, boolean quantized, boolean enableFloatOutput,
                         Float minCalibRange, Float maxCalibRange, String outType, boolean channelWise,
                         List<String> inputNames) {
        /** Number of inputs before the (min, max) pairs: data, weight, [bias]. */
        public int numTensors() { return fc.noBias() ? 2 : 3; }

        /** Element type of an INT8 node's output (see {@link Int8#fusedOutputType}). */
        public DType int8OutputType() {
            return Int8.fusedOutputType(enableFloatOutput, minCalibRange, maxCalibRange, outType, act);
        }
    }

    private static final Set<String> ATTRS = Set.of("quantized", "enable_float_output", "with_eltwise", "with_sum",
            "min_calib_range", "max_calib_range", "channel_wise_quantize", "for_quantization", "out_type");

    @Override public String name() { return NAME; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        Symbol sub = QuantKernels.fusedSubgraph(a, "FullyConnected");
        Node head = sub.heads().get(0).node();
        Node fcNode = head;
        EltwisePostOp act = null;
        if (!head.op().equals("FullyConnected")) {
            act = EltwisePostOp.of(head);
            if (act == null) throw a.error("subgraphs", "'" + head.name() + "' (" + head.op() + ") is not an activation oneDNN can fuse");
            if (head.inputs().isEmpty()) throw a.error("subgraphs", "activation '" + head.name() + "' has no input");
            fcNode = head.input(0).node();
        }
        if (!fcNode.op().equals("FullyConnected")) throw a.error("subgraphs", "the subgraph has no FullyConnected");
        FullyConnectedOp.Params fc = new FullyConnectedOp().parse(new AttrReader(fcNode, "FullyConnected"));
        List<Node> vars = new ArrayList<>();
        for (Node n : sub.nodes()) if (n.isVariable()) vars.add(n);
        int expected = fc.noBias() ? 2 : 3;
        if (fcNode.inputs().size() != expected || vars.size() != expected) {
            throw a.error("subgraphs", "FullyConnected '" + fcNode.name() + "' must take " + expected + " subgraph variables, found "
                    + vars.size());
        }
        for (int i = 0; i < expected; i++) {
            if (fcNode.input(i).node() != vars.get(i)) {
                throw a.error("subgraphs", "input " + i + " of '" + fcNode.name() + "' must be subgraph variable " + i);
            }
        }
        boolean withEltwise = a.bool("with_eltwise", false);
        if (a.has("with_eltwise") && withEltwise != (act != null)) {
            throw a.error("with_eltwise", "says " + a.raw("with_eltwise") + " but the subgraph " + (act != null ? "has" : "has no")
                    + " activation");
        }
        boolean quantized = a.bool("quantized", false);
        boolean floatOut = a.bool("enable_float_output", false);
        boolean channelWise = a.bool("channel_wise_quantize", false);
        a.bool("for_quantization", false);
        if (a.bool("with_sum", false)) throw a.unsupported("with_sum", "a fused FullyConnected with sum is not supported");
        List<String> names = new ArrayList<>(fc.noBias() ? List.of("data", "weight") : List.of("data", "weight", "bias"));
        if (quantized) {
            // Channel-wise: FP32 weight and bias, quantized when built; else MXNet's int8 weight/bias with ranges.
            names.addAll(List.of("data_min", "data_max"));
            if (!channelWise) {
                names.addAll(List.of("weight_min", "weight_max"));
                if (!fc.noBias()) names.addAll(List.of("bias_min", "bias_max"));
            }
        }
        Float min = QuantKernels.optionalFloat(a, "min_calib_range");
        Float max = QuantKernels.optionalFloat(a, "max_calib_range");
        QuantKernels.checkCalib(a, min, max);
        String outType = a.has("out_type") ? a.choice("out_type", "int8", "int8", "uint8", "auto") : null;
        return new Params(fc, act, quantized, floatOut, min, max, outType, channelWise, List.copyOf(names));
    }

    @Override public List<String> inputNames(Params p) { return p.inputNames; }

    @Override
    public InputRole inputRole(Params p, int i) {
        if (i >= p.numTensors()) return InputRole.RANGE;
        return i == 1 ? InputRole.WEIGHT : i == 2 ? InputRole.BIAS : InputRole.DATA;
    }

    @Override public int numOutputs(Params p) { return p.quantized && !p.enableFloatOutput ? 3 : 1; }

    @Override public int numVisibleOutputs(Params p) { return numOutputs(p); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        if (p.quantized) {
            QuantKernels.weightedTripleShapes(ctx, p.numTensors(), p.fc.numHidden(), c -> new FullyConnectedOp().inferShape(p.fc, c));
        } else {
            new FullyConnectedOp().inferShape(p.fc, ctx);
        }
    }

    @Override
    public void inferType(Params p, TypeContext ctx) {
        if (!p.quantized) {
            Op.super.inferType(p, ctx);
            return;
        }
        ctx.requireOneOf(0, DType.UINT8, DType.INT8);
        for (int i = 1; i < p.numTensors(); i++) ctx.assignIn(i, p.channelWise ? DType.FLOAT32 : DType.INT8);
        for (int i = p.numTensors(); i < ctx.numInputs(); i++) ctx.assignIn(i, DType.FLOAT32);
        ctx.setOut(0, p.int8OutputType());
        for (int j = 1; j < ctx.numOutputs(); j++) ctx.setOut(j, DType.FLOAT32);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        if (p.quantized) {
            FusedFullyConnectedInt8.build(p, ctx);
            return;
        }
        primitive_attr attr = ctx.newAttr();
        if (p.act != null) {
            post_ops po = new post_ops();
            p.act.appendTo(po);
            attr.set_post_ops(po);
        }
        new FullyConnectedOp().build(p.fc, ctx, attr);
    }

    @Override public Quantizability quantizability(Params p) { return Quantizability.MUST; }

    /** MXNet quantizes a fused FullyConnected in place: the same op with {@code quantized=True}. */
    @Override public String quantizedOpName(Params p) { return NAME; }

    @Override public boolean needsRequantize(Params p) { return true; }
}
