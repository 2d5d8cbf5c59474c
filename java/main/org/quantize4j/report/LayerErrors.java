package org.quantize4j.report;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.quantize4j.data.DataBatch;
import org.quantize4j.data.DataIter;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.MkldnnAttrs;
import org.quantize4j.passes.QuantizeNames;
import org.quantize4j.passes.QuantizeOps;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures, for every quantized layer, how far its output in the INT8 graph is from the same tensor in the FP32
 * graph ({@link LayerError}), over some batches of data. Both graphs run as they are, with extra outputs: the FP32
 * graph exposes each compared node's output; the INT8 graph exposes each quantized node's output (taken after its
 * {@code _contrib_requantize}, if any) through an added {@code _contrib_dequantize}, so the runtime turns the
 * (int8/uint8/int32, min, max) triple into real values by its own rules ({@link org.quantize4j.ops.Int8}).
 * Only readers are added (no graph output of the deployed graph is moved), so the runtime's peephole choices,
 * and hence the numbers, stay those of the deployed model.
 *
 * <p>A quantized node {@code quantized_X} (unfused {@code _contrib_quantized_*}, or a quantized
 * {@code _sg_mkldnn_*}) is compared with node {@code X} of the FP32 graph: the original model for
 * {@code quantize_model}, the fused FP32 graph for {@code quantize_model_mkldnn}.
 *
 * <pre>{@code
 * List<LayerError> worstFirst = LayerErrors.measure(m.symbol(), m.allParams(), q.symbol(), q.toModel().allParams(),
 *         Map.of(), "data", iter, 320, ExecutorOptions.defaults(), null);
 * }</pre>
 */
public final class LayerErrors {
    private static final Logger LOG = LoggerFactory.getLogger(LayerErrors.class);
    /** Output bytes of compared tensors per pass over the data; more tensors take more passes. */
    static final long DEFAULT_BYTES_PER_PASS = 512L << 20;

    private LayerErrors() {
    }

    /**
     * One comparison: the FP32 graph's {@code reference} against the float32 entry {@code measured} of the graph
     * under test.
     *
     * @param layer         name of the FP32 node
     * @param op            its op
     * @param originalNodes the original model's nodes it stands for
     * @param quantizedNode the node of the graph under test whose output is measured
     * @param reference     entry of the FP32 graph
     * @param measured      float32 entry of the graph under test
     */
    public record Pair(String layer, String op, List<String> originalNodes, String quantizedNode, NodeEntry reference,
                       NodeEntry measured) {
    }

    /**
     * The comparisons of a quantized graph against its FP32 graph.
     *
     * @param measuredSymbol the quantized graph with the added dequantize readers (a new symbol sharing the
     *                       quantized graph's nodes, which are not modified)
     * @param pairs          one per quantized node that has a counterpart in the FP32 graph, in graph order
     */
    public record Plan(Symbol measuredSymbol, List<Pair> pairs) {
    }

