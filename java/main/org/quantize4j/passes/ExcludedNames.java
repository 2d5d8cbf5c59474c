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
     * @param unusedPatterns  patterns that match no node, each with the node names it nearly matches
     */
    public record Resolved(Set<String> nodes, Map<String, String> reasons, Map<String, List<String>> unknownNames,
                           Map<String, List<String>> unusedPatterns) {
        public Resolved {
            nodes = Collections.unmodifiableSet(new LinkedHashSet<>(nodes));
            reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
            unknownNames = Collections.unmodifiableMap(new LinkedHashMap<>(unknownNames));
            unusedPatterns = Collections.unmodifiableMap(new LinkedHashMap<>(unusedPatterns));
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
        Map<String, List<String>> unused = new LinkedHashMap<>();
        Set<String> opNameSet = new LinkedHashSet<>();
        for (Node n : original.nodes()) if (!n.isVariable()) opNameSet.add(n.name());
        for (Node n : fusion.symbol().nodes()) if (!n.isVariable()) opNameSet.add(n.name());
        List<String> opNames = new ArrayList<>(opNameSet);
        int i = 0;
        for (String p : patterns) {
            if (!usedPatterns[i++]) {
                List<String> near = nearPatternMatches(p, opNames, 5);
                unused.put(p, near);
                log.warn("exclude pattern '{}' matches no node (original or fused){}", p,
                        near.isEmpty() ? "" : "; names it nearly matches: " + String.join(", ", near));
            }
        }
        reasons.forEach((node, why) -> log.debug("excluded from quantization: {} ({})", node, why));
        return new Resolved(out, reasons, unknown, unused);
    }

    /**
     * Up to {@code limit} of {@code names} that {@code pattern} nearly matches, closest first: each literal part of
     * the pattern (between wildcards) is looked up approximately inside the name (the smallest edit distance to any
     * substring); a name is near when the distances add up to at most a quarter of the literal length (at least 1).
     */
    public static List<String> nearPatternMatches(String pattern, List<String> names, int limit) {
        List<String> parts = new ArrayList<>();
        int literal = 0;
        for (String part : pattern.toLowerCase().split("[*?]+")) {
            if (part.isEmpty()) continue;
            parts.add(part);
            literal += part.length();
        }
        if (parts.isEmpty()) return List.of();
        int max = Math.max(1, literal / 4);
        List<Map.Entry<String, Integer>> scored = new ArrayList<>();
        for (String name : names) {
            String lower = name.toLowerCase();
            int d = 0;
            for (String part : parts) {
                d += substringDistance(part, lower);
                if (d > max) break;
            }
            if (d <= max) scored.add(Map.entry(name, d));
        }
        scored.sort(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Integer> e : scored) {
            if (out.size() >= limit) break;
            out.add(e.getKey());
        }
        return out;
    }

    /** The smallest edit distance between {@code part} and any substring of {@code text} (Sellers' algorithm). */
    static int substringDistance(String part, String text) {
        int[] prev = new int[text.length() + 1];   // row 0: a match may start anywhere, free
        int[] cur = new int[text.length() + 1];
        for (int i = 1; i <= part.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= text.length(); j++) {
                int cost = part.charAt(i - 1) == text.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        int best = Integer.MAX_VALUE;
        for (int v : prev) best = Math.min(best, v);
        return best;
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
