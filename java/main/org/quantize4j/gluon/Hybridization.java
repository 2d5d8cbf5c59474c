package org.quantize4j.gluon;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.quantize4j.graph.Node;

/**
 * State of one symbol construction on this thread: the variable node of each parameter (one per
 * construction, so graphs built twice are equal), the version counters MXNet keeps on variables that ops
 * mutate (BatchNorm's running statistics get version 1), and which block created each node (for errors).
 */
final class Hybridization implements AutoCloseable {
    private static final ThreadLocal<Hybridization> CURRENT = new ThreadLocal<>();

    private final Map<Parameter, Node> vars = new IdentityHashMap<>();
    private final Map<Node, Integer> versions = new IdentityHashMap<>();
    private final Deque<String> blocks = new ArrayDeque<>();
    private final Deque<Block> blockStack = new ArrayDeque<>();
    private final Deque<String> paths = new ArrayDeque<>();
    private final Map<String, String> owners = new HashMap<>();
    private final Hybridization previous;

    private Hybridization(Hybridization previous) {
        this.previous = previous;
    }

    static Hybridization begin() {
        Hybridization h = new Hybridization(CURRENT.get());
        CURRENT.set(h);
        return h;
    }

    /** The open construction, or null. */
    static Hybridization openOrNull() {
        return CURRENT.get();
    }

    /** The open construction, or a throwaway one when operators are used outside {@link Block#hybridize()}. */
    static Hybridization current() {
        Hybridization h = CURRENT.get();
        return h != null ? h : new Hybridization(null);
    }

    @Override
    public void close() {
        if (previous == null) CURRENT.remove();
        else CURRENT.set(previous);
    }

    Node var(Parameter p) {
        return vars.computeIfAbsent(p, k -> {
            Node n = new Node(Node.VARIABLE_OP, k.name(), k.varAttrs(), java.util.List.of(), 1);
            owners.putIfAbsent(n.name(), "parameter '" + k.name() + "'" + (blocks.isEmpty() ? "" : " of " + blocks.peek()));
            return n;
        });
    }

    /** The version an input edge to variable {@code v} gets; {@code mutate} bumps it first (nnvm's UpdateNodeVersion). */
    int version(Node v, boolean mutate) {
        int cur = versions.getOrDefault(v, 0);
        if (mutate) versions.put(v, ++cur);
        return cur;
    }

    void enter(Block b) {
        Block parent = blockStack.peek();
        String childName = parent == null ? "" : parent.childName(b);
        if (childName == null) childName = "?";
        blockStack.push(b);
        String path = paths.isEmpty() ? "" : (paths.peek().isEmpty() ? childName : paths.peek() + "." + childName);
        paths.push(path);
        blocks.push(b.getClass().getSimpleName() + " '" + b.prefix() + "'" + (path.isEmpty() ? "" : " (at " + path + ")"));
    }

    void exit() {
        blockStack.pop();
        paths.pop();
        blocks.pop();
    }

    void recordOwner(Node n) {
        if (!blocks.isEmpty()) owners.putIfAbsent(n.name(), blocks.peek());
    }

    /** Node name -> description of the block that created it. */
    Map<String, String> owners() {
        return owners;
    }
}