    /**
     * Pairs every quantized node of {@code quantized} with its FP32 node in {@code fp32}.
     *
     * @param originalNodes for fused FP32 nodes, the original nodes inside each (by fused name); others stand for
     *                      themselves
     */
    public static Plan plan(Symbol fp32, Symbol quantized, Map<String, List<String>> originalNodes) {
        Map<Node, List<Node>> consumers = new IdentityHashMap<>();
        // Distinct readers (a node reading all three outputs of a triple is one reader).
        quantized.consumers().forEach((k, v) -> {
            List<Node> distinct = new ArrayList<>();
            for (Node r : v) if (!distinct.contains(r)) distinct.add(r);
            consumers.put(k, distinct);
        });
        Set<Node> graphOutputs = Collections.newSetFromMap(new IdentityHashMap<>());
        for (NodeEntry h : quantized.heads()) graphOutputs.add(h.node());
        // Quantized nodes measured together with the one node reading them (see mergedIntoReader).
        Map<Node, List<String>> mergedInto = new IdentityHashMap<>();
        for (Node n : quantized.nodes()) {
            Node reader = mergedIntoReader(n, consumers, graphOutputs);
            if (reader != null) mergedInto.computeIfAbsent(reader, k -> new ArrayList<>()).add(layerName(n));
        }
        List<Pair> pairs = new ArrayList<>();
        List<NodeEntry> heads = new ArrayList<>();
        for (Node n : quantized.nodes()) {
            if (!isQuantizedLayer(n) || !n.name().startsWith(QuantizeNames.QUANTIZED_PREFIX)) continue;
            if (mergedIntoReader(n, consumers, graphOutputs) != null) continue;
            String name = layerName(n);
            Node ref = fp32.find(name);
            if (ref == null || ref.isVariable()) continue;
            Node out = n;
            List<Node> readers = consumers.getOrDefault(n, List.of());
            if (readers.size() == 1 && readers.get(0).op().equals(QuantizeOps.REQUANTIZE)
                    && readers.get(0).input(0).node() == n) {
                out = readers.get(0);
            }
            NodeEntry measured;
            if (n == out && MkldnnAttrs.isQuantizedFused(n) && MkldnnAttrs.isFloatOutput(n)) {
                measured = new NodeEntry(n, 0);
            } else {
                Node dq = new Node(QuantizeOps.DEQUANTIZE, "__report_" + out.name() + "_dequantize",
                        Map.of("out_type", "float32"),
                        List.of(new NodeEntry(out, 0), new NodeEntry(out, 1), new NodeEntry(out, 2)), 1);
                measured = new NodeEntry(dq, 0);
            }
            heads.add(measured);
            List<String> originals = new ArrayList<>();
            for (String merged : mergedInto.getOrDefault(n, List.of())) originals.addAll(originalsOf(merged, originalNodes));
            originals.addAll(originalsOf(name, originalNodes));
            pairs.add(new Pair(name, ref.op(), originals, out.name(), new NodeEntry(ref, 0), measured));
        }
        return new Plan(heads.isEmpty() ? quantized : Symbol.fromOutputs(heads, quantized.graphAttrs()), pairs);
    }

    private static String layerName(Node quantizedNode) {
        return quantizedNode.name().substring(QuantizeNames.QUANTIZED_PREFIX.length());
    }

    private static List<String> originalsOf(String name, Map<String, List<String>> originalNodes) {
        List<String> o = originalNodes == null ? null : originalNodes.get(name);
        return o == null ? List.of(name) : o;
    }

    /**
     * The reader a quantized node is measured with instead of on its own, or null. A quantized BatchNorm read only
     * by quantized relus represents only {@code [0, max]} (the runtime spends its codes on what the relu keeps,
     * {@code QuantizedBatchNormOp}); its negative values are not meant to survive, and a reader added to measure them
     * would change that choice. It is measured with its relu (one row standing for both), as a fused graph would.
     */
    static Node mergedIntoReader(Node n, Map<Node, List<Node>> consumers, Set<Node> graphOutputs) {
        if (!n.op().equals("_contrib_quantized_batch_norm") || graphOutputs.contains(n)) return null;
        List<Node> readers = consumers.getOrDefault(n, List.of());
        if (readers.size() != 1 || !readers.get(0).op().equals("_contrib_quantized_act")) return null;
        return readers.get(0);
    }

    /** A node of the quantized vocabulary standing for a layer: {@code _contrib_quantized_*} or a quantized fused node. */
    static boolean isQuantizedLayer(Node n) {
        return n.op().startsWith("_contrib_quantized_") || MkldnnAttrs.isQuantizedFused(n);
    }

