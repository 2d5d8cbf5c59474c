package org.quantize4j.gluon;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.quantize4j.gluon.init.Initializer;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;

/**
 * A learnable tensor of a block (Gluon's {@code Parameter}): its full name ({@code resnetv10_conv0_weight}),
 * declared shape where 0 means "inferred from the data later" (deferred initialization, as Gluon's
 * {@code in_channels=0}), initializer and value.
 *
 * <pre>{@code
 * Parameter w = net.collectParams().get("resnetv10_conv0_weight");
 * long[] declared = w.declaredShape();     // (64, 0, 7, 7) before any forward
 * net.inferShape(new long[] {1, 3, 224, 224});
 * NDArray value = w.data();                // (64, 3, 7, 7), filled by the initializer
 * w.setData(otherValue);                   // must fit the shape
 * }</pre>
 */
public final class Parameter {
    private final String name;
    private final long[] declaredShape;
    private long[] shape;
    private DType dtype;
    /** Keep the dtype of loaded values (imported models: int8 weights stay int8), as Gluon's dtype_source='saved'. */
    private boolean keepSavedDtype;
    private Initializer init;
    private final String gradReq;
    private final boolean allowDeferredInit;
    private final boolean differentiable;
    private double lrMult = 1.0;
    private double wdMult = 1.0;
    private NDArray data;
    private Initializer deferredInit;
    private long deferredSeed;
    /** Attributes to write verbatim for the symbol variable (parameters imported from a symbol file). */
    private Map<String, String> varAttrs;
    private long version;

