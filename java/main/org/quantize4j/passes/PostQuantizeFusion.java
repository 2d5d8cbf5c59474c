package org.quantize4j.passes;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.graph.Attrs;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MXNet's post-quantization fusion ({@code MKLDNN_QUANTIZE} backend after calibration,
 * {@code SgMKLDNNConvPostQuantizeProperty}, {@code SgMKLDNNFCPostQuantizeProperty},
 * {@code SgMKLDNNPostQuantizeAlignScaleProperty}), run on a calibrated quantized symbol:
 * <ol>
 * <li><b>requantize</b>: a quantized fused conv/FC whose only user is a calibrated {@code _contrib_requantize}
 *     takes over its range ({@code min_calib_range}/{@code max_calib_range}) and writes int8/uint8 itself
 *     ({@link MkldnnAttrs#OUT_TYPE}: uint8 when its output is non-negative by construction (last post-op
 *     relu-like, no sum after it), or, for dtype auto/uint8, when the calibrated minimum is >= 0);</li>
 * <li><b>concat scale alignment</b>: the calibrated producers of each {@code _contrib_quantized_concat}
 *     (fused nodes and quantize_v2 nodes, directly or through nested concats) get the union of their
 *     ranges (and int8 for all if any is int8), so the concat copies bytes without rescaling;</li>
 * <li><b>dequantize</b>: a fused FC (and conv, unless {@code convFloatOutput} is false, which is MXNet 1.9's
 *     behaviour) whose every user is a {@code _contrib_dequantize} writes float32 instead
 *     ({@code enable_float_output=true}, one output, no calib range).</li>
 * </ol>
 * Uncalibrated requantize nodes (calibration none) stay, as in MXNet.
 *
 * <pre>{@code
 * Symbol calibrated = ApplyCalibration.apply(qsym, ranges, QuantizedDtype.AUTO, log);
 * Symbol fused = PostQuantizeFusion.apply(calibrated, QuantizedDtype.AUTO, true, log);
 * }</pre>
 */
public final class PostQuantizeFusion {
    private static final Logger DEFAULT_LOG = LoggerFactory.getLogger(PostQuantizeFusion.class);

    private PostQuantizeFusion() {
    }

    /** A new symbol ({@code qsym} is not modified); see the class comment. */
    public static Symbol apply(Symbol qsym, QuantizedDtype dtype, boolean convFloatOutput, Logger log) {
        if (log == null) log = DEFAULT_LOG;
        Symbol g = SymbolJson.parse(SymbolJson.toJson(qsym));   // deep copy
        g = absorbRequantize(g, dtype, log);
        alignConcatScales(g, log);
        return absorbDequantize(g, convFloatOutput, log);
    }

    // ------------------------------------------------------------------ requantize

    private static Symbol absorbRequantize(Symbol g, QuantizedDtype dtype, Logger log) {
        Map<Node, List<Node>> consumers = g.consumers();
        Map<Node, Node> replace = new IdentityHashMap<>();
        for (Node r : g.nodes()) {
            if (!r.op().equals(QuantizeOps.REQUANTIZE) || r.inputs().size() != 3 || !MkldnnAttrs.isCalibrated(r)) continue;
            Node f = r.input(0).node();
            if (!MkldnnAttrs.isQuantizedFused(f) || MkldnnAttrs.isCalibrated(f) || MkldnnAttrs.isFloatOutput(f)) continue;
            boolean plain = true;
            for (int i = 0; i < 3; i++) plain &= r.input(i).node() == f && r.input(i).index() == i;
            if (!plain || isHead(g, f)) continue;
            boolean onlyUser = true;
            for (Node c : consumers.get(f)) onlyUser &= c == r;
            if (!onlyUser) continue;
            float min = Attrs.floatValue(r.attr(QuantizeOps.MIN_CALIB_RANGE), 0f);
            String type = MkldnnAttrs.isOutputNonNegative(f) || dtype != QuantizedDtype.INT8 && min >= 0 ? "uint8" : "int8";
            setAttrs(f, Map.of(QuantizeOps.MIN_CALIB_RANGE, r.attr(QuantizeOps.MIN_CALIB_RANGE),
                    QuantizeOps.MAX_CALIB_RANGE, r.attr(QuantizeOps.MAX_CALIB_RANGE), MkldnnAttrs.OUT_TYPE, type), null);
            replace.put(r, f);
            log.debug("post-quantize fusion: {} absorbs {} ({})", f.name(), r.name(), type);
        }
        return rewire(g, replace);
    }

    // ------------------------------------------------------------------ concat alignment

    /** Union-find over nodes (identity). */
    private static final class Groups {
        final Map<Node, Node> parent = new IdentityHashMap<>();

        Node find(Node n) {
            Node p = parent.getOrDefault(n, n);
            if (p == n) return n;
            Node r = find(p);
            parent.put(n, r);
            return r;
        }

        void union(Node a, Node b) {
            Node ra = find(a);
            Node rb = find(b);
            if (ra != rb) parent.put(ra, rb);
        }
    }

    private static boolean alignable(Node p) {
        return (MkldnnAttrs.isQuantizedFused(p) && !MkldnnAttrs.isFloatOutput(p) || p.op().equals(QuantizeOps.QUANTIZE_V2))
                && MkldnnAttrs.isCalibrated(p);
    }