    /**
     * Measures every quantized layer of {@code quantized} against {@code fp32} on the first {@code numExamples}
     * examples of {@code data} (null: all), worst (largest relative L2 error) first.
     *
     * @param originalNodes see {@link #plan}
     * @param progress      told the examples done after each batch (null: nobody)
     * @throws IllegalArgumentException when the data is empty or does not fit the models
     */
    public static List<LayerError> measure(Symbol fp32, Map<String, NDArray> fp32Params, Symbol quantized,
                                           Map<String, NDArray> quantizedParams, Map<String, List<String>> originalNodes,
                                           String dataName, DataIter data, Integer numExamples, ExecutorOptions options,
                                           LongConsumer progress) {
        Plan plan = plan(fp32, quantized, originalNodes);
        List<Pair> pairs = plan.pairs();
        List<ErrorStats> stats = compare(fp32, fp32Params, plan.measuredSymbol(), quantizedParams, pairs, dataName, data,
                numExamples, options, progress, DEFAULT_BYTES_PER_PASS);
        // What each layer's inputs already carry: the largest error among the measured layers feeding it.
        Map<String, Integer> byNode = new HashMap<>();
        for (int i = 0; i < pairs.size(); i++) {
            byNode.put(QuantizeNames.QUANTIZED_PREFIX + pairs.get(i).layer(), i);
            byNode.put(pairs.get(i).quantizedNode(), i);
        }
        List<LayerError> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            Pair p = pairs.get(i);
            ErrorStats s = stats.get(i);
            Node q = quantized.find(QuantizeNames.QUANTIZED_PREFIX + p.layer());
            double in = 0;
            for (int k : feedingLayers(q, byNode)) in = Math.max(in, stats.get(k).relativeL2());
            out.add(new LayerError(p.layer(), p.op(), p.originalNodes(), p.quantizedNode(), s.relativeL2(), s.cosine(),
                    s.maxAbsError(), s.referenceRms(), in, s.count()));
        }
        out.sort(WORST_FIRST);
        return out;
    }

    /** Largest relative L2 error first (NaN last), then by name. */
    public static final Comparator<LayerError> WORST_FIRST = Comparator
            .comparingDouble((LayerError e) -> Double.isNaN(e.relativeL2()) ? Double.NEGATIVE_INFINITY : e.relativeL2())
            .reversed().thenComparing(LayerError::layer);

    /** Indices of the measured layers nearest upstream of {@code q}'s data inputs (through quantize/requantize/FP32 nodes). */
    private static List<Integer> feedingLayers(Node q, Map<String, Integer> byNode) {
        List<Integer> out = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> todo = new ArrayDeque<>();
        for (NodeEntry e : q.inputs()) todo.push(e.node());
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (!seen.add(n) || n.isVariable()) continue;
            Integer k = byNode.get(n.name());
            if (k != null) {
                out.add(k);
                continue;
            }
            for (NodeEntry e : n.inputs()) todo.push(e.node());
        }
        return out;
    }

    /**
     * The error statistics of each pair's {@code measured} entry (of {@code test}) against its {@code reference} entry
     * (of {@code fp32}) over the data; one or more passes over the data, each with two executors exposing a group of
     * entries whose outputs take at most {@code bytesPerPass}.
     */
    public static List<ErrorStats> compare(Symbol fp32, Map<String, NDArray> fp32Params, Symbol test,
                                           Map<String, NDArray> testParams, List<Pair> pairs, String dataName,
                                           DataIter data, Integer numExamples, ExecutorOptions options,
                                           LongConsumer progress, long bytesPerPass) {
        if (numExamples != null && numExamples <= 0) throw new IllegalArgumentException("numExamples must be positive, got " + numExamples);
        List<ErrorStats> stats = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) stats.add(new ErrorStats());
        if (pairs.isEmpty()) return stats;
        data.reset();
        if (!data.hasNext()) throw new IllegalArgumentException("no data to measure layer errors on (empty iterator)");
        DataBatch first = data.next();
        long[] shape = first.data().shape();
        ShapeInference.Result shapes = ShapeInference.infer(fp32, Map.of(dataName, shape));
        List<List<Integer>> groups = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < pairs.size(); i++) {
            long[] s = shapes.shape(pairs.get(i).reference());
            long b = s == null ? 0 : NDArray.size(s) * 4;
            if (groups.isEmpty() || (bytes + b > bytesPerPass && !groups.get(groups.size() - 1).isEmpty())) {
                groups.add(new ArrayList<>());
                bytes = 0;
            }
            groups.get(groups.size() - 1).add(i);
            bytes += b;
        }
        long limit = numExamples == null ? Long.MAX_VALUE : numExamples;
        long total = groups.size() * Math.min(limit, data.size() < 0 ? limit : data.size());
        long[] reported = {0};
        long t0 = System.nanoTime();
        long buildNanos = 0;
        long runNanos = 0;
        long compareNanos = 0;
        for (List<Integer> group : groups) {
            List<NodeEntry> refHeads = new ArrayList<>();
            List<NodeEntry> testHeads = new ArrayList<>();
            for (int i : group) {
                refHeads.add(pairs.get(i).reference());
                testHeads.add(pairs.get(i).measured());
            }
            Symbol refSym = Symbol.fromOutputs(refHeads, fp32.graphAttrs());
            Symbol testSym = Symbol.fromOutputs(testHeads, test.graphAttrs());
            long tb = System.nanoTime();
            try (Executor ref = build(refSym, fp32Params, dataName, shape, options, "FP32");
                 Executor exe = build(testSym, testParams, dataName, shape, options, "quantized")) {
                buildNanos += System.nanoTime() - tb;
                for (int j = 0; j < group.size(); j++) {
                    if (!Arrays.equals(ref.outputShape(j), exe.outputShape(j))) {
                        Pair p = pairs.get(group.get(j));
                        throw new IllegalArgumentException("layer '" + p.layer() + "': FP32 output has shape "
                                + Arrays.toString(ref.outputShape(j)) + " but quantized node '" + p.quantizedNode()
                                + "' gives " + Arrays.toString(exe.outputShape(j)));
                    }
                }
                data.reset();
                long done = 0;
                while (data.hasNext() && done < limit) {
                    DataBatch b = data.next();
                    if (!Arrays.equals(shape, b.data().shape())) {
                        throw new IllegalArgumentException("batch of shape " + Arrays.toString(b.data().shape())
                                + " after batches of " + Arrays.toString(shape));
                    }
                    int n = (int) Math.min(b.count(), limit - done);
                    if (n == 0) continue;
                    NDArray in = b.data().dtype() == DType.FLOAT32 ? b.data() : b.data().toFloat32();
                    long tr = System.nanoTime();
                    ref.setInput(dataName, in.floatView());
                    ref.forward();
                    exe.setInput(dataName, in.floatView());
                    exe.forward();
                    long tc = System.nanoTime();
                    runNanos += tc - tr;
                    for (int j = 0; j < group.size(); j++) {
                        NDArray r = ref.output(j);
                        NDArray t = exe.output(j);
                        int valid = validValues(r, n, b.batchSize());
                        stats.get(group.get(j)).add(t.floatView().limit(valid), r.floatView().limit(valid));
                    }
                    compareNanos += System.nanoTime() - tc;
                    done += n;
                    reported[0] += n;
                    if (progress != null) progress.accept(Math.min(reported[0], total));
                }
            }
        }
        LOG.info("layer errors: {} tensors in {} pass(es) over the data, {} s (executors built in {} s, forward {} s, "
                + "comparison {} s)", pairs.size(), groups.size(), secs(System.nanoTime() - t0), secs(buildNanos),
                secs(runNanos), secs(compareNanos));
        return stats;
    }

    private static String secs(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e9);
    }

    /** Values of the first {@code n} rows when the first dimension is the batch, else all. */
    private static int validValues(NDArray a, int n, int batchSize) {
        long size = a.size();
        if (a.ndim() == 0 || a.dim(0) != batchSize) return Math.toIntExact(size);
        return Math.toIntExact(size / batchSize * n);
    }

    private static Executor build(Symbol s, Map<String, NDArray> params, String dataName, long[] shape,
                                  ExecutorOptions options, String what) {
        try {
            return Executor.create(s, params, Map.of(dataName, shape), options == null ? ExecutorOptions.defaults() : options);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot run the " + what + " graph to measure layer errors: " + e.getMessage(), e);
        }
    }

    /** The original node names of each fused node: the inverse of {@code FusionResult.fusedNameOf()}. */
    public static Map<String, List<String>> originalsByFusedName(Map<String, String> fusedNameOf) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        fusedNameOf.forEach((orig, fused) -> out.computeIfAbsent(fused, k -> new ArrayList<>()).add(orig));
        return out;
    }
}