    /**
     * @param shape             declared shape; 0 for dimensions known only after shape inference; null if unknown
     * @param init              this parameter's own initializer, or null to use the one given to initialize()
     * @param gradReq           "write", "add" or "null" (kept for fidelity; inference ignores it)
     * @param allowDeferredInit whether initialization may wait until the shape is inferred
     */
    public Parameter(String name, long[] shape, DType dtype, Initializer init, String gradReq,
                     boolean allowDeferredInit, boolean differentiable) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("parameter name must not be empty");
        this.name = name;
        this.declaredShape = shape == null ? null : shape.clone();
        this.shape = shape == null ? null : shape.clone();
        this.dtype = dtype == null ? DType.FLOAT32 : dtype;
        this.init = init;
        this.gradReq = gradReq == null ? "write" : gradReq;
        this.allowDeferredInit = allowDeferredInit;
        this.differentiable = differentiable;
    }

    public String name() { return name; }

    /** The shape given at construction (0 = unknown dimension), as written into {@code __shape__}; may be null. */
    public long[] declaredShape() { return declaredShape == null ? null : declaredShape.clone(); }

    /** The current shape: declared, completed by shape inference or by loaded data; may contain 0 or be null. */
    public long[] shape() { return shape == null ? null : shape.clone(); }

    /** Whether every dimension is known. */
    public boolean shapeKnown() {
        if (shape == null) return false;
        for (long d : shape) if (d <= 0) return false;
        return true;
    }

    public DType dtype() { return dtype; }

    /** This parameter's own initializer, or null. */
    public Initializer init() { return init; }

    public void setInit(Initializer init) { this.init = init; }

    public String gradReq() { return gradReq; }

    public boolean allowDeferredInit() { return allowDeferredInit; }

    public boolean differentiable() { return differentiable; }

    public double lrMult() { return lrMult; }

    public void setLrMult(double lrMult) { this.lrMult = lrMult; }

    public double wdMult() { return wdMult; }

    public void setWdMult(double wdMult) { this.wdMult = wdMult; }

    /** Whether the parameter holds a value. */
    public boolean isInitialized() { return data != null; }

    /** Whether initialize() was called but waits for the shape to be inferred. */
    public boolean isDeferred() { return data == null && deferredInit != null; }

    /** Increases whenever the value changes (executors built on an older value are rebuilt). */
    long version() { return version; }

    /**
     * The value.
     *
     * @throws IllegalStateException when not initialized yet (naming the parameter and what to do)
     */
    public NDArray data() {
        if (data != null) return data;
        if (deferredInit != null) {
            throw new IllegalStateException("parameter '" + name + "' has not been initialized yet because its shape "
                    + PyFormat.str(shape) + " is not fully known; run forward() or inferShape() with the input shape first");
        }
        throw new IllegalStateException("parameter '" + name + "' has not been initialized; call initialize(...) or "
                + "loadParameters(...) on the block (or its collectParams()) first");
    }

    /**
     * Sets the value (copied into float32 if needed); its shape must fit the declared one (0 = any).
     *
     * @throws IllegalArgumentException naming the parameter when the shape does not fit
     */
    public void setData(NDArray value) {
        long[] s = value.shape();
        if (shape != null && !fits(shape, s)) {
            throw new IllegalArgumentException("parameter '" + name + "': shape incompatible, expected " + PyFormat.str(shape)
                    + " vs given " + PyFormat.str(s));
        }
        this.shape = s;
        if (keepSavedDtype) dtype = value.dtype();
        this.data = value.dtype() == dtype ? value : convert(value);
        this.deferredInit = null;
        this.version++;
    }

    /**
     * Initializes with this parameter's own initializer, or {@code defaultInit} when it has none; waits for
     * the shape when it is not fully known yet (if allowed). Does nothing when already initialized unless
     * {@code forceReinit}.
     */
    public void initialize(Initializer defaultInit, long seed, boolean forceReinit) {
        if (data != null && !forceReinit) return;
        Initializer chosen = init != null ? init : defaultInit;
        if (chosen == null) throw new IllegalArgumentException("parameter '" + name + "' has no initializer");
        if (!shapeKnown()) {
            if (!allowDeferredInit) {
                throw new IllegalStateException("cannot initialize parameter '" + name + "' because its shape "
                        + PyFormat.str(shape) + " is not fully known and deferred initialization is not allowed");
            }
            data = null;
            deferredInit = chosen;
            deferredSeed = seed;
            return;
        }
        deferredInit = chosen;
        deferredSeed = seed;
        data = null;
        finishDeferredInit();
    }

    private NDArray convert(NDArray value) {
        if (dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("parameter '" + name + "' is " + dtype.mxnetName() + ", given "
                    + value.dtype().mxnetName());
        }
        return value.toFloat32();
    }

    void setKeepSavedDtype(boolean keep) {
        this.keepSavedDtype = keep;
    }

    /** Completes the shape from shape inference; fails when it contradicts the known dimensions. */
    void completeShape(long[] inferred) {
        if (shape != null && !fits(shape, inferred)) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + PyFormat.str(shape)
                    + " but the graph requires " + PyFormat.str(inferred));
        }
        if (data == null) shape = inferred.clone();
    }

    /** Runs a deferred initialization once the shape is known. */
    void finishDeferredInit() {
        if (data != null || deferredInit == null) return;
        if (!shapeKnown()) {
            throw new IllegalStateException("deferred initialization of parameter '" + name + "' failed because its shape "
                    + PyFormat.str(shape) + " cannot be inferred");
        }
        NDArray a = NDArray.zeros(shape, DType.FLOAT32);
        try {
            deferredInit.initialize(name, a, deferredSeed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot initialize parameter '" + name + "' of shape " + PyFormat.str(shape)
                    + " with " + deferredInit.dumps() + ": " + e.getMessage(), e);
        }
        data = a;
        deferredInit = null;
        version++;
    }

    /**
     * This parameter as a symbolic variable in the symbol being built (one variable node per construction),
     * for use in {@link Block#hybridForward}.
     */
    public Sym var() {
        return new Sym(new org.quantize4j.graph.NodeEntry(Hybridization.current().var(this), 0));
    }

    /** Keeps a variable's attributes verbatim (imported symbols), instead of deriving them from this parameter. */
    void setVarAttrs(Map<String, String> attrs) {
        this.varAttrs = attrs == null ? null : Collections.unmodifiableMap(new TreeMap<>(attrs));
    }

    /**
     * The attributes of this parameter's symbol variable as MXNet's {@code Parameter.var()} writes them:
     * {@code __dtype__}, {@code __init__} (only with an own initializer), {@code __lr_mult__}, {@code __shape__}
     * (the declared shape), {@code __storage_type__}, {@code __wd_mult__}, in sorted order.
     */
    public Map<String, String> varAttrs() {
        if (varAttrs != null) return varAttrs;
        Map<String, String> a = new TreeMap<>();
        a.put("__dtype__", Integer.toString(dtype.mxnetFlag()));
        if (init != null) a.put("__init__", init.dumps());
        a.put("__lr_mult__", PyFormat.floatRepr(lrMult));
        if (declaredShape != null) a.put("__shape__", PyFormat.str(declaredShape));
        a.put("__storage_type__", "0");
        a.put("__wd_mult__", PyFormat.floatRepr(wdMult));
        return a;
    }

    static boolean fits(long[] declared, long[] actual) {
        if (declared.length != actual.length) return false;
        for (int i = 0; i < declared.length; i++) if (declared[i] > 0 && declared[i] != actual[i]) return false;
        return true;
    }

    @Override
    public String toString() {
        return "Parameter " + name + " (shape=" + (shape == null ? "None" : PyFormat.str(shape)) + ", dtype="
                + dtype.mxnetName() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    static String shapeString(long[] s) {
        return s == null ? "None" : Arrays.toString(s);
    }
}
