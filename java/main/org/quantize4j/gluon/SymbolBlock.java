package org.quantize4j.gluon;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quantize4j.Model;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.ndarray.NDArray;

/**
 * Any MXNet symbol as a block (Gluon's {@code SymbolBlock}): every variable that is not an input becomes a
 * parameter named exactly as the variable (arguments first, then auxiliary states). It runs with
 * {@link #forward}, exports unchanged, and composes into other blocks (its nodes keep their names).
 *
 * <pre>{@code
 * SymbolBlock net = SymbolBlock.imports(Path.of("test-models/fmnist_resnet20_v1-symbol.json"), List.of("data"),
 *                                       Path.of("test-models/fmnist_resnet20_v1-0000.params"));
 * NDArray logits = net.forward(batch);             // (N, 10)
 * net.export("out/copy", 0);                       // the same symbol, the same parameters
 * HybridSequential bigger = new HybridSequential();
 * bigger.add(net, new Activation("sigmoid"));      // composes like any block
 * }</pre>
 */
public final class SymbolBlock extends Block {
    private final Symbol symbol;
    private final List<String> inputs;

    /** Wraps {@code outputs}; {@code inputNames} are its data inputs, every other variable a parameter. */
    public SymbolBlock(Symbol outputs, List<String> inputNames) {
        this(outputs, inputNames, null);
    }

    /** Like {@link #SymbolBlock(Symbol, List)}, sharing parameters with {@code params}. */
    public SymbolBlock(Symbol outputs, List<String> inputNames, ParameterDict params) {
        super(params, "symbolblock", true);
        this.symbol = outputs;
        this.inputs = List.copyOf(inputNames);
        Set<String> vars = new HashSet<>(outputs.listInputs());
        for (String in : inputs) {
            if (!vars.contains(in)) {
                throw new IllegalArgumentException("input '" + in + "' is not a variable of the symbol (variables: "
                        + outputs.listInputs() + ")");
            }
        }
        Map<String, Node> varNodes = new LinkedHashMap<>();
        for (Node n : outputs.nodes()) if (n.isVariable()) varNodes.putIfAbsent(n.name(), n);
        List<Parameter> created = new ArrayList<>();
        for (String a : outputs.listArguments()) {
            if (!inputs.contains(a)) created.add(params().get(a, null, null, "write", true, true));
        }
        for (String a : outputs.listAuxiliaryStates()) {
            if (!inputs.contains(a)) created.add(params().get(a, null, null, "null", true, false));
        }
        for (Parameter p : created) {
            p.setVarAttrs(varNodes.get(p.name()).attrs());
            p.setKeepSavedDtype(true);
        }
        int common = commonPrefixLength(created);
        for (Parameter p : created) registerParam(p.name().substring(common), p);
    }

    private static int commonPrefixLength(List<Parameter> ps) {
        if (ps.size() < 2) return 0;
        String first = ps.get(0).name();
        int len = first.length();
        for (Parameter p : ps) {
            String n = p.name();
            int i = 0;
            while (i < Math.min(len, n.length()) && n.charAt(i) == first.charAt(i)) i++;
            len = i;
        }
        return len;
    }

    /**
     * Gluon's {@code SymbolBlock.imports}: a symbol file with its inputs and, optionally, a params file whose
     * values (named {@code arg:X}/{@code aux:X} or {@code X}) must match the parameters exactly.
     *
     * @param paramsFile null to leave the parameters uninitialized
     */
    public static SymbolBlock imports(Path symbolFile, List<String> inputNames, Path paramsFile) {
        SymbolBlock b = new SymbolBlock(SymbolJson.read(symbolFile), inputNames);
        if (paramsFile != null) b.collectParams().load(paramsFile, false, false);
        return b;
    }

    /** A loaded model ({@link Model#load}) as a block with the given inputs. */
    public static SymbolBlock fromModel(Model model, List<String> inputNames) {
        SymbolBlock b = new SymbolBlock(model.symbol(), inputNames);
        b.collectParams().load(model.allParams(), "model", false, true, n -> n);
        return b;
    }

    /** The wrapped symbol, unchanged (MXNet's export of this block writes it as it is). */
    @Override
    public Symbol hybridize() {
        return symbol;
    }

    @Override
    public List<String> inputNames() {
        return inputs;
    }

    @Override
    public int numInputs() {
        return inputs.size();
    }

    /** The symbol's graph on the given inputs; nodes keep their names, parameters become this build's variables. */
    @Override
    public Sym hybridForward(List<Sym> xs) {
        if (xs.size() != inputs.size()) {
            throw new IllegalArgumentException("symbol block " + describe() + " has inputs " + inputs + ", got "
                    + xs.size() + " value(s)");
        }
        Map<String, NodeEntry> given = new LinkedHashMap<>();
        for (int i = 0; i < xs.size(); i++) given.put(inputs.get(i), xs.get(i).entry());
        Map<Node, Node> copies = new IdentityHashMap<>();
        Map<Node, NodeEntry> replaced = new IdentityHashMap<>();
        for (Node n : symbol.nodes()) {
            if (n.isVariable()) {
                NodeEntry in = given.get(n.name());
                if (in != null) {
                    replaced.put(n, in);
                } else {
                    Parameter p = params().get(n.name());
                    copies.put(n, p != null ? p.var().node() : new Node(Node.VARIABLE_OP, n.name(), n.attrs(), List.of(), 1));
                }
                continue;
            }
            List<NodeEntry> ins = new ArrayList<>();
            for (NodeEntry e : n.inputs()) ins.add(map(e, copies, replaced));
            Node c = new Node(n.op(), n.name(), n.attrs(), ins, n.numOutputs());
            c.setAttrsKey(n.attrsKey());
            c.subgraphs().addAll(n.subgraphs());
            c.extraFields().putAll(n.extraFields());
            for (Node d : n.controlDeps()) c.controlDeps().add(copies.get(d));
            copies.put(n, c);
        }
        List<Sym> heads = new ArrayList<>();
        for (NodeEntry h : symbol.heads()) heads.add(new Sym(map(h, copies, replaced)));
        return heads.size() == 1 ? heads.get(0) : Sym.group(heads.toArray(new Sym[0]));
    }

    private static NodeEntry map(NodeEntry e, Map<Node, Node> copies, Map<Node, NodeEntry> replaced) {
        NodeEntry r = replaced.get(e.node());
        if (r != null) return r;
        return new NodeEntry(copies.get(e.node()), e.index(), e.version());
    }

    /** Parameter values by name (for building a {@link Model} or quantizing). */
    public Map<String, NDArray> paramValues() {
        return collectParams().values(true);
    }
}
