package org.quantize4j.gluon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.quantize4j.gluon.init.Initializer;
import org.quantize4j.gluon.init.Uniform;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.ParamsFile;

/**
 * Parameters by full name, in creation order (Gluon's {@code ParameterDict}). A block's dictionary creates
 * parameters named {@code prefix + name}; a dictionary can share another's parameters (weight sharing).
 * {@link Block#collectParams()} returns one holding every parameter of a block tree.
 *
 * <pre>{@code
 * ParameterDict all = net.collectParams();
 * all.initialize(new Xavier(), 42);
 * all.load(Path.of("model-0000.params"), false, false);     // "arg:"/"aux:" prefixes are stripped
 * ParameterDict convs = net.collectParams(".*conv.*weight");
 * }</pre>
 */
public final class ParameterDict implements Iterable<Parameter> {
    private final String prefix;
    private final ParameterDict shared;
    private final LinkedHashMap<String, Parameter> params = new LinkedHashMap<>();

    public ParameterDict(String prefix) {
        this(prefix, null);
    }

    /** A dictionary whose {@link #get} first looks in {@code shared}. */
    public ParameterDict(String prefix, ParameterDict shared) {
        this.prefix = prefix == null ? "" : prefix;
        this.shared = shared;
    }

    /** The prefix of the names this dictionary creates. */
    public String prefix() { return prefix; }

    /** The dictionary this one shares parameters with, or null. */
    public ParameterDict shared() { return shared; }

    /**
     * The parameter {@code prefix + name}: an existing one (own or shared) whose shape fits, else a new one.
     *
     * @param shape declared shape (0 = inferred later), or null
     * @param init  own initializer, or null
     */
    public Parameter get(String name, long[] shape, Initializer init) {
        return get(name, shape, init, "write", true, true);
    }

    /** {@link #get(String, long[], Initializer)} with Gluon's {@code grad_req} and {@code differentiable}. */
    public Parameter get(String name, long[] shape, Initializer init, String gradReq, boolean allowDeferredInit,
                         boolean differentiable) {
        String full = prefix + name;
        Parameter p = lookup(full);
        if (p == null) {
            p = new Parameter(full, shape, DType.FLOAT32, init, gradReq, allowDeferredInit, differentiable);
            params.put(full, p);
            return p;
        }
        if (shape != null && p.shape() != null && !compatible(p.shape(), shape)) {
            throw new IllegalArgumentException("cannot retrieve parameter '" + full + "' with shape " + PyFormat.str(shape)
                    + ": it already exists with incompatible shape " + PyFormat.str(p.shape()));
        }
        return p;
    }

    private Parameter lookup(String full) {
        Parameter p = params.get(full);
        if (p != null) return p;
        if (shared != null) {
            p = shared.params.get(full);
            if (p != null) params.put(full, p);
        }
        return p;
    }

