package org.quantize4j.gluon;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Automatic names, as MXNet 1.x's {@code mx.name.NameManager} and {@code mx.name.Prefix}: a name not given
 * explicitly becomes {@code hint + counter} ({@code conv0}, {@code _plus1}), counted per hint. The
 * process-wide (per thread, as in Python) manager names top-level blocks: the first {@code ResNetV1} gets
 * {@code resnetv10_}, the second {@code resnetv11_}. While a block's scope is open, a prefixed manager
 * names its operators ({@code resnetv10_stage1_} + {@code _plus0}).
 *
 * <pre>{@code
 * try (NameScope s = NameManager.fresh()) {     // like "with mx.name.NameManager():"
 *     Block a = ModelZoo.get("resnet18_v1", 1000);       // resnetv10_
 * }
 * }</pre>
 */
public class NameManager {
    private static final ThreadLocal<Deque<NameManager>> STACK = ThreadLocal.withInitial(() -> {
        Deque<NameManager> d = new ArrayDeque<>();
        d.push(new NameManager());
        return d;
    });

    private final Map<String, Integer> counter = new HashMap<>();

    /** The manager in effect on this thread. */
    public static NameManager current() {
        return STACK.get().peek();
    }

    /** Opens a fresh manager (all counters at 0) until the scope is closed. */
    public static NameScope fresh() {
        return push(new NameManager());
    }

    static NameScope push(NameManager m) {
        Deque<NameManager> d = STACK.get();
        d.push(m);
        return () -> {
            if (d.peek() != m) throw new IllegalStateException("name scopes closed out of order");
            d.pop();
        };
    }

    /** {@code name} if given, else {@code hint} with the next number for that hint. */
    public String get(String name, String hint) {
        if (name != null && !name.isEmpty()) return name;
        int c = counter.getOrDefault(hint, 0);
        counter.put(hint, c + 1);
        return hint + c;
    }

    /** A manager that puts {@code prefix} before every name, as {@code mx.name.Prefix}. */
    static final class Prefix extends NameManager {
        private final String prefix;

        Prefix(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public String get(String name, String hint) {
            return prefix + super.get(name, hint);
        }
    }
}
