package org.quantize4j.passes.fusion;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.OutputNames;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ops.FusedConvolutionOp;
import org.quantize4j.ops.FusedFullyConnectedOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MXNet's oneDNN graph fusion ({@code sym.get_backend_symbol("MKLDNN")}, also the first step of
 * {@code quantize_model_mkldnn}): Convolution -> [BatchNorm] -> [elemwise_add] -> [activation] becomes
 * one {@code _sg_mkldnn_conv} node, and FullyConnected -> [activation] one
 * {@code _sg_mkldnn_fully_connected} node, with MXNet's names ({@code sg_mkldnn_conv_bn_add_act_5},
 * {@code sg_mkldnn_fully_connected_eltwise_0}), attributes, input order and subgraphs, so the result
 * matches MXNet's own fused files and runs with the original parameters.
 *
 * <p>Rules (MXNet 1.9's selectors):
 * <ul>
 * <li>First, inference no-ops are dropped as MXNet's backend does ({@link IdentityRemoval}: Dropout in
 *     training mode and _copy after an operator), so e.g. FullyConnected -> Dropout -> FullyConnected
 *     connects the fused nodes directly.</li>
 * <li>Convolutions are taken in graph order (depth-first from the outputs, as nnvm orders nodes); each
 *     grows a chain through its single consumer: BatchNorm, then elemwise_add, then one activation
 *     (relu / sigmoid / tanh / softrelu, LeakyReLU leaky / gelu, clip with a_min = 0). An activation
 *     ends the chain, so conv+act+sum stays two nodes while conv+sum+act fuses (with_postsum_act).
 *     An add already taken by an earlier chain is not available to a later one (in a ResNet
 *     down-sampling block the shortcut convolution, which comes first, takes the sum).</li>
 * <li>A chain only grows past a node whose output has exactly one use and is not a graph output, so
 *     the fused graph computes exactly what the original does (MXNet itself fuses FullyConnected ->
 *     activation even when the FullyConnected has other users, which changes their input: not here).
 *     The add's other operand cannot depend on the chain (every chain node has a single user), so
 *     fusion never creates a cycle.</li>
 * <li>BatchNorm joins only when it can be folded at build time (axis 1, parameters are variables).</li>
 * <li>Numbering: one counter per pattern, in seed order; the fused node's inputs are the subgraph
 *     variables in depth-first order ({@code data, weight, [bias], [gamma, beta, mean, var], [sum]}).</li>
 * </ul>
 *
 * <pre>{@code
 * Symbol sym = SymbolJson.read(Path.of("test-models/zoo/resnet18_v1-symbol.json"));
 * Symbol fused = FusionPass.fuse(sym);                                   // honours the env switches
 * Symbol noSum = FusionPass.fuse(sym, FusionOptions.defaults().withConvSum(false));
 * }</pre>
 */
public final class FusionPass {
    private static final Logger LOG = LoggerFactory.getLogger(FusionPass.class);

    private FusionPass() {
    }

    /** Fuses with {@link FusionOptions#fromEnvironment()}. */
    public static Symbol fuse(Symbol symbol) {
        return run(symbol, FusionOptions.fromEnvironment()).symbol();
    }

    public static Symbol fuse(Symbol symbol, FusionOptions options) {
        return run(symbol, options).symbol();
    }

    /** Fuses and reports which original node went into which fused node. The input is not modified. */
    public static FusionResult run(Symbol symbol, FusionOptions options) {
        Map<String, String> fusedNameOf = new LinkedHashMap<>();
        Symbol s = symbol;
        if (options.identity()) s = IdentityRemoval.apply(s, fusedNameOf);
        int convs = 0;
        int fcs = 0;
        if (options.conv()) {
            Rewrite r = new Rewrite(s, Pattern.CONV, options);
            s = r.apply(fusedNameOf);
            convs = r.chains.size();
        }
        if (options.fc()) {
            Rewrite r = new Rewrite(s, Pattern.FC, options);
            s = r.apply(fusedNameOf);
            fcs = r.chains.size();
        }
        if (s == symbol) s = Symbol.fromOutputs(symbol.heads(), symbol.graphAttrs());
        LOG.debug("fusion: {} fused convolutions, {} fused FullyConnected", convs, fcs);
        return new FusionResult(s, Collections.unmodifiableMap(fusedNameOf));
    }

    private enum Pattern { CONV, FC }

    /** One fusion property applied to one graph: find chains, then rebuild the graph around them. */
    private static final class Rewrite {
        final Symbol in;
        final Pattern pattern;
        final FusionOptions options;
        final List<Node> order;
        /** Uses of each node output: key node -> per output index count. */
        final Map<Node, int[]> uses = new IdentityHashMap<>();
        final Set<Node> heads = Collections.newSetFromMap(new IdentityHashMap<>());
        final Map<Node, Node> consumerOf = new IdentityHashMap<>();
        final List<List<Node>> chains = new ArrayList<>();
        final Map<Node, Integer> chainOf = new IdentityHashMap<>();
        final List<String> fusedNames = new ArrayList<>();