    private static boolean compatible(long[] a, long[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (a[i] > 0 && b[i] > 0 && a[i] != b[i]) return false;
        return true;
    }

    /** The parameter with this full name, or null. */
    public Parameter get(String fullName) {
        return params.get(fullName);
    }

    /** Like {@link #get(String)} but fails naming the missing parameter. */
    public Parameter require(String fullName) {
        Parameter p = params.get(fullName);
        if (p == null) throw new IllegalArgumentException("no parameter named '" + fullName + "' (have " + params.keySet() + ")");
        return p;
    }

    /** Adds a parameter under its own name (keeps the first one of a name, as Python's dict update). */
    public void put(Parameter p) {
        params.putIfAbsent(p.name(), p);
    }

    /** Adds every parameter of {@code other} not already here. */
    public void update(ParameterDict other) {
        for (Parameter p : other) put(p);
    }

    /** The parameters whose full names match {@code regex} (Gluon's {@code collect_params(select)}). */
    public ParameterDict select(String regex) {
        Pattern pat = Pattern.compile(regex);
        ParameterDict out = new ParameterDict(prefix, null);
        for (Parameter p : this) if (pat.matcher(p.name()).matches()) out.put(p);
        return out;
    }

    public int size() { return params.size(); }

    public List<String> keys() { return new ArrayList<>(params.keySet()); }

    public Collection<Parameter> values() { return Collections.unmodifiableCollection(params.values()); }

    /** Read-only view by full name. */
    public Map<String, Parameter> asMap() { return Collections.unmodifiableMap(params); }

    @Override
    public Iterator<Parameter> iterator() {
        return Collections.unmodifiableCollection(params.values()).iterator();
    }

    /** Initializes every parameter with Gluon's default initializer, {@code Uniform(0.07)}. */
    public void initialize() {
        initialize(new Uniform(), 0, false);
    }

    /**
     * Initializes every parameter: its own initializer if it has one, else {@code init}. Parameters whose shape
     * is not known yet are initialized when a forward pass or {@link Block#inferShape} infers it.
     */
    public void initialize(Initializer init, long seed, boolean forceReinit) {
        for (Parameter p : this) p.initialize(init, seed, forceReinit);
    }

    /** The values by full name (every parameter must be initialized). */
    public Map<String, NDArray> values(boolean requireInitialized) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Parameter p : this) {
            if (p.isInitialized()) out.put(p.name(), p.data());
            else if (requireInitialized) p.data();
        }
        return out;
    }

    /** Saves the values under their full names (with {@code stripPrefix} removed from their start), as Gluon. */
    public void save(Path file, String stripPrefix) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Parameter p : this) {
            String n = p.name();
            if (stripPrefix != null && !stripPrefix.isEmpty()) {
                if (!n.startsWith(stripPrefix)) {
                    throw new IllegalArgumentException("prefix '" + stripPrefix + "' is to be stripped before saving, but parameter '"
                            + n + "' does not start with it");
                }
                n = n.substring(stripPrefix.length());
            }
            out.put(n, p.data());
        }
        ParamsFile.save(file, out);
    }

    /**
     * Loads values from a {@code .params} file ({@code arg:}/{@code aux:} prefixes stripped).
     *
     * @throws IllegalArgumentException naming the file and parameter for a missing or extra parameter (unless
     *                                  allowed) or a shape that does not fit
     */
    public void load(Path file, boolean allowMissing, boolean ignoreExtra) {
        load(file, allowMissing, ignoreExtra, UnaryOperator.identity());
    }

    /**
     * Like {@link #load(Path, boolean, boolean)}, with file names (after stripping {@code arg:}/{@code aux:})
     * mapped to parameter names by {@code rename}, e.g. {@code n -> n.replace("resnet20v10_", "mynet0_")}.
     */
    public void load(Path file, boolean allowMissing, boolean ignoreExtra, UnaryOperator<String> rename) {
        load(ParamsFile.load(file), file.toString(), allowMissing, ignoreExtra, rename);
    }

    /** Loads values from a map (names as in a params file); {@code source} names it in errors. */
    public void load(Map<String, NDArray> values, String source, boolean allowMissing, boolean ignoreExtra,
                     UnaryOperator<String> rename) {
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : values.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("arg:") || k.startsWith("aux:")) k = k.substring(4);
            byName.put(rename.apply(k), e.getValue());
        }
        if (!allowMissing) {
            List<String> missing = new ArrayList<>();
            for (String n : params.keySet()) if (!byName.containsKey(n)) missing.add(n);
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("parameter(s) " + missing + " missing in '" + source + "', which contains "
                        + byName.keySet() + " (allowMissing=true to ignore)");
            }
        }
        for (Map.Entry<String, NDArray> e : byName.entrySet()) {
            Parameter p = params.get(e.getKey());
            if (p == null) {
                if (!ignoreExtra) {
                    throw new IllegalArgumentException("parameter '" + e.getKey() + "' loaded from '" + source
                            + "' is not present in this ParameterDict, which contains " + params.keySet()
                            + " (ignoreExtra=true to ignore)");
                }
                continue;
            }
            try {
                p.setData(e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("failed loading '" + source + "': " + ex.getMessage(), ex);
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(prefix.isEmpty() ? "(" : prefix + " (");
        for (Parameter p : this) sb.append("\n  ").append(p);
        return sb.append("\n)").toString();
    }
}
