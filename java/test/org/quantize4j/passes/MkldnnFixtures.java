package org.quantize4j.passes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.quantize4j.CalibMode;
import org.quantize4j.MkldnnQuantizeResult;
import org.quantize4j.Model;
import org.quantize4j.TestFiles;
import org.quantize4j.calib.CalibData;
import org.quantize4j.data.DataIter;
import org.quantize4j.QuantizeGranularity;
import org.quantize4j.QuantizeOptions;
import org.quantize4j.Quantization;
import org.quantize4j.QuantizedDtype;
import org.quantize4j.calib.TensorRange;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.passes.fusion.FusionPass;
import org.quantize4j.passes.fusion.FusionResult;

/**
 * Helpers comparing our quantize_model_mkldnn graphs with MXNet's: a per-node description in MXNet's terms
 * (op, the flags that define a fused node, whether it carries a calibrated range, and its inputs by producer
 * name and output index), and the MXNet-1.9-compatible options the fixtures were made with (naive, auto,
 * smart, tensor-wise; 1.9 fuses the dequantize into FullyConnected only).
 */
final class MkldnnFixtures {
    /** Attributes that define the structure of a quantized graph (values compared). */
    static final Set<String> KEY_FLAGS = Set.of("quantized", "with_bn", "with_act", "with_sum", "with_postsum_act",
            "with_eltwise", "enable_float_output", "for_quantization");

    private MkldnnFixtures() {
    }

    private static final Map<String, MkldnnQuantizeResult> FMNIST_NAIVE = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Our quantize_model_mkldnn of a trained fmnist model with the fixtures' settings and calibration set (first
     * 320 training images, batch 32), computed once per test JVM.
     */
    static MkldnnQuantizeResult fmnistNaive(String model) {
        return FMNIST_NAIVE.computeIfAbsent(model, k -> {
            Model m = Model.load(TestFiles.prefix(k));
            try (DataIter it = CalibData.iterator(32)) {
                return Quantization.quantizeMkldnn(m.symbol(), m.argParams(), m.auxParams(), mxnet19().calibData(it));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The options of the fixtures' quantize_model_mkldnn call, minus calibration data. */
    static QuantizeOptions mxnet19() {
        return QuantizeOptions.defaults().calibMode(CalibMode.NAIVE).quantizedDtype(QuantizedDtype.AUTO)
                .quantizeGranularity(QuantizeGranularity.TENSOR_WISE).convFloatOutput(false);
    }

    /** Op node name -> description (see the class comment), in graph order. */
    static Map<String, String> describe(Symbol s) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Node n : s.nodes()) {
            if (n.isVariable()) continue;
            Map<String, String> flags = new TreeMap<>();
            for (String k : KEY_FLAGS) {
                String v = n.attr(k);
                if (v != null) flags.put(k, v.toLowerCase());
            }
            List<String> ins = new ArrayList<>();
            for (NodeEntry e : n.inputs()) ins.add(e.node().name() + (e.index() == 0 ? "" : ":" + e.index()));
            out.put(n.name(), n.op() + " " + flags + (n.attr("min_calib_range") != null ? " calib" : "") + " <- " + ins);
        }
        return out;
    }

    /** Multiset key of a node: op + key flags (what "same fused convs, same flags" means). */
    static Map<String, Integer> opFlagCounts(Symbol s) {
        Map<String, Integer> out = new TreeMap<>();
        for (String d : describe(s).values()) out.merge(d.substring(0, d.indexOf(" <- ")), 1, Integer::sum);
        return out;
    }

    /**
     * {@code d} with Gluon's per-session name counter of ResNet-v2 prefixes unified ({@code resnetv20_} /
     * {@code resnetv21_} become {@code resnetv2N_}): MXNet built the zoo's FP32 and quantized v2 files in sessions
     * that numbered the network differently; nothing else is renamed.
     */
    static Map<String, String> unifyGluonPrefix(Map<String, String> d) {
        Map<String, String> out = new LinkedHashMap<>();
        d.forEach((k, v) -> out.put(k.replaceAll("resnetv2\\d_", "resnetv2N_"), v.replaceAll("resnetv2\\d_", "resnetv2N_")));
        return out;
    }

    /** Differences between two descriptions, one line each (empty = equal). */
    static List<String> diff(Map<String, String> ours, Map<String, String> theirs) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : theirs.entrySet()) {
            String o = ours.get(e.getKey());
            if (o == null) out.add("missing " + e.getKey() + ": " + e.getValue());
            else if (!o.equals(e.getValue())) out.add("differs " + e.getKey() + ":\n   ours " + o + "\n   mxnet " + e.getValue());
        }
        for (String k : ours.keySet()) if (!theirs.containsKey(k)) out.add("extra " + k + ": " + ours.get(k));
        return out;
    }

    /**
     * Our quantize_model_mkldnn graph of an FP32 symbol without weights or data: every tensor to calibrate gets
     * range {@code range} (structure does not depend on the values).
     */
    static Symbol structureOnly(Symbol fp32, QuantizeOptions o, TensorRange range) {
        return structureOnly(fp32, o, t -> range);
    }

    /** {@link #structureOnly(Symbol, QuantizeOptions, TensorRange)} with a range per tensor name. */
    static Symbol structureOnly(Symbol fp32, QuantizeOptions o, java.util.function.Function<String, TensorRange> range) {
        FusionResult f = FusionPass.run(fp32, o.fusionOptions());
        ExcludedNames.Resolved ex = ExcludedNames.resolve(fp32, f, o.excludedSymNames(), o.excludedSymNamesMatch(),
                o.logger());
        Set<String> params = new java.util.HashSet<>(fp32.listInputs());
        params.removeAll(o.dataNames());
        QuantizePass.Result r = Quantization.quantizeFusedGraph(f.symbol(), ex.nodes(), params, o);
        Map<String, TensorRange> ranges = new LinkedHashMap<>();
        for (CalibrationTarget t : r.targets()) ranges.put(t.tensorName(), range.apply(t.tensorName()));
        for (CalibrationTarget t : ApplyCalibration.batchNormTargets(r.symbol())) ranges.put(t.tensorName(), range.apply(t.tensorName()));
        return Quantization.calibGraphMkldnn(r.symbol(), Map.of(), Map.of(), ranges, o).symbol();
    }
}