    static void alignConcatScales(Symbol g, Logger log) {
        Groups groups = new Groups();
        List<Node> concats = new ArrayList<>();
        List<Node> producers = new ArrayList<>();
        for (Node c : g.nodes()) {
            if (!c.op().equals(MkldnnAttrs.QUANTIZED_CONCAT)) continue;
            concats.add(c);
            int k = Attrs.integer(c.attr("num_args"), (c.inputs().size()) / 3);
            for (int i = 0; i < k && i < c.inputs().size(); i++) {
                NodeEntry e = c.input(i);
                Node p = e.node();
                if (e.index() != 0) continue;
                if (p.op().equals(MkldnnAttrs.QUANTIZED_CONCAT)) {
                    groups.union(c, p);
                } else if (alignable(p)) {
                    groups.union(c, p);
                    producers.add(p);
                }
            }
        }
        if (concats.isEmpty()) return;
        Map<Node, float[]> range = new IdentityHashMap<>();
        Map<Node, Boolean> allUnsigned = new IdentityHashMap<>();
        for (Node p : producers) {
            Node root = groups.find(p);
            float min = Attrs.floatValue(p.attr(QuantizeOps.MIN_CALIB_RANGE), 0f);
            float max = Attrs.floatValue(p.attr(QuantizeOps.MAX_CALIB_RANGE), 0f);
            range.merge(root, new float[] {min, max}, (a, b) -> new float[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
            allUnsigned.merge(root, "uint8".equals(p.attr(MkldnnAttrs.OUT_TYPE)), Boolean::logicalAnd);
        }
        Map<Node, Boolean> seen = new IdentityHashMap<>();
        for (Node p : producers) {
            if (seen.put(p, Boolean.TRUE) != null) continue;
            Node root = groups.find(p);
            float[] r = range.get(root);
            String oldMin = p.attr(QuantizeOps.MIN_CALIB_RANGE);
            String oldMax = p.attr(QuantizeOps.MAX_CALIB_RANGE);
            Map<String, String> set = new LinkedHashMap<>();
            set.put(QuantizeOps.MIN_CALIB_RANGE, Float.toString(r[0]));
            set.put(QuantizeOps.MAX_CALIB_RANGE, Float.toString(r[1]));
            if (!allUnsigned.get(root)) set.put(MkldnnAttrs.OUT_TYPE, "int8");
            setAttrs(p, set, null);
            log.debug("concat scale alignment: {} [{}, {}] -> [{}, {}]", p.name(), oldMin, oldMax, r[0], r[1]);
        }
    }

    // ------------------------------------------------------------------ dequantize

    private static Symbol absorbDequantize(Symbol g, boolean convFloatOutput, Logger log) {
        Map<Node, List<Node>> consumers = g.consumers();
        Map<Node, Node> replace = new IdentityHashMap<>();
        for (Node f : g.nodes()) {
            if (!MkldnnAttrs.isQuantizedFused(f) || !MkldnnAttrs.isCalibrated(f) || MkldnnAttrs.isFloatOutput(f)) continue;
            if (f.op().equals(MkldnnAttrs.CONV) && !convFloatOutput) continue;
            List<Node> users = consumers.get(f);
            if (users.isEmpty() || isHead(g, f)) continue;
            boolean allDequantize = true;
            for (Node d : users) {
                boolean plain = d.op().equals(QuantizeOps.DEQUANTIZE) && d.inputs().size() == 3;
                for (int i = 0; plain && i < 3; i++) plain = d.input(i).node() == f && d.input(i).index() == i;
                allDequantize &= plain;
            }
            if (!allDequantize) continue;
            Map<String, String> set = new LinkedHashMap<>();
            set.put(MkldnnAttrs.ENABLE_FLOAT_OUTPUT, f.op().equals(MkldnnAttrs.FC) ? "True" : "true");
            setAttrs(f, set, List.of(QuantizeOps.MIN_CALIB_RANGE, QuantizeOps.MAX_CALIB_RANGE, MkldnnAttrs.OUT_TYPE));
            f.setNumOutputs(1);
            for (Node d : users) replace.put(d, f);
            log.debug("post-quantize fusion: {} absorbs its dequantize (float output)", f.name());
        }
        return rewire(g, replace);
    }

    // ------------------------------------------------------------------ helpers

    private static boolean isHead(Symbol g, Node n) {
        for (NodeEntry h : g.heads()) if (h.node() == n) return true;
        return false;
    }

    /** Sets and removes attributes, keeping them sorted as MXNet writes subgraph-node attributes. */
    private static void setAttrs(Node n, Map<String, String> set, List<String> remove) {
        Map<String, String> sorted = new TreeMap<>(n.attrs());
        sorted.putAll(set);
        if (remove != null) for (String k : remove) sorted.remove(k);
        n.attrs().clear();
        n.attrs().putAll(sorted);
    }

    /** Users of a node in {@code replace} read the replacement's same-numbered output; the node drops out. */
    private static Symbol rewire(Symbol g, Map<Node, Node> replace) {
        if (replace.isEmpty()) return g;
        for (Node n : g.nodes()) {
            List<NodeEntry> in = n.inputs();
            for (int i = 0; i < in.size(); i++) {
                NodeEntry e = in.get(i);
                Node to = replace.get(e.node());
                if (to != null) in.set(i, new NodeEntry(to, e.index(), 0));
            }
        }
        List<NodeEntry> heads = new ArrayList<>();
        for (NodeEntry h : g.heads()) {
            Node to = replace.get(h.node());
            heads.add(to == null ? h : new NodeEntry(to, h.index(), 0));
        }
        return Symbol.fromOutputs(heads, g.graphAttrs());
    }
}
