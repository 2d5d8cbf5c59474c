package org.quantize4j.passes;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.quantize4j.QuantizeMode;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ops.BoundOp;
import org.quantize4j.ops.InputRole;
import org.quantize4j.ops.OpRegistry;
import org.quantize4j.ops.Quantizability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MXNet's quantize graph pass ({@code quantize_graph_pass.cc}): decides which nodes become INT8 and rewrites
 * the FP32 symbol into MXNet 1.9's quantized vocabulary. Every decision is logged at debug level with its
 * reason. What each op can do (MUST / SUPPORT / NONE, its quantized op name, whether it needs a requantize,
 * which inputs are weights) comes from the {@link OpRegistry}; the pass knows no op by name.
 *
 * <p>Rewrite rules: a quantized node {@code quantized_<name>} takes its inputs in the original order, then a
 * (min, max) pair per quantized input in the same order ({@code [data, weight, bias, min_data, max_data,
 * min_weight, max_weight, min_bias, max_bias]} for conv/FC); BatchNorm's gamma/beta/moving statistics stay FP32
 * and get no pair. An FP32 input gets a {@code _contrib_quantize_v2} (one per FP32 entry, shared); a parameter
 * input (a variable in {@code offlineParams}) is replaced by the variables {@code <w>_quantize},
 * {@code <w>_quantize_min}, {@code <w>_quantize_max}, filled by {@link OfflineParams}. Nodes producing int32
 * get {@code requantize_<name>}. An FP32 consumer of a quantized node, and a graph output, read it through one
 * shared {@code <name>_dequantize}.
 *
 * <pre>{@code
 * QuantizePass.Result r = QuantizePass.run(sym, new QuantizePass.Options(
 *         Set.of("conv0_fwd"), Set.of(), QuantizeMode.SMART, QuantizedDtype.INT8, args.keySet(),
 *         OpRegistry.standard(), LoggerFactory.getLogger("quantize")));
 * Symbol qsym = r.symbol();
 * boolean q = r.decisions().get("conv1_fwd").quantized();
 * }</pre>
 */
public final class QuantizePass {
    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(QuantizePass.class);

    /**
     * What to quantize.
     *
     * @param excludedSymNames nodes kept FP32 by name
     * @param excludedOpNames  ops kept FP32
     * @param mode             FULL or SMART
     * @param dtype            quantized activation type (AUTO starts as int8 until calibrated)
     * @param offlineParams    parameter variables quantized offline when a quantized node uses them
     * @param registry         op knowledge
     * @param logger           decisions go here at debug level, warnings at warn
     * @param fusedNodes       quantize oneDNN subgraph nodes ({@code _sg_mkldnn_conv}, ...) as MXNet's
     *                         {@code quantize_model_mkldnn} does: the quantized variant is the same op named
     *                         {@code quantized_<name>} with {@code quantized=true} and the same subgraph; a fused
     *                         node is excluded when its own name, or the name or op of a node inside it, is
     *                         excluded. When false such nodes stay FP32 ({@code quantize_model} on a fused graph).
     * @param fp32WeightOps    quantized ops that take their weight and bias as FP32 parameters (and quantize them
     *                         when their kernel is built) instead of offline {@code <w>_quantize} + min/max inputs:
     *                         MXNet's {@code _sg_mkldnn_conv}; only their data inputs get a (min, max) pair
     */
    public record Options(Set<String> excludedSymNames, Set<String> excludedOpNames, QuantizeMode mode,
                          QuantizedDtype dtype, Set<String> offlineParams, OpRegistry registry, Logger logger,
                          boolean fusedNodes, Set<String> fp32WeightOps) {
        public Options {
            excludedSymNames = Set.copyOf(excludedSymNames);
            excludedOpNames = Set.copyOf(excludedOpNames);
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(dtype, "dtype");
            offlineParams = Set.copyOf(offlineParams);
            Objects.requireNonNull(registry, "registry");
            if (logger == null) logger = DEFAULT_LOG;
            fp32WeightOps = Set.copyOf(fp32WeightOps);
        }

        /** The unfused pass (MXNet's {@code quantize_model}): subgraph nodes stay FP32, weights are quantized offline. */
        public Options(Set<String> excludedSymNames, Set<String> excludedOpNames, QuantizeMode mode,
                       QuantizedDtype dtype, Set<String> offlineParams, OpRegistry registry, Logger logger) {
            this(excludedSymNames, excludedOpNames, mode, dtype, offlineParams, registry, logger, false, Set.of());
        }
    }

