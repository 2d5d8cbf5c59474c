package org.quantize4j.gluon;

/**
 * Gluon 1.x's {@code _BlockScope}: which block's scope is open on this thread, how a new block gets its
 * prefix and parameter dictionary, and the prefixed {@link NameManager} that names operators while a
 * block's scope is open.
 */
final class BlockScope {
    private static final ThreadLocal<Block> CURRENT = new ThreadLocal<>();

    private BlockScope() {
    }

    record Created(String prefix, ParameterDict params) {
    }

    /**
     * The full prefix and parameter dictionary of a new block. Outside any scope a block without a prefix is
     * named by the thread's {@link NameManager} ({@code resnetv10_}); inside a scope it is named by that scope's
     * counter ({@code conv0_}) and its prefix is appended to the scope block's.
     */
    static Created create(String prefix, ParameterDict params, String hint) {
        Block current = CURRENT.get();
        if (current == null) {
            if (prefix == null) prefix = NameManager.current().get(null, hint) + "_";
            ParameterDict dict = params == null ? new ParameterDict(prefix) : new ParameterDict(params.prefix(), params);
            return new Created(prefix, dict);
        }
        if (prefix == null) {
            int count = current.scopeCounter.getOrDefault(hint, 0);
            prefix = hint + count + "_";
            current.scopeCounter.put(hint, count + 1);
        }
        ParameterDict dict;
        if (params == null) {
            ParameterDict parent = current.params();
            dict = new ParameterDict(parent.prefix() + prefix, parent.shared());
        } else {
            dict = new ParameterDict(params.prefix(), params);
        }
        return new Created(current.prefix() + prefix, dict);
    }

    /**
     * Opens {@code block}'s scope: new blocks become its children by name, operators get its prefix. A block
     * created with the empty prefix has no scope of its own (its operators and children are named in the
     * enclosing scope), as in Gluon.
     */
    static NameScope enter(Block block) {
        if (block.hasEmptyPrefix()) return () -> { };
        Block old = CURRENT.get();
        CURRENT.set(block);
        NameScope names = NameManager.push(new NameManager.Prefix(block.prefix()));
        return () -> {
            names.close();
            if (old == null) CURRENT.remove();
            else CURRENT.set(old);
        };
    }
}
