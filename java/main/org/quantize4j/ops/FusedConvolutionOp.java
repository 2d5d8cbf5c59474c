package org.quantize4j.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.quantize4j.graph.Attrs;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;

/**
 * MXNet's oneDNN fused convolution {@code _sg_mkldnn_conv}: a Convolution, optionally followed by a
 * BatchNorm (folded into the weights and bias), an elemwise_add of another tensor (sum) and an
 * activation before and/or after the sum. The node's {@code "subgraphs"} field holds the original ops;
 * its inputs are the subgraph's variables in order, typically
 * {@code data, weight, [bias], [gamma, beta, moving_mean, moving_var], [sum operand]}.
 *
 * <p>As MXNet does, the BatchNorm parameters stay inputs of the node and are folded when the kernel is
 * built ({@code w' = w * s}, {@code b' = (b - mean) * s + beta}, {@code s = gamma / sqrt(var + eps)}, in
 * double precision), so the fused symbol runs with the original parameters. The sum is a oneDNN
 * {@code binary_add} post-op reading the other operand directly (no copy into the output and no
 * dependence on buffer sharing); activations are eltwise post-ops ({@link EltwisePostOp}).
 *
 * <p>INT8 nodes ({@code quantized=true}, MXNet's vocabulary, see {@code passes.MkldnnAttrs}) take quantized data
 * (and sum operand) with their ranges after the variables and run as one oneDNN int8 convolution
 * ({@link FusedConvolutionInt8}).
 *
 * <pre>{@code
 * Symbol fused = FusionPass.fuse(symbol);               // Convolution+BatchNorm+relu -> _sg_mkldnn_conv
 * Executor ex = Executor.create(fused, params, shapes, ExecutorOptions.defaults());
 * }</pre>
 */
public final class FusedConvolutionOp implements Op<FusedConvolutionOp.Params> {
    /** The MXNet op name. */
    public static final String NAME = "_sg_mkldnn_conv";

    /** Names MXNet uses for the sum node inside the subgraph. */
    public static final Set<String> ADD_OPS = Set.of("elemwise_add", "_add", "_plus", "_Plus", "_npi_add");

    /** Folded BatchNorm: its attributes and which node inputs hold gamma, beta, moving mean and variance. */
    public record BatchNorm(float eps, boolean fixGamma, int gamma, int beta, int mean, int var) {}

    /**
     * Parsed node.
     *
     * @param conv        the inner Convolution's params
     * @param data        input index of the convolution's data
     * @param weight      input index of the weight
     * @param bias        input index of the bias, or -1
     * @param bn          folded BatchNorm, or null
     * @param act         activation before the sum (or the only one), or null
     * @param sum         input index of the sum operand, or -1
     * @param postSumAct  activation after the sum, or null
     * @param quantized   MXNet's {@code quantized} flag (INT8 node)
     * @param inputNames  one name per node input
     * @param inputRoles  one role per node input
     */
    public record Params(ConvolutionOp.Params conv, int data, int weight, int bias, BatchNorm bn, EltwisePostOp act, int sum,
                         EltwisePostOp postSumAct, boolean quantized, Float minCalibRange, Float maxCalibRange,
                         String outType, boolean floatOutput, boolean channelWise,
                         List<String> inputNames, List<InputRole> inputRoles) {
        public boolean withSum() { return sum >= 0; }

        /** Input index of the data's min (the max follows; then the sum operand's min and max). */
        public int dataMinInput() { return inputNames.size() - (sum >= 0 ? 4 : 2); }

        /** True when the node's output range is calibrated (the requantize is absorbed). */
        public boolean calibrated() { return minCalibRange != null && maxCalibRange != null; }

        /**
         * Element type of an INT8 node's output: float32 with {@code enable_float_output}; when calibrated, our
         * {@code out_type} or else MXNet's rule (uint8 iff the last post-op cannot be negative); otherwise int32.
         */
        public DType int8OutputType() {
            return Int8.fusedOutputType(floatOutput, minCalibRange, maxCalibRange, outType, sum >= 0 ? postSumAct : act);
        }
    }