    /**
     * What happened to one op node.
     *
     * @param node           node name
     * @param op             its op
     * @param quantizability what the registry says (NONE when the op is unknown)
     * @param quantized      whether the node became INT8
     * @param reason         why, in words
     */
    public record Decision(String node, String op, Quantizability quantizability, boolean quantized, String reason) {
    }

    /**
     * Result of the pass.
     *
     * @param symbol             the quantized symbol (new nodes; the input symbol is not modified)
     * @param decisions          per op node of the FP32 graph, in graph order
     * @param targets            tensors to calibrate (see {@link CalibrationTarget#of})
     * @param unknownExcludedSymNames excluded names that match no node, each with near matches
     * @param unknownExcludedOpNames  excluded op names that no node uses
     */
    public record Result(Symbol symbol, Map<String, Decision> decisions, List<CalibrationTarget> targets,
                         Map<String, List<String>> unknownExcludedSymNames, Set<String> unknownExcludedOpNames) {
        /** Names of the FP32 nodes that became INT8, in graph order. */
        public List<String> quantizedNodes() {
            List<String> out = new ArrayList<>();
            decisions.forEach((k, d) -> {
                if (d.quantized()) out.add(k);
            });
            return out;
        }
    }

    private QuantizePass() {
    }

    /** Runs the pass over {@code fp32}; see the class comment. */
    public static Result run(Symbol fp32, Options o) {
        Logger log = o.logger();
        Map<String, List<String>> unknownNames = unknownExcludedNames(fp32, o.excludedSymNames());
        unknownNames.forEach((name, near) -> log.warn("excluded node '{}' does not exist in the graph{}", name,
                near.isEmpty() ? "" : "; did you mean " + String.join(", ", near) + "?"));
        Set<String> opsInGraph = new TreeSet<>();
        for (Node n : fp32.nodes()) {
            if (n.isVariable()) continue;
            opsInGraph.add(n.op());
            // Ops inside fused nodes count: excluding one excludes its fused node (see innerExclusion).
            if (o.fusedNodes()) for (Symbol sub : n.subgraphs()) for (Node in : sub.nodes()) if (!in.isVariable()) opsInGraph.add(in.op());
        }
        Set<String> unknownOps = new LinkedHashSet<>();
        for (String op : o.excludedOpNames()) {
            if (!opsInGraph.contains(op)) {
                unknownOps.add(op);
                log.warn("excluded op '{}' is not used by the graph (ops used: {})", op, opsInGraph);
            }
        }

        // 1. Candidates: what each op node could be.
        Map<Node, BoundOp<?>> bound = new IdentityHashMap<>();
        Map<Node, Quantizability> kind = new IdentityHashMap<>();
        Map<String, Decision> decisions = new LinkedHashMap<>();
        Map<Node, String> reasons = new IdentityHashMap<>();
        for (Node n : fp32.nodes()) {
            if (n.isVariable()) continue;
            Quantizability q = Quantizability.NONE;
            String reason = null;
            BoundOp<?> b = null;
            if (!n.subgraphs().isEmpty() && !o.fusedNodes()) {
                reason = "fused subgraph node; quantize the unfused model";
            } else {
                try {
                    b = o.registry().bind(n);
                } catch (RuntimeException e) {
                    reason = "op not supported: " + e.getMessage();
                }
                if (b == null) {
                    // reason set by the catch above
                } else if (o.excludedSymNames().contains(n.name())) {
                    reason = "excluded by name";
                } else if (o.excludedOpNames().contains(n.op())) {
                    reason = "excluded by op (" + n.op() + ")";
                } else if (innerExclusion(n, o) != null) {
                    reason = innerExclusion(n, o);
                } else if (b.quantizability() == Quantizability.NONE) {
                    reason = "no INT8 variant for these attributes";
                } else if (b.quantizedOpName() == null) {
                    reason = "no quantized kernel for these attributes";
                } else {
                    q = b.quantizability();
                    reason = q == Quantizability.MUST ? "MUST (" + b.quantizedOpName() + ")"
                            : "SUPPORT (" + b.quantizedOpName() + ")";
                }
            }
            if (b != null) bound.put(n, b);
            kind.put(n, q);
            reasons.put(n, reason);
        }

        // 2. Mode: SMART keeps a SUPPORT node only if a MUST node is reachable through SUPPORT nodes both
        // upstream and downstream (MXNet's MarkQuantizedNodes), so no quantize -> op -> dequantize islands.
        Set<Node> quantized = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : fp32.nodes()) if (kind.containsKey(n) && kind.get(n) != Quantizability.NONE) quantized.add(n);
        if (o.mode() == QuantizeMode.SMART) {
            Map<Node, List<Node>> consumers = fp32.consumers();
            Set<Node> feedsMust = reach(fp32, kind, consumers, true);
            Set<Node> fedByMust = reach(fp32, kind, consumers, false);
            for (Node n : fp32.nodes()) {
                if (kind.get(n) != Quantizability.SUPPORT) continue;
                boolean up = fedByMust.contains(n);
                boolean down = feedsMust.contains(n);
                if (!(up && down)) {
                    quantized.remove(n);
                    reasons.put(n, "SMART: " + (up ? "" : "no quantized conv/FC upstream")
                            + (!up && !down ? ", " : "") + (down ? "" : "no quantized conv/FC downstream"));
                }
            }
        }
        for (Node n : fp32.nodes()) {
            if (n.isVariable()) continue;
            boolean q = quantized.contains(n);
            Decision d = new Decision(n.name(), n.op(), bound.containsKey(n) ? bound.get(n).quantizability()
                    : Quantizability.NONE, q, reasons.get(n));
            decisions.put(n.name(), d);
            log.debug("quantize pass: {} ({}): {} - {}", n.name(), n.op(), q ? "INT8" : "FP32", d.reason());
        }

