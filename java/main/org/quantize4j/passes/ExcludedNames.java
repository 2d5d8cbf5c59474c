package org.quantize4j.passes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.Symbol;
import org.quantize4j.passes.fusion.FusionResult;
import org.slf4j.Logger;

/**
 * Which nodes of a fused graph the user excluded from quantization, accepting the names of the original
 * graph, the fused names and glob patterns (the long-standing MXNet complaint mxnet#16929: after
 * {@code quantize_model_mkldnn} fused the graph, only fused names such as {@code sg_mkldnn_conv_bn_act_0}
 * worked). A fused node is excluded when its own name, or the name of an original node inside it, is
 * excluded or matches a pattern.
 *
 * <p>Patterns ({@code exclude_layers_match}): {@code *} matches any characters, {@code ?} one; a pattern
 * without wildcards matches every name containing it (MXNet's {@code name.find(pattern) != -1}).
 *
 * <pre>{@code
 * FusionResult f = FusionPass.run(sym, FusionOptions.defaults().withForQuantization(true));
 * ExcludedNames.Resolved r = ExcludedNames.resolve(sym, f, Set.of("resnetv10_conv0_fwd"), List.of("*stage4*"), log);
 * r.nodes();          // [sg_mkldnn_conv_bn_act_0, sg_mkldnn_conv_bn_act_15, ...] (names in the fused graph)
 * }</pre>
 */
public final class ExcludedNames {
    private ExcludedNames() {
    }

    /**
     * The exclusion, resolved.
     *
     * @param nodes           op nodes of the fused graph to keep FP32, in graph order
     * @param reasons         per excluded node: the name or pattern that excluded it
     * @param unknownNames    excluded names that match no node of either graph, each with near matches
     * @param unusedPatterns  patterns that match no node
     */
    public record Resolved(Set<String> nodes, Map<String, String> reasons, Map<String, List<String>> unknownNames,
                           List<String> unusedPatterns) {
        public Resolved {
            nodes = Collections.unmodifiableSet(new LinkedHashSet<>(nodes));
            reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
            unknownNames = Collections.unmodifiableMap(new LinkedHashMap<>(unknownNames));
            unusedPatterns = List.copyOf(unusedPatterns);
        }
    }

    /**
     * Resolves {@code names} (original or fused node names) and {@code patterns} against the fused graph of
     * {@code fusion}; unknown names and unused patterns are logged as warnings (with near matches).
     *
     * @param original the graph before fusion (for original names that fusion removed, e.g. a Dropout)
     */
    public static Resolved resolve(Symbol original, FusionResult fusion, Collection<String> names,
                                   Collection<String> patterns, Logger log) {
        Set<String> wanted = new LinkedHashSet<>(names);
        List<Pattern> compiled = new ArrayList<>();
        for (String p : patterns) compiled.add(glob(p));
        Set<String> usedNames = new LinkedHashSet<>();
        boolean[] usedPatterns = new boolean[compiled.size()];
        Set<String> out = new LinkedHashSet<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        for (Node n : fusion.symbol().nodes()) {
            if (n.isVariable()) continue;
            List<String> candidates = new ArrayList<>();
            candidates.add(n.name());
            for (Symbol sub : n.subgraphs()) {
                for (Node in : sub.nodes()) if (!in.isVariable()) candidates.add(in.name());
            }
            for (String c : candidates) {
                String why = null;
                if (wanted.contains(c)) {
                    usedNames.add(c);
                    why = c.equals(n.name()) ? "name " + c : "name " + c + " (inside " + n.name() + ")";
                }
                for (int i = 0; i < compiled.size(); i++) {
                    if (compiled.get(i).matcher(c).matches()) {
                        usedPatterns[i] = true;
                        if (why == null) why = "pattern " + List.copyOf(patterns).get(i) + " matches " + c;
                    }
                }
                if (why != null && out.add(n.name())) reasons.put(n.name(), why);
            }
        }
        // Original names absorbed by fusion in other ways (a removed Dropout) are known, not typos.
        Set<String> known = new LinkedHashSet<>();
        for (Node n : original.nodes()) known.add(n.name());
        for (Node n : fusion.symbol().nodes()) known.add(n.name());
        Map<String, List<String>> unknown = new LinkedHashMap<>();
        List<String> all = new ArrayList<>();
        for (String k : known) all.add(k);
        for (String name : wanted) {
            if (usedNames.contains(name)) continue;
            if (known.contains(name) || fusion.fusedNameOf().containsKey(name)) {
                log.warn("excluded node '{}' is a variable or was removed by fusion; nothing to exclude", name);
                continue;
            }
            List<String> near = QuantizePass.nearMatches(name, all, 5);
            unknown.put(name, near);
            log.warn("excluded node '{}' exists neither in the graph nor among the fused names{}", name,
                    near.isEmpty() ? "" : "; did you mean " + String.join(", ", near) + "?");
        }
        List<String> unused = new ArrayList<>();
        int i = 0;
        for (String p : patterns) {
            if (!usedPatterns[i++]) {
                unused.add(p);
                log.warn("exclude pattern '{}' matches no node (original or fused)", p);
            }
        }
        reasons.forEach((node, why) -> log.debug("excluded from quantization: {} ({})", node, why));
        return new Resolved(out, reasons, unknown, unused);
    }

    /** Whether {@code name} matches {@code pattern} (see the class comment). */
    public static boolean matches(String pattern, String name) {
        return glob(pattern).matcher(name).matches();
    }

    /** The regex of a glob; a pattern without wildcards becomes {@code *pattern*}. */
    static Pattern glob(String pattern) {
        String p = pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 ? "*" + pattern + "*" : pattern;
        StringBuilder re = new StringBuilder();
        StringBuilder lit = new StringBuilder();
        for (char c : p.toCharArray()) {
            if (c == '*' || c == '?') {
                if (lit.length() > 0) {
                    re.append(Pattern.quote(lit.toString()));
                    lit.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                lit.append(c);
            }
        }
        if (lit.length() > 0) re.append(Pattern.quote(lit.toString()));
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }
}