        Rewrite(Symbol in, Pattern pattern, FusionOptions options) {
            this.in = in;
            this.pattern = pattern;
            this.options = options;
            this.order = Symbol.fromOutputs(in.heads(), Map.of()).nodes();
            for (Node n : order) uses.put(n, new int[Math.max(1, n.numOutputs())]);
            for (Node n : order) {
                for (NodeEntry e : n.inputs()) {
                    int[] u = uses.get(e.node());
                    if (e.index() < u.length) u[e.index()]++;
                    consumerOf.put(e.node(), n);
                }
            }
            for (NodeEntry h : in.heads()) heads.add(h.node());
        }

        /** The node consuming {@code n}'s output 0 when that is its only use of any output and not a graph output. */
        Node soleConsumer(Node n) {
            if (heads.contains(n)) return null;
            int[] u = uses.get(n);
            if (u[0] != 1) return null;
            for (int i = 1; i < u.length; i++) if (u[i] != 0) return null;
            Node c = consumerOf.get(n);
            return c == null || chainOf.containsKey(c) ? null : c;
        }

        Symbol apply(Map<String, String> fusedNameOf) {
            for (Node n : order) {
                if (chainOf.containsKey(n)) continue;
                List<Node> chain = pattern == Pattern.CONV ? growConv(n) : growFc(n);
                if (chain == null) continue;
                int id = chains.size();
                chains.add(chain);
                for (Node c : chain) chainOf.put(c, id);
                fusedNames.add(fusedName(chain, id));
            }
            if (chains.isEmpty()) return in;
            for (int i = 0; i < chains.size(); i++) {
                for (Node c : chains.get(i)) fusedNameOf.put(c.name(), fusedNames.get(i));
            }
            return rebuild();
        }

        List<Node> growConv(Node conv) {
            if (!FusionRules.isConvSeed(conv)) return null;
            List<Node> chain = new ArrayList<>(List.of(conv));
            if (!options.convBn() && !options.convSum() && !options.convAct()) return chain;
            boolean hasBn = false;
            boolean hasSum = false;
            while (true) {
                Node tail = chain.get(chain.size() - 1);
                Node next = soleConsumer(tail);
                if (next == null) break;
                if (!hasBn && !hasSum && options.convBn() && FusionRules.isBatchNorm(next) && chain.size() == 1
                        && next.input(0).node() == tail && foldable(conv, next)) {
                    chain.add(next);
                    hasBn = true;
                    continue;
                }
                if (!hasSum && options.convSum() && FusionRules.isAdd(next)) {
                    chain.add(next);
                    hasSum = true;
                    continue;
                }
                if (options.convAct() && next.inputs().size() == 1
                        && FusionRules.convActivation(next, options.forQuantization(), hasSum)) {
                    chain.add(next);
                }
                break;
            }
            return chain;
        }

        /** BatchNorm can be folded at build time: channel axis, its parameters and the conv's weight/bias are variables. */
        private boolean foldable(Node conv, Node bn) {
            if (bn.inputs().size() != 5) return false;
            String axis = bn.attr("axis");
            if (axis != null && !axis.trim().equals("1")) return false;
            String omv = bn.attr("output_mean_var");
            if (omv != null && (omv.trim().equalsIgnoreCase("true") || omv.trim().equals("1"))) return false;
            for (int i = 1; i < 5; i++) if (!bn.input(i).node().isVariable()) return false;
            for (int i = 1; i < conv.inputs().size(); i++) if (!conv.input(i).node().isVariable()) return false;
            return true;
        }

        List<Node> growFc(Node fc) {
            if (!FusionRules.isFcSeed(fc)) return null;
            List<Node> chain = new ArrayList<>(List.of(fc));
            if (!options.fcAct()) return chain;
            Node next = soleConsumer(fc);
            if (next != null && next.inputs().size() == 1 && FusionRules.fcActivation(next, options.forQuantization())) {
                chain.add(next);
            }
            return chain;
        }

        String fusedName(List<Node> chain, int id) {
            StringBuilder sb = new StringBuilder("sg_mkldnn_");
            if (pattern == Pattern.FC) {
                sb.append("fully_connected_");
                if (chain.size() > 1) sb.append("eltwise_");
            } else {
                for (Node c : chain) {
                    if (c.op().equals("Convolution")) sb.append("conv_");
                    else if (FusionRules.isBatchNorm(c)) sb.append("bn_");
                    else if (FusionRules.isAdd(c)) sb.append("add_");
                    else sb.append("act_");
                }
            }
            return sb.append(id).toString();
        }

        // ------------------------------------------------------------------ rebuilding

        final Map<Node, Node> copies = new IdentityHashMap<>();
        Map<Integer, Node> created = new HashMap<>();

