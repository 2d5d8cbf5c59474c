package org.quantize4j.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.runtime.ExecutorProfile;
import org.quantize4j.runtime.StepProfile;

/**
 * The per-step profile of {@code bench --profile}, slowest step first: time per iteration, share of the
 * steps' total, node, MXNet op, oneDNN primitive kind and implementation, plus the reorder counts. Reorders
 * come in three sorts: at the graph boundary (reading the input or writing an output: expected), layout
 * changes the executor inserted between two kernels inside the graph (named after the node they feed,
 * {@code conv0_fwd_in}, not a node of the graph: the ones a better layout choice would avoid), and ops whose
 * kernel is a reorder (requantize, dequantize, an add's input rescale: named after their node).
 *
 * <pre>{@code
 * ProfileReport r = new ProfileReport(executor.profile(20), symbol);
 * r.print(out, "int8, batch 1, threads 1");
 * json.set("profile", r.toJson(json.objectNode()));
 * }</pre>
 */
final class ProfileReport {
    private final ExecutorProfile profile;
    private final Symbol symbol;
    private final Map<String, NodeEntry> internals;

    ProfileReport(ExecutorProfile profile, Symbol symbol) {
        this.profile = profile;
        this.symbol = symbol;
        this.internals = symbol.internals();
    }

    /**
     * The MXNet op of the node a step belongs to: a reorder feeding a node is named after it
     * ({@code conv0_fwd_in}), one writing a graph output after the output ({@code fc1_fwd_output}); "" if none.
     */
    String opOf(String stepName) {
        Node n = symbol.find(stepName);
        if (n == null && stepName.endsWith("_in")) n = symbol.find(stepName.substring(0, stepName.length() - 3));
        if (n == null) {
            NodeEntry e = internals.get(stepName);
            if (e != null) n = e.node();
        }
        return n == null || n.isVariable() ? "" : n.op();
    }

    /** A reorder inside the graph that is not an op's own kernel: a layout change between two kernels. */
    boolean isLayoutReorder(StepProfile s) {
        return s.isReorder() && !s.boundary() && symbol.find(s.nodeName()) == null;
    }

    int layoutReordersInside() {
        int n = 0;
        for (StepProfile s : profile.steps()) if (isLayoutReorder(s)) n++;
        return n;
    }

    private String kindText(StepProfile s) {
        if (!s.isReorder()) return s.kind();
        return s.boundary() ? "reorder (graph in/out)" : isLayoutReorder(s) ? "reorder (layout)" : "reorder (op)";
    }

    private double percent(StepProfile s, long stepNanos) {
        return stepNanos == 0 ? 0 : 100.0 * s.totalNanos() / stepNanos;
    }

    /** Fills {@code o} with the summary and one object per step, slowest first. */
    ObjectNode toJson(ObjectNode o) {
        long stepNanos = profile.stepNanos();
        o.put("iterations", profile.iterations());
        o.put("total_ms", profile.totalNanos() / 1e6);
        o.put("ms_per_iteration", profile.millisPerIteration());
        o.put("steps_total_ms", stepNanos / 1e6);
        o.put("num_steps", profile.steps().size());
        o.put("reorders", profile.reorders());
        o.put("reorders_inside", profile.reordersInside());
        o.put("layout_reorders_inside", layoutReordersInside());
        ArrayNode steps = o.putArray("steps");
        for (StepProfile s : profile.sortedByTime()) {
            ObjectNode j = steps.addObject();
            j.put("index", s.index());
            j.put("node", s.nodeName());
            j.put("op", opOf(s.nodeName()));
            j.put("kind", s.kind());
            j.put("impl", s.impl());
            j.put("calls", s.calls());
            j.put("total_ms", s.totalNanos() / 1e6);
            j.put("ms_per_iteration", s.millisPerCall());
            j.put("percent", percent(s, stepNanos));
            if (s.isReorder()) {
                j.put("boundary", s.boundary());
                j.put("layout", isLayoutReorder(s));
            }
        }
        return o;
    }

    /** A table, slowest step first, headed by {@code title} and the totals. */
    void print(PrintWriter out, String title) {
        long stepNanos = profile.stepNanos();
        int inside = profile.reordersInside();
        int layout = layoutReordersInside();
        out.printf("profile of %s: %d iterations, %.3f ms per iteration (steps %.3f ms); %d steps, %d reorder%s"
                        + " (%d at the graph input/output; inside the graph %d layout change%s between kernels"
                        + " and %d run by ops)%n",
                title, profile.iterations(), profile.millisPerIteration(), stepNanos / 1e6 / profile.iterations(),
                profile.steps().size(), profile.reorders(), profile.reorders() == 1 ? "" : "s",
                profile.reorders() - inside, layout, layout == 1 ? "" : "s", inside - layout);
        List<StepProfile> sorted = profile.sortedByTime();
        int nodeWidth = 4;
        int opWidth = 2;
        for (StepProfile s : sorted) {
            nodeWidth = Math.max(nodeWidth, s.nodeName().length());
            opWidth = Math.max(opWidth, opOf(s.nodeName()).length());
        }
        String row = "  %10s %7s  %-" + nodeWidth + "s  %-" + opWidth + "s  %-22s  %s%n";
        out.printf(row, "ms/iter", "%", "node", "op", "kind", "impl");
        for (StepProfile s : sorted) {
            String kind = kindText(s);
            out.printf(row, String.format("%.4f", s.millisPerCall()), String.format("%.2f%%", percent(s, stepNanos)),
                    s.nodeName(), opOf(s.nodeName()), kind, s.impl());
        }
    }
}
