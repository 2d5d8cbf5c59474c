package org.quantize4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.ParamsFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MXNet model as {@code mx.model.load_checkpoint} returns it: the symbol and its parameters split into
 * arguments (weights, biases, BatchNorm gamma/beta) and auxiliary states (BatchNorm moving mean/var).
 * Parameter maps use plain names ({@code conv0_weight}); the file's {@code arg:}/{@code aux:} prefixes only
 * decide the map. Names without a prefix (files from Gluon's {@code save_parameters}) are taken as arguments.
 *
 * <pre>{@code
 * Model m = Model.load("test-models/fmnist_mlp");              // fmnist_mlp-symbol.json + fmnist_mlp-0000.params
 * NDArray w = m.argParams().get("mlp0_dense0_weight");
 * List<String> missing = m.missingParams(List.of("data"));    // [] for a complete model
 * m.save("out/fmnist_mlp-copy", 0);                           // both files, atomically
 * }</pre>
 *
 * Errors name the file: a corrupt file, or a symbol that is not valid JSON, throw {@link ModelFormatException}.
 * Whether every needed parameter is present, with a matching shape, is checked when an executor is built;
 * {@link #missingParams} lists the gaps up front.
 */
public record Model(Symbol symbol, Map<String, NDArray> argParams, Map<String, NDArray> auxParams) {
    private static final Logger LOG = LoggerFactory.getLogger(Model.class);

    public Model {
        argParams = Collections.unmodifiableMap(new LinkedHashMap<>(argParams));
        auxParams = Collections.unmodifiableMap(new LinkedHashMap<>(auxParams));
        for (String k : argParams.keySet()) {
            if (auxParams.containsKey(k)) {
                throw new IllegalArgumentException("parameter '" + k + "' is both an argument and an auxiliary state");
            }
        }
    }

    /** Loads {@code PREFIX-symbol.json} and {@code PREFIX-0000.params}. */
    public static Model load(String prefix) {
        return load(prefix, 0);
    }

    /** Loads {@code PREFIX-symbol.json} and {@code PREFIX-%04d.params} (epoch). */
    public static Model load(String prefix, int epoch) {
        return load(symbolPath(prefix), paramsPath(prefix, epoch));
    }

    /** Loads a symbol file and a params file. */
    public static Model load(Path symbolJson, Path params) {
        if (!Files.exists(symbolJson)) {
            throw new ModelFormatException(symbolJson, "symbol file does not exist");
        }
        if (!Files.exists(params)) {
            throw new ModelFormatException(params, "params file does not exist");
        }
        Symbol symbol = SymbolJson.read(symbolJson);
        Map<String, NDArray> all = ParamsFile.load(params);
        Map<String, NDArray> args = new LinkedHashMap<>();
        Map<String, NDArray> aux = new LinkedHashMap<>();
        int unprefixed = 0;
        for (Map.Entry<String, NDArray> e : all.entrySet()) {
            String key = e.getKey();
            Map<String, NDArray> target;
            String name;
            if (key.startsWith("arg:")) {
                target = args;
                name = key.substring(4);
            } else if (key.startsWith("aux:")) {
                target = aux;
                name = key.substring(4);
            } else {
                // Gluon's save_parameters writes plain names; load them as arguments.
                target = args;
                name = key;
                unprefixed++;
            }
            if (name.isEmpty()) throw new ModelFormatException(params, "parameter with empty name '" + key + "'");
            if (args.containsKey(name) || aux.containsKey(name)) {
                throw new ModelFormatException(params, "parameter '" + name + "' appears twice (as '" + key + "' and earlier)");
            }
            target.put(name, e.getValue());
        }
        if (unprefixed > 0) {
            LOG.info("{}: {} parameter names have no arg:/aux: prefix; loaded as arguments", params, unprefixed);
        }
        Set<String> inputs = new HashSet<>(symbol.listInputs());
        for (String n : args.keySet()) {
            if (!inputs.contains(n)) LOG.debug("{}: parameter '{}' is not used by {}", params, n, symbolJson);
        }
        LOG.debug("loaded {} ({} nodes) and {} ({} args, {} aux)", symbolJson, symbol.nodes().size(), params,
                args.size(), aux.size());
        return new Model(symbol, args, aux);
    }

    /**
     * Saves {@code PREFIX-symbol.json} and {@code PREFIX-%04d.params} (V2, names {@code arg:}/{@code aux:}),
     * each atomically, as MXNet's {@code save_checkpoint}.
     */
    public void save(String prefix, int epoch) {
        Map<String, NDArray> named = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : argParams.entrySet()) named.put("arg:" + e.getKey(), e.getValue());
        for (Map.Entry<String, NDArray> e : auxParams.entrySet()) named.put("aux:" + e.getKey(), e.getValue());
        SymbolJson.write(symbol, symbolPath(prefix));
        ParamsFile.save(paramsPath(prefix, epoch), named);
    }

    /** Argument and auxiliary parameters in one map by plain name (arguments first). */
    public Map<String, NDArray> allParams() {
        Map<String, NDArray> out = new LinkedHashMap<>(argParams);
        out.putAll(auxParams);
        return out;
    }

    /**
     * Variables of the symbol that have no parameter and are not among {@code dataNames}, in node order.
     * Label inputs of loss ops ({@code softmax_label}) show up here too; the executor decides what to accept.
     */
    public List<String> missingParams(Collection<String> dataNames) {
        Set<String> given = new HashSet<>(dataNames);
        List<String> out = new ArrayList<>();
        for (String v : symbol.listInputs()) {
            if (!given.contains(v) && !argParams.containsKey(v) && !auxParams.containsKey(v) && !out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * Fails with a message listing every variable that has no parameter and is not a data input, except label
     * inputs of loss ops ({@code SoftmaxOutput}'s {@code softmax_label}), which inference ignores.
     *
     * @throws IllegalArgumentException naming the missing parameters
     */
    public void requireComplete(Collection<String> dataNames) {
        Set<String> labels = new HashSet<>();
        Set<String> usedOtherwise = new HashSet<>();
        for (org.quantize4j.graph.Node n : symbol.nodes()) {
            boolean loss = n.op().endsWith("Output");
            for (int i = 0; i < n.inputs().size(); i++) {
                org.quantize4j.graph.Node v = n.input(i).node();
                if (!v.isVariable()) continue;
                if (loss && i > 0) labels.add(v.name());
                else usedOtherwise.add(v.name());
            }
        }
        List<String> missing = new ArrayList<>();
        for (String v : missingParams(dataNames)) {
            if (!labels.contains(v) || usedOtherwise.contains(v)) missing.add(v);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("model is missing parameters " + missing
                    + " (symbol inputs with no value in the params file and not given as data " + dataNames + ")");
        }
    }

    /** {@code PREFIX-symbol.json}. */
    public static Path symbolPath(String prefix) {
        return Path.of(prefix + "-symbol.json");
    }

    /** {@code PREFIX-%04d.params}. */
    public static Path paramsPath(String prefix, int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        return Path.of(String.format("%s-%04d.params", prefix, epoch));
    }
}