    private static final Set<String> ATTRS = Set.of("with_bn", "with_act", "with_sum", "with_postsum_act", "quantized",
            "dedup_sum", "min_calib_range", "max_calib_range", "enable_float_output", "out_type", "channel_wise_quantize");

    @Override public String name() { return NAME; }

    @Override public Set<String> attributeNames() { return ATTRS; }

    @Override
    public Params parse(AttrReader a) {
        Node node = a.node();
        Symbol sub = QuantKernels.fusedSubgraph(a, "convolution");
        List<Node> vars = new ArrayList<>();
        Map<Node, Integer> varIndex = new IdentityHashMap<>();
        for (Node n : sub.nodes()) {
            if (n.isVariable()) {
                varIndex.put(n, vars.size());
                vars.add(n);
            }
        }
        // Walk back from the subgraph output to the convolution: act? <- add? <- act? <- bn? <- conv.
        List<Node> chain = new ArrayList<>();
        Node cur = sub.heads().get(0).node();
        while (true) {
            if (cur.isVariable()) throw a.error("subgraphs", "the subgraph has no Convolution");
            chain.add(cur);
            if (cur.op().equals("Convolution")) break;
            if (cur.inputs().isEmpty()) throw a.error("subgraphs", "unexpected op " + cur.op() + " in the subgraph");
            Node next = cur.input(0).node();
            if (ADD_OPS.contains(cur.op())) {
                if (cur.inputs().size() != 2) throw a.error("subgraphs", "the sum node must have 2 inputs");
                Node other = cur.input(1).node();
                if (next.isVariable() && !other.isVariable()) next = other;
            }
            cur = next;
        }
        Collections.reverse(chain);

        Node convNode = chain.get(0);
        ConvolutionOp.Params conv = new ConvolutionOp().parse(new AttrReader(convNode, "Convolution"));
        int k = 1;
        BatchNorm bn = null;
        EltwisePostOp act = null;
        EltwisePostOp postSumAct = null;
        int sum = -1;
        List<String> names = new ArrayList<>(Collections.nCopies(vars.size(), (String) null));
        List<InputRole> roles = new ArrayList<>(Collections.nCopies(vars.size(), (InputRole) null));
        int data = varInput(a, convNode, 0, varIndex, names, roles, "data", InputRole.DATA);
        int weight = varInput(a, convNode, 1, varIndex, names, roles, "weight", InputRole.WEIGHT);
        int bias = conv.noBias() ? -1 : varInput(a, convNode, 2, varIndex, names, roles, "bias", InputRole.BIAS);
        if (k < chain.size() && chain.get(k).op().equals("BatchNorm")) {
            Node b = chain.get(k++);
            BatchNormOp.Params bp = new BatchNormOp().parse(new AttrReader(b, "BatchNorm"));
            if (bp.axis() != 1) throw a.error("subgraphs", "BatchNorm '" + b.name() + "' over axis " + bp.axis() + " cannot be folded");
            bn = new BatchNorm(bp.eps(), bp.fixGamma(),
                    varInput(a, b, 1, varIndex, names, roles, "gamma", InputRole.GAMMA),
                    varInput(a, b, 2, varIndex, names, roles, "beta", InputRole.BETA),
                    varInput(a, b, 3, varIndex, names, roles, "moving_mean", InputRole.MOVING_MEAN),
                    varInput(a, b, 4, varIndex, names, roles, "moving_var", InputRole.MOVING_VAR));
        }
        if (k < chain.size() && !ADD_OPS.contains(chain.get(k).op())) {
            act = activation(a, chain.get(k++));
        }
        if (k < chain.size() && ADD_OPS.contains(chain.get(k).op())) {
            Node add = chain.get(k);
            Node prev = chain.get(k - 1);
            k++;
            int otherSlot = add.input(0).node() == prev ? 1 : 0;
            if (Attrs.bool(node.attr("dedup_sum"), false)) {
                sum = data;   // MXNet 2.0: the sum operand is the convolution's own input
            } else {
                sum = varInput(a, add, otherSlot, varIndex, names, roles, "sum", InputRole.DATA);
            }
            if (k < chain.size()) postSumAct = activation(a, chain.get(k++));
        }
        if (k != chain.size()) throw a.error("subgraphs", "unexpected op " + chain.get(k).op() + " ('" + chain.get(k).name() + "') in the subgraph");
        checkFlag(a, "with_bn", bn != null);
        checkFlag(a, "with_act", act != null);
        checkFlag(a, "with_sum", sum >= 0);
        checkFlag(a, "with_postsum_act", postSumAct != null);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i) == null) {
                throw a.error("subgraphs", "subgraph variable '" + vars.get(i).name() + "' is not an input of the convolution chain");
            }
        }
        boolean quantized = a.bool("quantized", false);
        if (quantized) {
            // INT8 nodes take the min/max of their quantized data (and sum) operands after the variables.
            names.add("data_min");
            names.add("data_max");
            roles.add(InputRole.DATA);
            roles.add(InputRole.DATA);
            if (sum >= 0) {
                names.add("sum_min");
                names.add("sum_max");
                roles.add(InputRole.DATA);
                roles.add(InputRole.DATA);
            }
        }
        Float min = QuantKernels.optionalFloat(a, "min_calib_range");
        Float max = QuantKernels.optionalFloat(a, "max_calib_range");
        QuantKernels.checkCalib(a, min, max);
        boolean floatOutput = a.bool("enable_float_output", false);
        String outType = a.has("out_type") ? a.choice("out_type", "int8", "int8", "uint8", "auto") : null;
        boolean channelWise = a.bool("channel_wise_quantize", true);
        return new Params(conv, data, weight, bias, bn, act, sum, postSumAct, quantized, min, max, outType, floatOutput,
                channelWise, List.copyOf(names), List.copyOf(roles));
    }

    private static int varInput(AttrReader a, Node op, int slot, Map<Node, Integer> varIndex, List<String> names,
                                List<InputRole> roles, String name, InputRole role) {
        if (slot >= op.inputs().size()) throw a.error("subgraphs", "'" + op.name() + "' (" + op.op() + ") lacks input " + slot);
        NodeEntry e = op.input(slot);
        Integer i = varIndex.get(e.node());
        if (i == null) {
            throw a.error("subgraphs", "input " + slot + " of '" + op.name() + "' (" + op.op() + ") must be a subgraph variable");
        }
        if (names.get(i) != null && roles.get(i) != role) {
            throw a.error("subgraphs", "subgraph variable '" + e.node().name() + "' is used both as " + names.get(i) + " and " + name);
        }
        names.set(i, name);
        roles.set(i, role);
        return i;
    }

    private static EltwisePostOp activation(AttrReader a, Node n) {
        EltwisePostOp p = EltwisePostOp.of(n);
        if (p == null) throw a.error("subgraphs", "'" + n.name() + "' (" + n.op() + ") is not an activation oneDNN can fuse");
        return p;
    }

    private static void checkFlag(AttrReader a, String key, boolean present) {
        if (a.has(key) && a.bool(key, false) != present) {
            throw a.error(key, "says " + a.raw(key) + " but the subgraph " + (present ? "has" : "has no") + " such op");
        }
    }

    @Override public List<String> inputNames(Params p) { return p.inputNames; }

    @Override public InputRole inputRole(Params p, int i) { return p.inputRoles.get(i); }

    @Override public int numOutputs(Params p) { return p.quantized && !p.floatOutput ? 3 : 1; }

    @Override public int numVisibleOutputs(Params p) { return numOutputs(p); }

    @Override
    public void inferShape(Params p, ShapeContext ctx) {
        ConvolutionOp.Params c = p.conv;
        long[] x = ctx.requireIn(p.data);
        if (x.length != 4) throw ctx.error("data must be 4-D (N, C, H, W) for a 2-D convolution, got " + ShapeContext.fmt(x));
        if (x[1] % c.numGroup() != 0) throw ctx.error("input channels " + x[1] + " are not a multiple of num_group " + c.numGroup());
        long f = c.numFilter();
        ctx.assignIn(p.weight, new long[] {f, x[1] / c.numGroup(), c.kernel()[0], c.kernel()[1]});
        if (p.bias >= 0) ctx.assignIn(p.bias, new long[] {f});
        if (p.bn != null) {
            for (int i : new int[] {p.bn.gamma, p.bn.beta, p.bn.mean, p.bn.var}) ctx.assignIn(i, new long[] {f});
        }
        long[] y = {x[0], f, c.outSize(0, x[2]), c.outSize(1, x[3])};
        if (p.sum >= 0 && p.sum != p.data) {
            long[] s = ctx.requireIn(p.sum);
            if (!java.util.Arrays.equals(s, y)) {
                throw ctx.error("the sum operand has shape " + ShapeContext.fmt(s) + " but the convolution gives " + ShapeContext.fmt(y));
            }
        }
        for (int i = p.inputRoles.size() - (p.quantized ? (p.sum >= 0 ? 4 : 2) : 0); i < p.inputRoles.size(); i++) {
            ctx.assignIn(i, new long[] {1});
        }
        ctx.setOut(0, y);
        if (numOutputs(p) == 3) {
            ctx.setOut(1, new long[] {1});
            ctx.setOut(2, new long[] {1});
        }
    }

    @Override
    public void inferType(Params p, TypeContext ctx) {
        if (!p.quantized) {
            Op.super.inferType(p, ctx);
            return;
        }
        ctx.requireOneOf(p.data, DType.UINT8, DType.INT8);
        if (p.sum >= 0 && p.sum != p.data) ctx.requireOneOf(p.sum, DType.UINT8, DType.INT8, DType.INT32, DType.FLOAT32);
        for (int i = 0; i < ctx.numInputs(); i++) {
            if (i != p.data && i != p.sum) ctx.assignIn(i, DType.FLOAT32);
        }
        ctx.setOut(0, p.int8OutputType());
        for (int j = 1; j < ctx.numOutputs(); j++) ctx.setOut(j, DType.FLOAT32);
    }

    @Override
    public void build(Params p, KernelContext ctx) {
        if (p.quantized) {
            FusedConvolutionInt8.build(p, ctx);
            return;
        }
        ConvolutionOp.Params c = p.conv;
        long[] x = ctx.inputShape(p.data);
        long[] y = ctx.outputShape(0);
        memory.desc srcMd = Layouts.activation(x);
        memory.desc dstMd = Layouts.activation(y);
        long[] wDims = ConvolutionOp.weightDims(c, x[1]);
        boolean hasBias = p.bias >= 0 || p.bn != null;
        memory.desc bMd = hasBias ? Layouts.plain(new long[] {c.numFilter()}) : new memory.desc();

        primitive_attr attr = ctx.newAttr();
        post_ops po = new post_ops();
        int next = 0;
        if (p.act != null) {
            p.act.appendTo(po);
            next++;
        }
        int sumPostOp = -1;
        if (p.sum >= 0) {
            po.append_binary(algorithm.binary_add, dstMd);
            sumPostOp = next++;
        }
        if (p.postSumAct != null) p.postSumAct.appendTo(po);
        attr.set_post_ops(po);

        convolution_forward.primitive_desc pd = ctx.own(new convolution_forward.primitive_desc(ctx.engine(),
                prop_kind.forward_inference, algorithm.convolution_direct, srcMd, Layouts.any(wDims), bMd, dstMd,
                new long[] {c.stride()[0], c.stride()[1]}, new long[] {c.dilate()[0] - 1, c.dilate()[1] - 1},
                new long[] {c.pad()[0], c.pad()[1]}, new long[] {c.pad()[0], c.pad()[1]}, attr, false));

        IntMemoryMap args = ctx.newArgs();
        args.put(DNNL_ARG_SRC, ctx.input(p.data, srcMd));
        if (p.bn != null) {
            float[][] folded = foldBatchNorm(p, ctx, wDims);
            args.put(DNNL_ARG_WEIGHTS, constantIn(ctx, Layouts.plain(wDims), pd.weights_desc(), folded[0]));
            args.put(DNNL_ARG_BIAS, constantIn(ctx, bMd, pd.bias_desc(), folded[1]));
        } else {
            args.put(DNNL_ARG_WEIGHTS, ctx.input(p.weight, Layouts.plain(wDims), pd.weights_desc()));
            if (p.bias >= 0) args.put(DNNL_ARG_BIAS, ctx.input(p.bias, pd.bias_desc()));
        }
        if (sumPostOp >= 0) {
            args.put(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE * (sumPostOp + 1) | DNNL_ARG_SRC_1, ctx.input(p.sum, dstMd));
        }
        args.put(DNNL_ARG_DST, ctx.output(0, pd.dst_desc()));
        ctx.addPrimitive(new convolution_forward(pd), pd, args);
    }

    /**
     * Folds the BatchNorm into the convolution: returns {weights (plain O-major), bias}. Needs the weight,
     * bias and BatchNorm inputs to be parameters.
     */
    static float[][] foldBatchNorm(Params p, KernelContext ctx, long[] wDims) {
        BatchNorm bn = p.bn;
        int[] needed = p.bias >= 0 ? new int[] {p.weight, p.bias, bn.gamma, bn.beta, bn.mean, bn.var}
                : new int[] {p.weight, bn.gamma, bn.beta, bn.mean, bn.var};
        QuantKernels.requireParameters(ctx, p.inputNames, "folding BatchNorm needs it to be a parameter", needed);
        int f = p.conv.numFilter();
        float[] w = ctx.parameterValue(p.weight).toFloatArray();
        float[] b = p.bias >= 0 ? ctx.parameterValue(p.bias).toFloatArray() : new float[f];
        float[] gamma = bn.fixGamma ? null : ctx.parameterValue(bn.gamma).toFloatArray();
        float[] beta = ctx.parameterValue(bn.beta).toFloatArray();
        float[] mean = ctx.parameterValue(bn.mean).toFloatArray();
        float[] var = ctx.parameterValue(bn.var).toFloatArray();
        long total = Layouts.product(wDims, 0, wDims.length);
        if (w.length != total) throw ctx.unsupported("weight has " + w.length + " values, expected " + total);
        int per = (int) (total / f);
        float[] w2 = new float[w.length];
        float[] b2 = new float[f];
        for (int o = 0; o < f; o++) {
            double s = (gamma == null ? 1.0 : gamma[o]) / Math.sqrt((double) var[o] + bn.eps);
            for (int j = o * per, end = j + per; j < end; j++) w2[j] = (float) (w[j] * s);
            b2[o] = (float) ((b[o] - (double) mean[o]) * s + beta[o]);
        }
        return new float[][] {w2, b2};
    }

    /**
     * A constant in layout {@code wanted} holding {@code values} given in layout {@code plain} (reordered
     * now, once, at build time).
     */
    static memory constantIn(KernelContext ctx, memory.desc plain, memory.desc wanted, float[] values) {
        if (Layouts.sameBytes(plain, wanted)) return ctx.constant(wanted, values);
        ByteBuffer buf = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.nativeOrder());
        buf.asFloatBuffer().put(values);
        return constantIn(ctx, plain, wanted, buf);
    }

    /**
     * A constant in layout {@code wanted} holding the bytes {@code values} given in layout {@code plain} (any data
     * type, e.g. int8 weights), reordered now, once.
     */
    static memory constantIn(KernelContext ctx, memory.desc plain, memory.desc wanted, ByteBuffer values) {
        memory dst = ctx.constantBuffer(wanted);
        try (PointerScope scope = new PointerScope()) {
            memory src = new memory(plain, ctx.engine(), new Pointer(values));
            stream s = new stream(ctx.engine());
            reorder r = new reorder(new reorder.primitive_desc(ctx.engine(), plain, ctx.engine(), wanted));
            IntMemoryMap args = new IntMemoryMap();
            args.put(DNNL_ARG_FROM, src);
            args.put(DNNL_ARG_TO, dst);
            r.execute(s, args);
            s._wait();
        }
        return dst;
    }

    @Override public Quantizability quantizability(Params p) { return Quantizability.MUST; }

    /** MXNet quantizes a fused convolution in place: the same op with {@code quantized=true}. */
    @Override public String quantizedOpName(Params p) { return NAME; }

    @Override public boolean needsRequantize(Params p) { return true; }
}
