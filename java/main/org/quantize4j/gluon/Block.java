package org.quantize4j.gluon;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.quantize4j.Model;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.ShapeInferenceException;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.gluon.init.Initializer;
import org.quantize4j.gluon.init.Uniform;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.ParamsFile;
import org.quantize4j.runtime.Executor;
import org.quantize4j.runtime.ExecutorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network block in Gluon 1.x's shape ({@code HybridBlock}): it has a name prefix, parameters, child
 * blocks, and one method to write, {@link #hybridForward(Sym)}, which states the computation with
 * {@link F} operators. {@link #hybridize()} turns the block into an MXNet {@link Symbol} named exactly as
 * Gluon names it ({@code resnetv10_stage1_conv0_fwd}, {@code resnetv10_stage1_conv0_weight}), so
 * {@link #export} writes files MXNet loads, and {@link #forward} runs the block on our oneDNN runtime.
 *
 * <p>Naming follows Gluon: a block created outside any scope is named by the thread's
 * {@link NameManager} ({@code hint + counter}, the hint being the lower-cased class name); blocks created
 * inside {@code try (NameScope s = nameScope())} get {@code parentPrefix + hint + counter_}; a block created
 * with the empty prefix {@code ""} shares its parent's prefix and has no scope of its own.
 *
 * <pre>{@code
 * class Residual extends Block {
 *     private final HybridSequential body;
 *     Residual(int channels) {
 *         super("");                                   // no own prefix, as Gluon's prefix=''
 *         body = register("body", new HybridSequential(""));
 *         body.add(Conv2D.builder(channels, 3).padding(1).useBias(false).build(), new BatchNorm(),
 *                  new Activation("relu"), Conv2D.builder(channels, 3).padding(1).useBias(false).build(),
 *                  new BatchNorm());
 *     }
 *     public Sym hybridForward(Sym x) {
 *         return F.activation(body.call(x).plus(x), "relu");
 *     }
 * }
 * HybridSequential net = new HybridSequential();
 * try (NameScope s = net.nameScope()) {
 *     net.add(Conv2D.builder(16, 3).padding(1).build(), new Residual(16), new GlobalAvgPool2D(), new Dense(10));
 * }
 * net.initialize(new Xavier(), 42);
 * NDArray logits = net.forward(NDArray.zeros(new long[] {8, 1, 28, 28}, DType.FLOAT32));   // (8, 10)
 * net.export("out/mynet", 0);                            // out/mynet-symbol.json + out/mynet-0000.params
 * }</pre>
 *
 * Not thread-safe; executors built by {@link #forward} are kept per input shape until {@link #close()}.
 */
public abstract class Block implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Block.class);
    /** MXNet version written into symbol files (what MXNet 1.9.1 writes). */
    public static final int MXNET_VERSION = 10900;

    private final String hint;
    private final String prefix;
    private final boolean emptyPrefix;
    private final ParameterDict params;
    private final LinkedHashMap<String, Block> children = new LinkedHashMap<>();
    private final LinkedHashMap<String, Parameter> regParams = new LinkedHashMap<>();
    /** Gluon's _BlockScope._counter: numbers for blocks created inside this block's scope. */
    final Map<String, Integer> scopeCounter = new java.util.HashMap<>();

    private Symbol cachedSymbol;
    private Map<String, String> nodeOwners = Map.of();
    private final Map<String, Executor> executors = new LinkedHashMap<>();
    private long executorStamp = -1;
    private ExecutorOptions executorOptions = ExecutorOptions.defaults();

    /** A block named automatically ({@code hint + counter}). */
    protected Block() {
        this(null, null, null);
    }

    /** A block with the given prefix ({@code ""} = share the parent's prefix, null = automatic). */
    protected Block(String prefix) {
        this(prefix, null, null);
    }

    /**
     * @param prefix prefix relative to the enclosing scope; null = {@code hint + counter + "_"}; "" = none
     * @param params a dictionary to share parameters with, or null
     * @param hint   the base of automatic names; null = the lower-cased class name (Gluon's {@code _alias()})
     */
    protected Block(String prefix, ParameterDict params, String hint) {
        this.hint = hint != null ? hint : defaultHint(getClass());
        this.emptyPrefix = "".equals(prefix);
        BlockScope.Created c = BlockScope.create(prefix, params, this.hint);
        this.prefix = c.prefix();
        this.params = c.params();
    }

    /** For {@link SymbolBlock}: named like any block (consuming a counter), then given the empty prefix. */
    Block(ParameterDict params, String hint, boolean symbolBlock) {
        this.hint = hint;
        this.emptyPrefix = false;
        BlockScope.create(null, null, hint);
        this.prefix = "";
        this.params = new ParameterDict("", params);
    }

    private static String defaultHint(Class<?> c) {
        while (c.getSimpleName().isEmpty()) c = c.getSuperclass();
        return c.getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** The full prefix of this block's names, e.g. {@code resnetv10_stage1_}. */
    public String prefix() { return prefix; }

    /** The prefix without its trailing underscore, e.g. {@code resnetv10_stage1}. */
    public String name() { return prefix.endsWith("_") ? prefix.substring(0, prefix.length() - 1) : prefix; }

    /** The base of automatic names of blocks of this kind ({@code conv}, {@code batchnorm}, {@code relu}). */
    public String alias() { return hint; }

    boolean hasEmptyPrefix() { return emptyPrefix; }

    /** This block's own parameter dictionary (not its children's; see {@link #collectParams()}). */
    public ParameterDict params() { return params; }

    /** The child blocks by attribute name, in registration order. */
    public Map<String, Block> children() { return Collections.unmodifiableMap(children); }

    /** The parameters this block registered, by attribute name ({@code weight}, {@code running_mean}). */
    public Map<String, Parameter> registeredParams() { return Collections.unmodifiableMap(regParams); }

    /**
     * Opens this block's naming scope (Gluon's {@code with self.name_scope():}): blocks created inside become
     * {@code prefix + hint + counter_}, operators get this block's prefix.
     */
    public final NameScope nameScope() {
        return BlockScope.enter(this);
    }

    /** Registers a child block under an attribute name (Gluon does this on attribute assignment). */
    protected final <T extends Block> T register(String name, T child) {
        if (child == null) throw new IllegalArgumentException("child block '" + name + "' of " + this + " is null");
        if (child == this) throw new IllegalArgumentException("block " + this + " cannot be its own child");
        children.put(name, child);
        clearCache();
        return child;
    }

    /**
     * Creates (or finds) parameter {@code prefix + name} in this block's dictionary and registers it under
     * {@code name}, as Gluon's {@code self.weight = self.params.get('weight', ...)}.
     */
    protected final Parameter param(String name, long[] shape, Initializer init) {
        return param(name, shape, init, "write", true, true);
    }

    /** {@link #param(String, long[], Initializer)} with Gluon's grad_req, allow_deferred_init, differentiable. */
    protected final Parameter param(String name, long[] shape, Initializer init, String gradReq,
                                    boolean allowDeferredInit, boolean differentiable) {
        Parameter p = params.get(name, shape, init, gradReq, allowDeferredInit, differentiable);
        registerParam(name, p);
        return p;
    }

    /** Registers an existing parameter under an attribute name. */
    protected final void registerParam(String name, Parameter p) {
        regParams.put(name, p);
        clearCache();
    }

    /**
     * The computation on symbolic values; the one method a block implements. Parameters enter as
     * {@code param.var()}, child blocks as {@code child.call(x)}.
     */
    public Sym hybridForward(Sym x) {
        throw new UnsupportedOperationException("block " + describe() + " does not implement hybridForward(Sym)");
    }

    /** For blocks with several inputs; the default takes exactly one and calls {@link #hybridForward(Sym)}. */
    public Sym hybridForward(List<Sym> inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("block " + describe() + " takes one input, got " + inputs.size()
                    + "; override hybridForward(List<Sym>) for several");
        }
        return hybridForward(inputs.get(0));
    }

    /** Applies this block to symbolic inputs (Gluon's {@code block(x)} on symbols). */
    public final Sym call(Sym... inputs) {
        Hybridization open = Hybridization.openOrNull();
        Hybridization h = open != null ? open : Hybridization.begin();
        h.enter(this);
        try (NameScope s = nameScope()) {
            Sym out = hybridForward(List.of(inputs));
            if (out == null) throw new IllegalStateException("block " + describe() + " returned null from hybridForward");
            return out;
        } finally {
            h.exit();
            if (open == null) h.close();
        }
    }

    /** The attribute name under which {@code child} is registered here, or null. */
    String childName(Block child) {
        for (Map.Entry<String, Block> e : children.entrySet()) if (e.getValue() == child) return e.getKey();
        return null;
    }

    /** A short description for messages: class, prefix. */
    public String describe() {
        return getClass().getSimpleName() + " '" + prefix + "'";
    }

    // ------------------------------------------------------------------ parameters

    /** Every parameter of this block and its descendants, in Gluon's {@code collect_params()} order. */
    public ParameterDict collectParams() {
        ParameterDict out = new ParameterDict(params.prefix());
        collectInto(out);
        return out;
    }

    /** The parameters whose names match {@code regex}. */
    public ParameterDict collectParams(String regex) {
        return collectParams().select(regex);
    }

    private void collectInto(ParameterDict out) {
        out.update(params);
        for (Block c : children.values()) c.collectInto(out);
    }

    /** Initializes every parameter with Gluon's default, {@code Uniform(0.07)}, seed 0. */
    public void initialize() {
        initialize(new Uniform(), 0);
    }

    /** Initializes every parameter with its own initializer or {@code init}; random values from {@code seed}. */
    public void initialize(Initializer init, long seed) {
        initialize(init, seed, false);
    }

    public void initialize(Initializer init, long seed, boolean forceReinit) {
        collectParams().initialize(init, seed, forceReinit);
    }

    /** Parameters by structural name ({@code features.0.weight}), as Gluon's save_parameters uses. */
    public Map<String, Parameter> structuredParams() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectStructured("", out);
        return out;
    }

    private void collectStructured(String path, Map<String, Parameter> out) {
        String p = path.isEmpty() ? "" : path + ".";
        for (Map.Entry<String, Parameter> e : regParams.entrySet()) out.put(p + e.getKey(), e.getValue());
        for (Map.Entry<String, Block> e : children.entrySet()) e.getValue().collectStructured(p + e.getKey(), out);
    }

    /** Saves the values under structural names (Gluon's {@code save_parameters}). */
    public void saveParameters(Path file) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : structuredParams().entrySet()) out.put(e.getKey(), e.getValue().data());
        ParamsFile.save(file, out);
    }

    /** Loads values saved by {@link #saveParameters} (Gluon's {@code load_parameters}). */
    public void loadParameters(Path file) {
        loadParameters(file, false, false);
    }

    /**
     * Loads structurally named values; a file without structural names (no '.') is loaded as Gluon's legacy
     * path does: names without this block's prefix, e.g. files of {@code collectParams().save(f, prefix())}.
     */
    public void loadParameters(Path file, boolean allowMissing, boolean ignoreExtra) {
        Map<String, NDArray> loaded = ParamsFile.load(file);
        Map<String, Parameter> params = structuredParams();
        if (loaded.isEmpty() && params.isEmpty()) return;
        boolean structural = false;
        for (String k : loaded.keySet()) structural |= k.contains(".");
        if (!structural) {
            String pre = prefix;
            collectParams().load(loaded, file.toString(), allowMissing, ignoreExtra, n -> pre + n);
            return;
        }
        if (!allowMissing) {
            for (String n : params.keySet()) {
                if (!loaded.containsKey(n)) {
                    throw new IllegalArgumentException("parameter '" + n + "' is missing in file '" + file
                            + "', which contains " + loaded.keySet() + " (allowMissing=true to ignore)");
                }
            }
        }
        for (Map.Entry<String, NDArray> e : loaded.entrySet()) {
            Parameter p = params.get(e.getKey());
            if (p == null) {
                if (!ignoreExtra) {
                    throw new IllegalArgumentException("parameter '" + e.getKey() + "' loaded from file '" + file
                            + "' is not present in the block, which has " + params.keySet() + " (ignoreExtra=true to ignore)");
                }
                continue;
            }
            p.setData(e.getValue());
        }
    }

    // ------------------------------------------------------------------ symbols

    /**
     * The block as an MXNet symbol with input {@code data} ({@code data0}, {@code data1}, ... for several
     * inputs), built once and cached (Gluon's hybridize + first forward). Variables carry Gluon's attributes
     * with the declared shapes ({@code __shape__ "(64, 0, 7, 7)"}).
     */
    public Symbol hybridize() {
        if (cachedSymbol == null) {
            cachedSymbol = toSymbol(defaultInputNames(numInputs()));
        }
        return cachedSymbol;
    }

    /** Number of inputs {@link #hybridize()} gives the block (1 unless overridden). */
    public int numInputs() {
        return 1;
    }

    /** Gluon's input names: {@code data}, or {@code data0..dataN-1}. */
    public static List<String> defaultInputNames(int n) {
        if (n == 1) return List.of("data");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add("data" + i);
        return out;
    }

    /** Builds the symbol afresh with the given input names (not cached). */
    public Symbol toSymbol(List<String> inputNames) {
        try (Hybridization h = Hybridization.begin()) {
            Sym[] in = new Sym[inputNames.size()];
            for (int i = 0; i < in.length; i++) in[i] = F.var(inputNames.get(i));
            Sym out = call(in);
            Map<String, Object> attrs = new LinkedHashMap<>();
            attrs.put("mxnet_version", List.of("int", MXNET_VERSION));
            nodeOwners = Map.copyOf(h.owners());
            return Symbol.fromOutputs(out.outputs(), attrs);
        }
    }

    /** Input names of the hybridized symbol: its variables that are not parameters. */
    public List<String> inputNames() {
        Symbol sym = hybridize();
        Set<String> ps = collectParams().asMap().keySet();
        List<String> out = new ArrayList<>();
        for (String v : sym.listInputs()) if (!ps.contains(v)) out.add(v);
        return out;
    }

    /** Drops the cached symbol and executors (after the block's structure changed). */
    protected void clearCache() {
        cachedSymbol = null;
        closeExecutors();
    }

    /**
     * Infers every parameter's shape from input shapes and finishes deferred initialization (Gluon's
     * {@code infer_shape} + deferred init), without running anything.
     *
     * @throws BlockShapeException naming the block whose shapes do not fit or cannot be inferred
     */
    public void inferShape(long[]... inputShapes) {
        prepare(shapeMap(inputShapes));
    }

    private Map<String, long[]> shapeMap(long[]... inputShapes) {
        List<String> names = inputNames();
        if (names.size() != inputShapes.length) {
            throw new IllegalArgumentException("block " + describe() + " has inputs " + names + " but " + inputShapes.length
                    + " shape(s) were given");
        }
        Map<String, long[]> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) m.put(names.get(i), inputShapes[i].clone());
        return m;
    }

    private void prepare(Map<String, long[]> shapes) {
        Symbol sym = hybridize();
        ShapeInference.Result r;
        try {
            r = ShapeInference.infer(sym, shapes);
        } catch (ShapeInferenceException e) {
            String owner = e.nodeName() == null ? null : nodeOwners.get(e.nodeName());
            throw new BlockShapeException(owner != null ? owner : describe(), "cannot infer the shapes of block "
                    + (owner != null ? owner : describe()) + " for input shapes " + fmt(shapes) + ": " + e.getMessage(), e);
        }
        Map<String, long[]> vs = r.variableShapes();
        for (Parameter p : collectParams()) {
            long[] s = vs.get(p.name());
            String owner = nodeOwners.get(p.name());
            if (owner == null) {
                String path = pathOf(p, "");
                owner = "parameter '" + p.name() + "'" + (path == null ? "" : " of " + path);
            }
            try {
                if (s != null) p.completeShape(s);
                if (!p.shapeKnown()) {
                    throw new IllegalStateException("the shape " + PyFormat.str(p.shape()) + " of parameter '" + p.name()
                            + "' cannot be inferred" + (s == null ? " (the graph does not use it)" : ""));
                }
                p.finishDeferredInit();
            } catch (IllegalStateException | IllegalArgumentException e) {
                throw new BlockShapeException(owner, "deferred initialization failed for " + owner + " with input shapes "
                        + fmt(shapes) + ": " + e.getMessage(), e);
            }
        }
    }

    /** "Class 'prefix' (at a.b)" of the block that registered {@code p}, or null. */
    private String pathOf(Parameter p, String path) {
        for (Parameter q : regParams.values()) {
            if (q == p) return describe() + (path.isEmpty() ? "" : " (at " + path + ")");
        }
        for (Map.Entry<String, Block> e : children.entrySet()) {
            String r = e.getValue().pathOf(p, path.isEmpty() ? e.getKey() : path + "." + e.getKey());
            if (r != null) return r;
        }
        return null;
    }

    private static String fmt(Map<String, long[]> shapes) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            if (sb.length() > 1) sb.append(", ");
            sb.append(e.getKey()).append('=').append(PyFormat.str(e.getValue()));
        }
        return sb.append('}').toString();
    }

    // ------------------------------------------------------------------ running

    /** Threads etc. of the executors {@link #forward} builds (applies to executors built afterwards). */
    public void setExecutorOptions(ExecutorOptions options) {
        this.executorOptions = options;
        closeExecutors();
    }

    /**
     * Runs the block on NCHW float32 inputs with our FP32 runtime and returns a copy of its first output.
     * The first call for an input shape infers parameter shapes, finishes deferred initialization and builds
     * an executor, which later calls with the same shape reuse (rebuilt when a parameter value changed).
     */
    public NDArray forward(NDArray... inputs) {
        return forwardAll(inputs).get(0);
    }

    /** Like {@link #forward} but returns every output. */
    public List<NDArray> forwardAll(NDArray... inputs) {
        long[][] shapes = new long[inputs.length][];
        for (int i = 0; i < inputs.length; i++) shapes[i] = inputs[i].shape();
        Executor ex = executor(shapes);
        List<String> mine = inputNames();
        for (int i = 0; i < inputs.length; i++) {
            NDArray in = inputs[i];
            FloatBuffer fb = in.dtype() == org.quantize4j.ndarray.DType.FLOAT32 ? in.floatView() : in.toFloat32().floatView();
            ex.setInput(mine.get(i), fb);
        }
        ex.forward();
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < ex.numOutputs(); i++) out.add(ex.output(i).copy());
        return out;
    }

    /** The executor for these input shapes (built on first use); owned by the block. */
    public Executor executor(long[]... inputShapes) {
        long stamp = paramStamp();
        if (stamp != executorStamp) {
            closeExecutors();
        }
        String key = Arrays.deepToString(inputShapes);
        Executor ex = executors.get(key);
        if (ex == null) {
            Map<String, long[]> shapes = shapeMap(inputShapes);
            prepare(shapes);
            Map<String, NDArray> values = new LinkedHashMap<>();
            Set<String> used = new HashSet<>(hybridize().listInputs());
            for (Parameter p : collectParams()) if (used.contains(p.name())) values.put(p.name(), p.data());
            ex = Executor.create(hybridize(), values, shapes, executorOptions);
            executors.put(key, ex);
            executorStamp = paramStamp();
            LOG.debug("built executor for {} with input shapes {}", describe(), key);
        }
        return ex;
    }

    private long paramStamp() {
        long s = 0;
        for (Parameter p : collectParams()) s = s * 31 + p.version() + System.identityHashCode(p);
        return s;
    }

    private void closeExecutors() {
        for (Executor e : executors.values()) e.close();
        executors.clear();
        executorStamp = -1;
    }

    /** Closes the executors of this block and its children. */
    @Override
    public void close() {
        closeExecutors();
        for (Block c : children.values()) c.close();
    }

    // ------------------------------------------------------------------ export

    /**
     * The hybridized symbol with the parameter values, as {@code mx.model.load_checkpoint} would return
     * MXNet's export of this block. Every parameter must be initialized (run forward or inferShape first
     * when shapes are deferred).
     */
    public Model toModel() {
        Symbol sym = hybridize();
        Set<String> args = new HashSet<>(sym.listArguments());
        Set<String> aux = new HashSet<>(sym.listAuxiliaryStates());
        Map<String, NDArray> argParams = new LinkedHashMap<>();
        Map<String, NDArray> auxParams = new LinkedHashMap<>();
        for (Parameter p : collectParams()) {
            if (args.contains(p.name())) argParams.put(p.name(), p.data());
            else if (aux.contains(p.name())) auxParams.put(p.name(), p.data());
            else throw new IllegalStateException("parameter '" + p.name() + "' of " + describe() + " is not used by the hybridized graph");
        }
        return new Model(sym, argParams, auxParams);
    }

    /**
     * Writes {@code path-symbol.json} and {@code path-%04d.params} as Gluon's {@code export}: parameters in
     * {@code collect_params()} order named {@code arg:NAME} / {@code aux:NAME}; both files written atomically.
     */
    public void export(String path, int epoch) {
        Symbol sym = hybridize();
        Set<String> args = new HashSet<>(sym.listArguments());
        Set<String> aux = new HashSet<>(sym.listAuxiliaryStates());
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Parameter p : collectParams()) {
            NDArray d;
            try {
                d = p.data();
            } catch (IllegalStateException e) {
                throw new IllegalStateException("cannot export " + describe() + ": " + e.getMessage(), e);
            }
            if (args.contains(p.name())) out.put("arg:" + p.name(), d);
            else if (aux.contains(p.name())) out.put("aux:" + p.name(), d);
            else throw new IllegalStateException("cannot export " + describe() + ": parameter '" + p.name()
                    + "' is not used by the hybridized graph");
        }
        SymbolJson.write(sym, Model.symbolPath(path));
        ParamsFile.save(Model.paramsPath(path, epoch), out);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(prefix);
        for (Map.Entry<String, Block> e : children.entrySet()) {
            sb.append("\n  (").append(e.getKey()).append("): ").append(e.getValue().toString().replace("\n", "\n  "));
        }
        return sb.append(children.isEmpty() ? ")" : "\n)").toString();
    }
}
