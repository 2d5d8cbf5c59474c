package org.quantize4j.passes.fusion;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.quantize4j.graph.Attrs;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;

/**
 * Drops inference no-ops as MXNet's oneDNN backend does (SgMKLDNNIdentityProperty): Dropout in its
 * default {@code mode="training"} (identity at inference) and {@code _copy}, when their input comes from
 * an operator (not a variable) and nothing reads Dropout's mask. Their users read the producer directly.
 */
final class IdentityRemoval {
    private IdentityRemoval() {
    }

    static boolean isRemovable(Node n, Map<Node, int[]> uses, List<NodeEntry> heads) {
        boolean identity = n.op().equals("_copy")
                || n.op().equals("Dropout") && Attrs.string(n.attr("mode"), "training").trim().equals("training");
        if (!identity || n.inputs().size() != 1 || n.input(0).node().isVariable()) return false;
        int[] u = uses.get(n);
        for (int i = 1; i < u.length; i++) if (u[i] != 0) return false;
        for (NodeEntry h : heads) if (h.node() == n && h.index() != 0) return false;
        return true;
    }

    /** The symbol without removable identities (the same symbol object when there are none). */
    static Symbol apply(Symbol in, Map<String, String> removed) {
        List<Node> order = Symbol.fromOutputs(in.heads(), Map.of()).nodes();
        Map<Node, int[]> uses = new IdentityHashMap<>();
        for (Node n : order) uses.put(n, new int[Math.max(1, n.numOutputs())]);
        for (Node n : order) {
            for (NodeEntry e : n.inputs()) {
                int[] u = uses.get(e.node());
                if (e.index() < u.length) u[e.index()]++;
            }
        }
        Map<Node, NodeEntry> bypass = new IdentityHashMap<>();
        for (Node n : order) {
            if (isRemovable(n, uses, in.heads())) bypass.put(n, n.input(0));
        }
        if (bypass.isEmpty()) return in;
        Map<Node, Node> copies = new IdentityHashMap<>();
        for (Node n : order) {
            if (bypass.containsKey(n)) continue;
            Node c = new Node(n.op(), n.name(), n.attrs(), List.of(), n.numOutputs());
            c.setAttrsKey(n.attrsKey());
            c.subgraphs().addAll(n.subgraphs());
            c.extraFields().putAll(n.extraFields());
            copies.put(n, c);
        }
        for (Node n : order) {
            Node c = copies.get(n);
            if (c == null) continue;
            for (NodeEntry e : n.inputs()) c.inputs().add(resolve(e, bypass, copies));
            for (Node d : n.controlDeps()) c.controlDeps().add(resolve(new NodeEntry(d, 0), bypass, copies).node());
        }
        List<NodeEntry> heads = new ArrayList<>();
        for (NodeEntry h : in.heads()) heads.add(resolve(h, bypass, copies));
        for (Node n : bypass.keySet()) removed.put(n.name(), resolve(new NodeEntry(n, 0), bypass, copies).node().name());
        return Symbol.fromOutputs(heads, in.graphAttrs());
    }

    private static NodeEntry resolve(NodeEntry e, Map<Node, NodeEntry> bypass, Map<Node, Node> copies) {
        while (bypass.containsKey(e.node())) e = bypass.get(e.node());
        return new NodeEntry(copies.get(e.node()), e.index(), e.version());
    }
}