        // 3. Rewrite.
        Symbol qsym = new Rewriter(o, bound, quantized).rewrite(fp32);
        List<CalibrationTarget> targets = CalibrationTarget.of(qsym);
        log.debug("quantize pass: {} of {} op nodes quantized, {} tensors to calibrate", quantized.size(),
                decisions.size(), targets.size());
        return new Result(qsym, Collections.unmodifiableMap(decisions), targets, unknownNames, unknownOps);
    }

    /** Why a subgraph node is excluded through a node inside it (MXNet: any inner node excluded), or null. */
    private static String innerExclusion(Node n, Options o) {
        for (Symbol sub : n.subgraphs()) {
            for (Node in : sub.nodes()) {
                if (in.isVariable()) continue;
                if (o.excludedSymNames().contains(in.name())) return "excluded by name of inner node " + in.name();
                if (o.excludedOpNames().contains(in.op())) return "excluded by op of inner node " + in.name() + " (" + in.op() + ")";
            }
        }
        return null;
    }

    /**
     * SUPPORT nodes reachable from a MUST node through SUPPORT nodes only: walking inputs
     * ({@code upstream = true}: the node feeds a MUST node) or consumers (it is fed by one).
     */
    private static Set<Node> reach(Symbol g, Map<Node, Quantizability> kind, Map<Node, List<Node>> consumers,
                                   boolean upstream) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> queue = new ArrayDeque<>();
        for (Node n : g.nodes()) if (kind.get(n) == Quantizability.MUST) queue.add(n);
        while (!queue.isEmpty()) {
            Node n = queue.poll();
            List<Node> next = new ArrayList<>();
            if (upstream) {
                for (NodeEntry e : n.inputs()) next.add(e.node());
            } else {
                next.addAll(consumers.getOrDefault(n, List.of()));
            }
            for (Node m : next) {
                if (kind.get(m) == Quantizability.SUPPORT && seen.add(m)) queue.add(m);
            }
        }
        return seen;
    }

    /** Builds the quantized graph from new nodes; see the class comment for the rules. */
    private static final class Rewriter {
        private final Options o;
        private final Map<Node, BoundOp<?>> bound;
        private final Set<Node> quantized;
        /** Old node -> new node giving its FP32 outputs (FP32 nodes) or its quantized outputs (requantize or quantized node). */
        private final Map<Node, Node> mirror = new IdentityHashMap<>();
        /** quantize_v2 nodes by FP32 entry (old node, index). */
        private final Map<Node, Map<Integer, Node>> quantizeNodes = new IdentityHashMap<>();
        /** Offline-quantized parameter variables: name -> {q, min, max}. */
        private final Map<String, Node[]> offline = new HashMap<>();
        /** Dequantize nodes by quantized old node and output index. */
        private final Map<Node, Map<Integer, Node>> dequantizeNodes = new IdentityHashMap<>();

        Rewriter(Options o, Map<Node, BoundOp<?>> bound, Set<Node> quantized) {
            this.o = o;
            this.bound = bound;
            this.quantized = quantized;
        }

        Symbol rewrite(Symbol fp32) {
            for (Node n : fp32.nodes()) {
                if (quantized.contains(n)) {
                    mirror.put(n, quantizedNode(n));
                } else {
                    mirror.put(n, fp32Copy(n));
                }
            }
            List<NodeEntry> heads = new ArrayList<>();
            for (NodeEntry h : fp32.heads()) heads.add(fp32Entry(h));
            return Symbol.fromOutputs(heads, fp32.graphAttrs());
        }

        private Node fp32Copy(Node n) {
            List<NodeEntry> inputs = new ArrayList<>();
            for (NodeEntry e : n.inputs()) inputs.add(fp32Entry(e));
            Node c = new Node(n.op(), n.name(), n.attrs(), inputs, n.numOutputs());
            c.subgraphs().addAll(n.subgraphs());
            for (Node d : n.controlDeps()) c.controlDeps().add(mirror.getOrDefault(d, d));
            c.extraFields().putAll(n.extraFields());
            c.setAttrsKey(n.attrsKey());
            return c;
        }

        /** The FP32 value of old entry {@code e} in the new graph (through a dequantize if it is quantized). */
        private NodeEntry fp32Entry(NodeEntry e) {
            Node p = e.node();
            Node m = mirror.get(p);
            if (!quantized.contains(p)) return new NodeEntry(m, e.index(), e.version());
            Node dq = dequantizeNodes.computeIfAbsent(p, k -> new HashMap<>()).computeIfAbsent(e.index(), idx -> {
                String name = QuantizeNames.dequantize(p.name()) + (idx == 0 ? "" : "_" + idx);
                return new Node(QuantizeOps.DEQUANTIZE, name, Map.of(), List.of(new NodeEntry(m, idx),
                        new NodeEntry(m, 1 + 2 * idx), new NodeEntry(m, 2 + 2 * idx)), 1);
            });
            return new NodeEntry(dq, 0);
        }

        private Node quantizedNode(Node n) {
            BoundOp<?> b = bound.get(n);
            boolean fp32Weights = o.fp32WeightOps().contains(b.quantizedOpName());
            List<NodeEntry> inputs = new ArrayList<>();
            List<NodeEntry> ranges = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                NodeEntry e = n.inputs().get(i);
                InputRole role = b.inputRole(i);
                if (!isQuantizedInput(role) || fp32Weights && role != InputRole.DATA) {
                    // BatchNorm statistics and other side inputs stay FP32, without a range.
                    inputs.add(fp32Entry(e));
                    continue;
                }
                Node p = e.node();
                if (quantized.contains(p)) {
                    Node m = mirror.get(p);
                    inputs.add(new NodeEntry(m, e.index()));
                    ranges.add(new NodeEntry(m, 1 + 2 * e.index()));
                    ranges.add(new NodeEntry(m, 2 + 2 * e.index()));
                } else if (p.isVariable() && o.offlineParams().contains(p.name())) {
                    Node[] v = offline.computeIfAbsent(p.name(), name -> new Node[] {
                        Node.variable(QuantizeNames.offlineParam(name)),
                        Node.variable(QuantizeNames.offlineMin(name)),
                        Node.variable(QuantizeNames.offlineMax(name))});
                    inputs.add(new NodeEntry(v[0], 0));
                    ranges.add(new NodeEntry(v[1], 0));
                    ranges.add(new NodeEntry(v[2], 0));
                } else {
                    Node qn = quantizeNodes.computeIfAbsent(p, k -> new HashMap<>()).computeIfAbsent(e.index(), idx -> {
                        Map<String, String> attrs = new LinkedHashMap<>();
                        attrs.put(QuantizeOps.OUT_TYPE, o.dtype().resolve(Double.NaN));
                        return new Node(QuantizeOps.QUANTIZE_V2, QuantizeNames.quantizeNode(e), attrs,
                                List.of(fp32Entry(e)), 3);
                    });
                    inputs.add(new NodeEntry(qn, 0));
                    ranges.add(new NodeEntry(qn, 1));
                    ranges.add(new NodeEntry(qn, 2));
                }
            }
            inputs.addAll(ranges);
            Node q = new Node(b.quantizedOpName(), QuantizeNames.quantized(n.name()), n.attrs(), inputs, 3);
            q.setAttrsKey(n.attrsKey());
            if (!n.subgraphs().isEmpty()) {
                // oneDNN subgraph nodes are quantized in place (MXNet's quantize_model_mkldnn).
                q.subgraphs().addAll(n.subgraphs());
                q.setAttr(QuantizeOps.QUANTIZED, "true");
            }
            if (!b.needsRequantize()) return q;
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put(QuantizeOps.OUT_TYPE, o.dtype().resolve(Double.NaN));
            return new Node(QuantizeOps.REQUANTIZE, QuantizeNames.requantize(n.name()), attrs,
                    List.of(new NodeEntry(q, 0), new NodeEntry(q, 1), new NodeEntry(q, 2)), 3);
        }

        private static boolean isQuantizedInput(InputRole role) {
            return role == InputRole.DATA || role == InputRole.WEIGHT || role == InputRole.BIAS;
        }
    }

    /**
     * Excluded names that match no node of {@code g}, each with up to 5 node names that look alike
     * (substring either way, or a small edit distance).
     */
    static Map<String, List<String>> unknownExcludedNames(Symbol g, Set<String> excluded) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (Node n : g.nodes()) if (!n.isVariable()) names.add(n.name());
        Set<String> all = new LinkedHashSet<>(names);
        for (String x : excluded) {
            if (all.contains(x)) continue;
            out.put(x, nearMatches(x, names, 5));
        }
        return out;
    }

    /** Up to {@code limit} of {@code candidates} that look like {@code name}, closest first. */
    public static List<String> nearMatches(String name, List<String> candidates, int limit) {
        String lower = name.toLowerCase();
        int maxDistance = Math.max(2, name.length() / 3);
        List<String[]> scored = new ArrayList<>();
        for (String c : candidates) {
            String cl = c.toLowerCase();
            int d = editDistance(lower, cl);
            boolean sub = !lower.isEmpty() && (cl.contains(lower) || lower.contains(cl));
            if (d <= maxDistance || sub) scored.add(new String[] {c, Integer.toString(sub ? Math.min(d, maxDistance) : d)});
        }
        scored.sort(Comparator.comparingInt((String[] s) -> Integer.parseInt(s[1])).thenComparing(s -> s[0]));
        List<String> out = new ArrayList<>();
        for (String[] s : scored) {
            if (out.size() >= limit) break;
            out.add(s[0]);
        }
        return out;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