        Symbol rebuild() {
            // Fused nodes are created in id order (as MXNet does), so a subgraph input coming from an
            // earlier fused node is named after it and one from a later chain after the original node.
            for (int id = 0; id < chains.size(); id++) created.put(id, createFused(id));
            for (Node n : order) {
                if (!chainOf.containsKey(n)) copy(n);
            }
            for (Node n : order) {
                if (chainOf.containsKey(n)) continue;
                Node c = copies.get(n);
                for (NodeEntry e : n.inputs()) c.inputs().add(resolve(e));
                for (Node d : n.controlDeps()) c.controlDeps().add(resolve(new NodeEntry(d, 0)).node());
            }
            for (int id = 0; id < chains.size(); id++) {
                Node f = created.get(id);
                for (NodeEntry e : externals.get(id)) f.inputs().add(resolve(e));
            }
            List<NodeEntry> newHeads = new ArrayList<>();
            for (NodeEntry h : in.heads()) newHeads.add(resolve(h));
            return Symbol.fromOutputs(newHeads, in.graphAttrs());
        }

        private Node copy(Node n) {
            Node c = new Node(n.op(), n.name(), n.attrs(), List.of(), n.numOutputs());
            c.setAttrsKey(n.attrsKey());
            c.subgraphs().addAll(n.subgraphs());
            c.extraFields().putAll(n.extraFields());
            copies.put(n, c);
            return c;
        }

        /** An entry of the original graph as seen in the new one. */
        private NodeEntry resolve(NodeEntry e) {
            Integer id = chainOf.get(e.node());
            if (id != null) {
                List<Node> chain = chains.get(id);
                if (e.node() != chain.get(chain.size() - 1) || e.index() != 0) {
                    throw new IllegalStateException("fusion: entry " + e + " comes from inside fused node " + fusedNames.get(id));
                }
                return new NodeEntry(created.get(id), 0, 0);
            }
            return new NodeEntry(copies.get(e.node()), e.index(), e.version());
        }

        /** Per fused node: its inputs as entries of the original graph, in the order of its subgraph's variables. */
        final Map<Integer, List<NodeEntry>> externals = new HashMap<>();

        private Node createFused(int id) {
            List<Node> chain = chains.get(id);
            Map<Node, Node> inner = new IdentityHashMap<>();
            Map<Node, NodeEntry> varSource = new IdentityHashMap<>();
            Map<String, Integer> varCount = new HashMap<>();
            Node last = null;
            for (Node c : chain) {
                List<NodeEntry> ins = new ArrayList<>();
                for (NodeEntry e : c.inputs()) {
                    Node prev = inner.get(e.node());
                    if (prev != null) {
                        ins.add(new NodeEntry(prev, e.index(), 0));
                    } else {
                        String base = nameAtCreation(e, id);
                        int k = varCount.merge(base, 1, Integer::sum) - 1;
                        Node v = Node.variable(base + k);
                        varSource.put(v, e);
                        ins.add(new NodeEntry(v, 0, 0));
                    }
                }
                // MXNet keeps the chain as the left operand of the sum so the extra operand is the last input.
                if (FusionRules.isAdd(c) && pattern == Pattern.CONV && inner.containsKey(c.input(1).node())
                        && !inner.containsKey(c.input(0).node())) {
                    Collections.swap(ins, 0, 1);
                }
                Node copy = new Node(c.op(), c.name(), c.attrs(), ins, c.numOutputs());
                copy.setAttrsKey(c.attrsKey());
                inner.put(c, copy);
                last = copy;
            }
            Symbol sub = Symbol.fromOutputs(List.of(new NodeEntry(last, 0, 0)), Map.of());
            List<NodeEntry> ext = new ArrayList<>();
            for (Node n : sub.nodes()) if (n.isVariable()) ext.add(varSource.get(n));
            externals.put(id, ext);

            Map<String, String> attrs = new TreeMap<>();
            String op;
            if (pattern == Pattern.CONV) {
                op = FusedConvolutionOp.NAME;
                boolean sum = false;
                for (Node c : chain) {
                    if (FusionRules.isBatchNorm(c)) attrs.put("with_bn", "true");
                    else if (FusionRules.isAdd(c)) {
                        attrs.put("with_sum", "true");
                        sum = true;
                    } else if (!c.op().equals("Convolution")) attrs.put(sum ? "with_postsum_act" : "with_act", "true");
                }
            } else {
                op = FusedFullyConnectedOp.NAME;
                if (chain.size() > 1) attrs.put("with_eltwise", "True");
            }
            Node fused = new Node(op, fusedNames.get(id), attrs, List.of(), 1);
            fused.subgraphs().add(sub);
            return fused;
        }

        /**
         * The name MXNet gives the subgraph variable for {@code e} when fused node {@code id} is created: the
         * output name of its producer at that time (an earlier fused node, or the original node).
         */
        private String nameAtCreation(NodeEntry e, int id) {
            Integer producer = chainOf.get(e.node());
            if (producer != null && producer < id) {
                return OutputNames.of(new Node(FusedConvolutionOp.NAME, fusedNames.get(producer), Map.of(), List.of(), 1), 0);
            }
            return OutputNames.of(e.node(), e.index());
        }
    }
}
