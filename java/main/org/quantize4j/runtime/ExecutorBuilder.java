package org.quantize4j.runtime;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.scratchpad_mode;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.primitive_desc_base;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.ShapeInference;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ops.BoundOp;
import org.quantize4j.ops.InputRole;
import org.quantize4j.ops.Int8;
import org.quantize4j.ops.OpRegistry;
import org.quantize4j.ops.KernelContext;
import org.quantize4j.ops.Layouts;
import org.quantize4j.ops.ShapeContext;
import org.quantize4j.ops.UnsupportedOperatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds an {@link Executor}: checks the graph, creates every primitive through the ops' builders
 * (each node is given a {@link KernelContext}), then plans the activation buffers.
 *
 * <p>Buffer planning: time is the node's position in build order. Each storage lives from the first
 * node writing it to the last node reading it (a whole node counts as one instant, so a node's inputs,
 * temporaries and outputs never overlap unless it asked for in-place). In-place requests are granted
 * when the input's storage is read by nobody later. Storages whose ranges do not intersect share a
 * buffer (greedy best fit by definition time). Inputs, outputs, parameters and the scratchpad have
 * buffers of their own.
 */
final class ExecutorBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorBuilder.class);
    private static final int ALIGN = 64;

    private final Symbol symbol;
    private final Map<String, NDArray> params;
    private final Map<String, long[]> inputShapes;
    private final ExecutorOptions options;

    private final List<Pointer> owned = new ArrayList<>();
    private final List<Storage> storages = new ArrayList<>();
    private final Map<memory, Storage> memStorage = new IdentityHashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private final List<int[]> inPlace = new ArrayList<>();   // {outStorageId, inStorageId, time}
    /** Copies that initialise an output from an input; dropped when the planner lets the two share a buffer. */
    private final List<StartCopy> startCopies = new ArrayList<>();
    private final List<ByteBuffer> buffers = new ArrayList<>();
    private final Map<Node, List<List<Node>>> consumers = new IdentityHashMap<>();
    private final Set<NodeEntry> headEntries = new java.util.HashSet<>();
    private engine eng;
    private stream strm;
    private dnnl_stream rawStream;
    private Storage scratch;
    private int time;
    private long constantBytes;

    ExecutorBuilder(Symbol symbol, Map<String, NDArray> params, Map<String, long[]> inputShapes, ExecutorOptions options) {
        this.symbol = symbol;
        this.params = params;
        this.inputShapes = inputShapes;
        this.options = options;
    }

    Executor build() {
        if (options.threads() > 0) OmpThreads.setNumThreads(options.threads());
        // Temporaries (descs, primitive descs, attrs) die with the scope; what the executor keeps is own()ed.
        try (PointerScope scope = new PointerScope()) {
            LOG.trace("building in {}", scope);
            return buildInScope();
        } catch (RuntimeException | Error e) {
            Executor.releaseAll(owned);
            throw e;
        }
    }

    private <T extends Pointer> T own(T p) {
        p.retainReference();
        owned.add(p);
        return p;
    }

    private Executor buildInScope() {
        // ---- validate inputs and parameters, infer shapes
        Map<String, Node> variables = new LinkedHashMap<>();
        for (Node n : symbol.nodes()) if (n.isVariable()) variables.put(n.name(), n);
        for (String in : inputShapes.keySet()) {
            if (!variables.containsKey(in)) {
                throw new IllegalArgumentException("input '" + in + "' is not a variable of the symbol (variables: "
                        + symbol.listArguments() + ")");
            }
            if (params.containsKey(in)) throw new IllegalArgumentException("'" + in + "' is given both as an input and as a parameter");
        }
        Map<String, long[]> known = new LinkedHashMap<>(inputShapes);
        Map<String, DType> knownTypes = new LinkedHashMap<>();
        for (String in : inputShapes.keySet()) knownTypes.put(in, DType.FLOAT32);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            if (!variables.containsKey(e.getKey())) continue;
            known.put(e.getKey(), e.getValue().shape());
            knownTypes.put(e.getKey(), isQuantizedType(e.getValue().dtype()) ? e.getValue().dtype() : DType.FLOAT32);
        }
        ShapeInference.Result shapes = ShapeInference.infer(symbol, known, knownTypes, OpRegistry.standard());
        Set<Node> needed = neededNodes();
        checkVariables(variables, shapes, needed);

        for (Node n : symbol.nodes()) {
            if (n.isVariable() || !needed.contains(n)) continue;
            for (NodeEntry e : n.inputs()) {
                List<List<Node>> byOut = consumers.computeIfAbsent(e.node(), k -> new ArrayList<>());
                while (byOut.size() <= e.index()) byOut.add(new ArrayList<>());
                List<Node> l = byOut.get(e.index());
                if (l.isEmpty() || l.get(l.size() - 1) != n) l.add(n);
            }
        }
        for (NodeEntry h : symbol.heads()) headEntries.add(new NodeEntry(h.node(), h.index()));
        eng = own(Executor.newEngine());
        strm = own(new stream(eng));
        rawStream = own(strm.get());
        scratch = newStorage(Storage.Kind.SCRATCH, 0);

        // ---- inputs: NCHW staging buffers, seen by the graph in the activation layout
        List<String> inputNames = new ArrayList<>();
        List<long[]> inShapes = new ArrayList<>();
        List<ByteBuffer> inBuffers = new ArrayList<>();
        Map<Node, Value[]> values = new IdentityHashMap<>();
        time = 0;
        for (Node n : symbol.nodes()) {
            if (!n.isVariable() || !inputShapes.containsKey(n.name())) continue;
            long[] shape = inputShapes.get(n.name()).clone();
            Storage st = newStorage(Storage.Kind.INPUT, NDArray.size(shape) * 4);
            allocate(st);
            memory.desc plain = Layouts.plain(shape);
            // The graph sees the NCHW staging buffer; the first consumer wanting NHWC adds the (shared) reorder.
            Value staged = new Value(n.name(), shape, plain, newMemory(plain, st), st, null);
            values.put(n, new Value[] {staged});
            inputNames.add(n.name());
            inShapes.add(shape);
            inBuffers.add(st.buffer.duplicate().limit((int) st.bytes).slice());
        }
        for (Node n : symbol.nodes()) {
            if (!n.isVariable() || !params.containsKey(n.name())) continue;
            NDArray a = params.get(n.name());
            // int8 / uint8 parameters (offline-quantized weights) keep their bytes; other types become float32.
            if (a.dtype() != DType.FLOAT32 && !isQuantizedType(a.dtype())) a = a.toFloat32();
            if (a.dtype() == DType.INT32) a = a.toFloat32();
            values.put(n, new Value[] {new Value(n.name(), a.shape(), Layouts.plain(a.shape(), Int8.physicalType(a.dtype())),
                    null, null, a)});
        }

        // ---- ops
        for (Node n : symbol.nodes()) {
            if (n.isVariable() || !needed.contains(n)) continue;
            time++;
            BoundOp<?> op = shapes.op(n);
            Value[] ins = new Value[n.inputs().size()];
            for (int i = 0; i < ins.length; i++) {
                NodeEntry e = n.input(i);
                Value[] src = values.get(e.node());
                Value v = src == null || e.index() >= src.length ? null : src[e.index()];
                if (v == null && op.inputRole(i) != InputRole.LABEL) {
                    throw new UnsupportedOperatorException(n.name(), n.op(), "input " + i + " ('" + e.outputName()
                            + "') is not available at inference (a hidden output or an unbound variable)");
                }
                ins[i] = v;
            }
            long[][] outShapes = new long[op.numOutputs()][];
            DType[] outTypes = new DType[op.numOutputs()];
            for (int j = 0; j < outShapes.length; j++) {
                outShapes[j] = shapes.shape(new NodeEntry(n, j));
                outTypes[j] = shapes.dtype(new NodeEntry(n, j));
            }
            NodeContext ctx = new NodeContext(n, op, ins, outShapes, outTypes);
            try {
                op.build(ctx);
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new IllegalStateException("node '" + n.name() + "' (" + n.op() + "): oneDNN could not build it with input shapes "
                        + describe(ins) + ": " + e.getMessage() + " (rerun with ONEDNN_VERBOSE=all for details)", e);
            }
            values.put(n, ctx.outputs);
        }

        // ---- graph outputs in plain layout
        time++;
        List<Value> heads = new ArrayList<>();
        for (NodeEntry h : symbol.heads()) {
            Value[] vs = values.get(h.node());
            Value v = vs == null || h.index() >= vs.length ? null : vs[h.index()];
            if (v == null) throw new IllegalArgumentException("graph output '" + h.outputName() + "' is not available at inference");
            // Graph outputs are float32: int8/uint8 tensors as their integer values, int32 ones as the reals they hold.
            memory.desc plain = Layouts.plain(v.shape);
            Value out;
            if (v.isParameter()) {
                out = parameterVariant(v, Layouts.plain(v.shape, Int8.physicalType(v.dtype)), plain);
            } else if (Layouts.sameBytes(v.desc, plain) && v.storage.kind != Storage.Kind.SCRATCH) {
                v.storage.read(Integer.MAX_VALUE);
                out = v;
            } else {
                out = reorderValue(v, plain, h.outputName(), DType.FLOAT32);
            }
            if (out.storage.kind == Storage.Kind.ACTIVATION) out.storage.kind = Storage.Kind.OUTPUT;
            out.storage.read(Integer.MAX_VALUE);
            heads.add(out);
        }

        long planned = plan();
        List<NDArray> outArrays = new ArrayList<>();
        for (Value v : heads) {
            Storage root = v.storage.root();
            ByteBuffer b = root.buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            b.limit((int) (NDArray.size(v.shape) * 4));
            outArrays.add(new NDArray(v.shape, DType.FLOAT32, b.slice()));
        }
        LOG.debug("executor built: {} steps, activations {} KiB planned, parameters {} KiB, scratchpad {} KiB",
                steps.size(), planned / 1024, constantBytes / 1024, scratch.bytes / 1024);
        return new Executor(options, inputNames, inShapes, inBuffers, outArrays, steps, owned, buffers, strm,
                rawStream, planned, constantBytes);
    }

    private static String describe(Value[] ins) {
        StringBuilder sb = new StringBuilder();
        for (Value v : ins) sb.append(sb.length() == 0 ? "" : ", ").append(v == null ? "-" : ShapeContext.fmt(v.shape));
        return sb.toString();
    }

    /** Nodes the heads depend on. */
    private Set<Node> neededNodes() {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> todo = new ArrayDeque<>();
        for (NodeEntry h : symbol.heads()) if (seen.add(h.node())) todo.push(h.node());
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            for (NodeEntry e : n.inputs()) if (seen.add(e.node())) todo.push(e.node());
        }
        return seen;
    }

    /** Every variable used must be an input or a parameter, except label inputs of loss ops. */
    private void checkVariables(Map<String, Node> variables, ShapeInference.Result shapes, Set<Node> needed) {
        for (Node n : symbol.nodes()) {
            if (n.isVariable() || !needed.contains(n)) continue;
            BoundOp<?> op = shapes.op(n);
            for (int i = 0; i < n.inputs().size(); i++) {
                Node v = n.input(i).node();
                if (!v.isVariable() || params.containsKey(v.name()) || inputShapes.containsKey(v.name())) continue;
                if (op.inputRole(i) == InputRole.LABEL) continue;
                throw new IllegalArgumentException("missing parameter '" + v.name() + "': node '" + n.name() + "' (" + n.op()
                        + ") needs it as input " + i + " (" + op.inputNames().get(i) + "), but it is neither in the parameters"
                        + " nor an input (inputs: " + inputShapes.keySet() + ")");
            }
        }
    }

    // ------------------------------------------------------------------ storages and memories

    private Storage newStorage(Storage.Kind kind, long bytes) {
        Storage s = new Storage(storages.size(), kind, bytes);
        storages.add(s);
        return s;
    }

    private memory newMemory(memory.desc d, Storage s) {
        memory m = own(new memory(d, eng, (Pointer) null));
        s.memories.add(m);
        memStorage.put(m, s);
        if (s.buffer != null) m.set_data_handle(new Pointer(s.buffer));
        return m;
    }

    private void allocate(Storage s) {
        long bytes = Math.max(s.bytes, 4);
        if (bytes > Integer.MAX_VALUE - 2 * ALIGN) throw new IllegalArgumentException("a buffer of " + bytes + " bytes is too large");
        long rounded = (bytes + ALIGN - 1) / ALIGN * ALIGN;
        // alignedSlice aligns both ends, so reserve a whole extra unit for the start offset.
        ByteBuffer b = ByteBuffer.allocateDirect((int) (rounded + ALIGN)).alignedSlice(ALIGN).order(ByteOrder.nativeOrder());
        s.buffer = b;
        buffers.add(b);
    }

    private static boolean isQuantizedType(DType t) {
        return t == DType.INT8 || t == DType.UINT8;
    }

    /** A value holding {@code v} in layout {@code wanted}, computed by a reorder step at the current time. */
    private Value reorderValue(Value v, memory.desc wanted, String name) {
        return reorderValue(v, wanted, name, v.dtype);
    }

    private Value reorderValue(Value v, memory.desc wanted, String name, DType dtype) {
        Storage s = newStorage(Storage.Kind.ACTIVATION, wanted.get_size());
        s.write(time);
        Value r = new Value(name, v.shape, wanted, newMemory(wanted, s), s, null, dtype, null);
        reorder.primitive_desc pd = new reorder.primitive_desc(eng, v.desc, eng, wanted, newAttr(), false);
        IntMemoryMap args = own(new IntMemoryMap());
        args.put(DNNL_ARG_FROM, v.mem);
        args.put(DNNL_ARG_TO, r.mem);
        v.storage.read(time);
        addStep(new reorder(pd), pd, args, name);
        v.variants.add(r);
        return r;
    }

    /** A parameter in layout {@code wanted}, from its plain bytes seen as {@code view}; filled now. */
    private Value parameterVariant(Value p, memory.desc view, memory.desc wanted) {
        for (Value r : p.variants) if (r.desc.equals(wanted)) return r;
        Storage s = newStorage(Storage.Kind.CONSTANT, wanted.get_size());
        allocate(s);
        constantBytes += s.bytes;
        memory dst = newMemory(wanted, s);
        ByteBuffer src = p.param.buffer();
        if (view.get_size() != src.capacity()) {
            throw new IllegalStateException("parameter '" + p.name + "' has " + src.capacity() + " bytes, its view needs " + view.get_size());
        }
        if (Layouts.sameBytes(view, wanted)) {
            s.buffer.duplicate().put(src);
        } else {
            try (PointerScope tmp = new PointerScope()) {
                LOG.trace("reordering parameter {} in {}", p.name, tmp);
                memory srcMem = new memory(view, eng, new Pointer(src));
                reorder r = new reorder(new reorder.primitive_desc(eng, view, eng, wanted));
                IntMemoryMap args = new IntMemoryMap();
                args.put(DNNL_ARG_FROM, srcMem);
                args.put(DNNL_ARG_TO, dst);
                r.execute(strm, args);
                strm._wait();
            }
        }
        Value v = new Value(p.name, p.shape, wanted, dst, s, null, p.dtype, null);
        p.variants.add(v);
        return v;
    }

    private primitive_attr newAttr() {
        primitive_attr a = new primitive_attr();
        a.set_scratchpad_mode(scratchpad_mode.user);
        return a;
    }

    private void addStep(primitive prim, primitive_desc_base pd, IntMemoryMap args, String nodeName) {
        own(prim);
        memory.desc sp = pd.scratchpad_desc();
        long size = sp.get_size();
        if (size > 0) {
            scratch.bytes = Math.max(scratch.bytes, size);
            args.put(DNNL_ARG_SCRATCHPAD, newMemory(sp, scratch));
        }
        steps.add(new Step(prim, args, nodeName, pd.impl_info_str().getString()));
    }

    // ------------------------------------------------------------------ planning

    /** Grants in-place requests, assigns buffers to every storage and sets all memory handles. Returns planned bytes. */
    private long plan() {
        for (int[] req : inPlace) {
            Storage out = storages.get(req[0]);
            Storage in = storages.get(req[1]).root();
            int t = req[2];
            if (out.mergedInto != null || out == in) continue;
            boolean ok = in.kind == Storage.Kind.ACTIVATION && (out.kind == Storage.Kind.ACTIVATION || out.kind == Storage.Kind.OUTPUT)
                    && in.lastUse == t && in.bytes == out.bytes && out.def == t;
            if (!ok) continue;
            out.mergedInto = in;
            in.lastUse = Math.max(in.lastUse, out.lastUse);
            if (out.kind == Storage.Kind.OUTPUT) in.kind = Storage.Kind.OUTPUT;
        }
        for (StartCopy c : startCopies) {
            if (c.out().root() == c.in().root()) steps.remove(c.step());
        }
        // Storages that were written but never read still occupy their definition instant.
        List<Storage> planned = new ArrayList<>();
        for (Storage s : storages) {
            if (s.mergedInto != null) continue;
            if (s.lastUse < s.def) s.lastUse = s.def;
            if (s.kind == Storage.Kind.ACTIVATION) planned.add(s);
            else if (s.buffer == null) allocate(s);
        }
        planned.sort(Comparator.comparingInt((Storage s) -> s.def).thenComparingInt(s -> s.id));
        // Greedy: each slot holds storages with disjoint live ranges.
        List<long[]> slots = new ArrayList<>();            // {size, busyUntil}
        Map<Storage, Integer> slotOf = new IdentityHashMap<>();
        for (Storage s : planned) {
            int best = -1;
            for (int k = 0; k < slots.size(); k++) {
                long[] sl = slots.get(k);
                if (sl[1] >= s.def) continue;
                if (best < 0) { best = k; continue; }
                long[] b = slots.get(best);
                boolean fits = sl[0] >= s.bytes;
                boolean bFits = b[0] >= s.bytes;
                if (fits && (!bFits || sl[0] < b[0]) || !fits && !bFits && sl[0] > b[0]) best = k;
            }
            if (best < 0) {
                slots.add(new long[] {s.bytes, s.lastUse});
                best = slots.size() - 1;
            } else {
                long[] sl = slots.get(best);
                sl[0] = Math.max(sl[0], s.bytes);
                sl[1] = s.lastUse;
            }
            slotOf.put(s, best);
        }
        ByteBuffer[] slotBuffers = new ByteBuffer[slots.size()];
        long total = 0;
        for (int k = 0; k < slots.size(); k++) {
            Storage tmp = new Storage(-1, Storage.Kind.ACTIVATION, slots.get(k)[0]);
            allocate(tmp);
            slotBuffers[k] = tmp.buffer;
            total += slots.get(k)[0];
        }
        for (Storage s : planned) s.buffer = slotBuffers[slotOf.get(s)];
        for (Storage s : storages) {
            Storage root = s.root();
            if (root.buffer == null) throw new IllegalStateException("storage without buffer: " + root);
            s.buffer = root.buffer;
            Pointer handle = new Pointer(root.buffer);
            for (memory m : s.memories) m.set_data_handle(handle);
        }
        for (Step st : steps) {
            if (st.host == null) continue;
            st.hostBuffers = new ByteBuffer[st.hostMemories.length];
            for (int k = 0; k < st.hostMemories.length; k++) {
                memory m = st.hostMemories[k];
                Storage root = memStorage.get(m).root();
                if (m.get_desc().get_submemory_offset() != 0) throw new IllegalStateException("host step over a sub-memory");
                st.hostBuffers[k] = root.buffer.duplicate().order(ByteOrder.nativeOrder());
            }
        }
        long naive = 0;
        for (Storage s : storages) if (s.kind == Storage.Kind.ACTIVATION && s.mergedInto == null) naive += s.bytes;
        LOG.debug("activation memory: {} KiB in {} buffers (without reuse {} KiB)", total / 1024, slots.size(), naive / 1024);
        return total;
    }

    // ------------------------------------------------------------------ per-node context

    private final class NodeContext implements KernelContext {
        final Node node;
        final BoundOp<?> op;
        final Value[] inputs;
        final long[][] outShapes;
        final DType[] outTypes;
        final Value[] outputs;
        final memory[] lastInput;

        NodeContext(Node node, BoundOp<?> op, Value[] inputs, long[][] outShapes, DType[] outTypes) {
            this.node = node;
            this.op = op;
            this.inputs = inputs;
            this.outShapes = outShapes;
            this.outTypes = outTypes;
            this.outputs = new Value[outShapes.length];
            this.lastInput = new memory[inputs.length];
        }

        @Override public engine engine() { return eng; }

        @Override public Node node() { return node; }

        @Override public int numInputs() { return inputs.length; }

        private Value in(int i) {
            if (inputs[i] == null) throw unsupported("input " + i + " is not available at inference");
            return inputs[i];
        }

        @Override public long[] inputShape(int i) { return in(i).shape.clone(); }

        @Override public long[] outputShape(int j) { return outShapes[j].clone(); }

        @Override public memory.desc inputDesc(int i) { return in(i).desc; }

        @Override public boolean isParameter(int i) { return in(i).isParameter(); }

        @Override
        public NDArray parameterValue(int i) {
            Value v = in(i);
            if (!v.isParameter()) throw new IllegalStateException("node '" + node.name() + "': input " + i + " is not a parameter");
            return v.param;
        }

        @Override
        public memory input(int i) {
            Value v = in(i);
            if (v.isParameter()) return remember(i, parameterVariant(v, v.desc, v.desc).mem);
            v.storage.read(time);
            return remember(i, v.mem);
        }

        @Override
        public memory input(int i, memory.desc wanted) {
            Value v = in(i);
            if (v.isParameter()) return remember(i, parameterVariant(v, v.desc, wanted).mem);
            return remember(i, activationIn(v, wanted));
        }

        @Override
        public memory input(int i, memory.desc view, memory.desc wanted) {
            Value v = in(i);
            if (v.isParameter()) return remember(i, parameterVariant(v, view, wanted).mem);
            memory plain = activationIn(v, Layouts.plain(v.shape));
            memory viewed = view(plain, view);
            if (Layouts.sameBytes(view, wanted)) return remember(i, view(plain, wanted));
            // A run-time input seen through a view, then reordered (rare: weights computed by the graph).
            Storage s = newStorage(Storage.Kind.ACTIVATION, wanted.get_size());
            s.write(time);
            s.read(time);
            memory dst = newMemory(wanted, s);
            reorder.primitive_desc pd = new reorder.primitive_desc(eng, view, eng, wanted, newAttr(), false);
            IntMemoryMap args = newArgs();
            args.put(DNNL_ARG_FROM, viewed);
            args.put(DNNL_ARG_TO, dst);
            addStep(new reorder(pd), pd, args, node.name());
            return remember(i, dst);
        }

        private memory remember(int i, memory m) {
            lastInput[i] = m;
            return m;
        }

        private memory activationIn(Value v, memory.desc wanted) {
            Value src = null;
            if (Layouts.sameBytes(v.desc, wanted)) {
                src = v;
            } else {
                for (Value r : v.variants) if (Layouts.sameBytes(r.desc, wanted)) src = r;
            }
            if (src == null) src = reorderValue(v, wanted, node.name() + "_in");
            src.storage.read(time);
            return src.desc.equals(wanted) ? src.mem : view(src.mem, wanted);
        }

        private void checkDims(int j, memory.desc desc) {
            if (!Arrays.equals(Layouts.dimsOf(desc), Layouts.dims(outShapes[j]))) {
                throw new IllegalStateException("node '" + node.name() + "': output " + j + " desc dims " + Arrays.toString(Layouts.dimsOf(desc))
                        + " differ from its shape " + ShapeContext.fmt(outShapes[j]));
            }
        }

        @Override
        public memory output(int j, memory.desc desc) {
            checkDims(j, desc);
            Storage s = newStorage(Storage.Kind.ACTIVATION, desc.get_size());
            s.write(time);
            Value v = new Value(new NodeEntry(node, j).outputName(), outShapes[j], desc, newMemory(desc, s), s, null,
                    outTypes[j], null);
            outputs[j] = v;
            return v.mem;
        }

        @Override
        public memory outputInPlace(int j, memory.desc desc, int input) {
            memory src = lastInput[input] != null ? lastInput[input] : input(input, desc);
            memory m = output(j, desc);
            Storage inSt = memStorage.get(src);
            if (inSt != null && Layouts.sameBytes(src.get_desc(), desc)) {
                inPlace.add(new int[] {outputs[j].storage.id, inSt.id, time});
            }
            return m;
        }

        @Override
        public memory outputStartingAs(int j, memory.desc desc, int input, memory.desc inputDesc) {
            if (desc.get_size() != inputDesc.get_size()) {
                throw new IllegalArgumentException("node '" + node.name() + "': output " + j + " (" + desc.get_size()
                        + " bytes) cannot start as input " + input + " (" + inputDesc.get_size() + " bytes)");
            }
            memory src = input(input, inputDesc);
            memory m = output(j, desc);
            Storage outSt = outputs[j].storage;
            reorder.primitive_desc pd = new reorder.primitive_desc(eng, inputDesc, eng, inputDesc, newAttr(), false);
            IntMemoryMap args = newArgs();
            args.put(DNNL_ARG_FROM, src);
            args.put(DNNL_ARG_TO, newMemory(inputDesc, outSt));
            addStep(new reorder(pd), pd, args, node.name());
            Storage inSt = memStorage.get(src);
            if (inSt != null) {
                inPlace.add(new int[] {outSt.id, inSt.id, time});
                startCopies.add(new StartCopy(outSt, inSt, steps.get(steps.size() - 1)));
            }
            return m;
        }

        @Override
        public memory outputAlias(int j, memory source, memory.desc view) {
            checkDims(j, view);
            Storage s = memStorage.get(source);
            if (s == null) throw new IllegalStateException("node '" + node.name() + "': alias of a memory not from this context");
            s.read(time);
            Value v = new Value(new NodeEntry(node, j).outputName(), outShapes[j], view, newMemory(view, s), s, null,
                    outTypes[j], null);
            outputs[j] = v;
            return v.mem;
        }

        @Override
        public memory view(memory m, memory.desc desc) {
            Storage s = memStorage.get(m);
            if (s == null) throw new IllegalStateException("node '" + node.name() + "': view of a memory not from this context");
            if (s.kind != Storage.Kind.CONSTANT) s.read(time);
            return newMemory(desc, s);
        }

        @Override
        public memory temp(memory.desc desc) {
            Storage s = newStorage(Storage.Kind.ACTIVATION, desc.get_size());
            s.write(time);
            s.read(time);
            return newMemory(desc, s);
        }

        @Override
        public memory constant(memory.desc desc, float[] values) {
            Storage s = newStorage(Storage.Kind.CONSTANT, desc.get_size());
            if (s.bytes != values.length * 4L) throw new IllegalArgumentException("constant of " + values.length + " floats for a desc of " + s.bytes + " bytes");
            allocate(s);
            constantBytes += s.bytes;
            s.buffer.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer().put(values);
            return newMemory(desc, s);
        }

        @Override
        public memory constantBuffer(memory.desc desc) {
            Storage s = newStorage(Storage.Kind.CONSTANT, desc.get_size());
            allocate(s);
            constantBytes += s.bytes;
            return newMemory(desc, s);
        }

        @Override public primitive_attr newAttr() { return ExecutorBuilder.this.newAttr(); }

        @Override public IntMemoryMap newArgs() { return own(new IntMemoryMap()); }

        @Override
        public void addPrimitive(primitive prim, primitive_desc_base pd, IntMemoryMap args) {
            addStep(prim, pd, args, node.name());
        }

        @Override public <T extends Pointer> T own(T p) { return ExecutorBuilder.this.own(p); }

        @Override public DType inputType(int i) { return in(i).dtype; }

        @Override
        public List<Node> consumersOf(Node n, int output) {
            List<List<Node>> byOut = consumers.get(n);
            if (byOut == null || output >= byOut.size()) return List.of();
            return Collections.unmodifiableList(byOut.get(output));
        }

        @Override
        public boolean isGraphOutput(Node n, int output) { return headEntries.contains(new NodeEntry(n, output)); }

        @Override public DType outputType(int j) { return outTypes[j]; }

        @Override
        public float[] constantValue(int i) {
            Value v = in(i);
            if (v.isParameter()) return v.param.toFloatArray();
            return v.constant == null ? null : v.constant.clone();
        }

        @Override
        public void outputConstant(int j, float[] values) {
            memory.desc desc = Layouts.plain(outShapes[j]);
            memory m = constant(desc, values);
            outputs[j] = new Value(new NodeEntry(node, j).outputName(), outShapes[j], desc, m, memStorage.get(m), null,
                    DType.FLOAT32, values.clone());
        }

        @Override
        public void outputSameAs(int j, int i) {
            Value v = in(i);
            if (!Arrays.equals(v.shape, outShapes[j])) {
                throw new IllegalStateException("node '" + node.name() + "': output " + j + " " + ShapeContext.fmt(outShapes[j])
                        + " cannot be input " + i + " " + ShapeContext.fmt(v.shape));
            }
            if (!v.isParameter()) v.storage.read(time);
            outputs[j] = v;
        }

        @Override
        public void addHostStep(org.quantize4j.ops.HostStep step, memory... memories) {
            for (memory m : memories) {
                Storage s = memStorage.get(m);
                if (s == null) throw new IllegalStateException("node '" + node.name() + "': host step over a memory not from this context");
                s.read(time);
            }
            steps.add(new Step(step, memories.clone(), node.name(), rawStream));
        }
    }

    private record StartCopy(Storage out, Storage in, Step step) {
    }
}
