package org.quantize4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quantize4j.calib.CalibrationCollector;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.CalibrationTarget;

/**
 * The result of {@link Quantization#quantizeGraph}: MXNet's {@code (qsym, qarg_params, aux_params, collector)},
 * plus the list of FP32 tensors that need calibration.
 *
 * <pre>{@code
 * QuantizeGraphResult g = Quantization.quantizeGraph(sym, args, aux, options);
 * for (CalibrationTarget t : g.targets()) System.out.println(t.tensorName());   // data, conv0_fwd_output, ...
 * // feed FP32 outputs to g.collector().collect(name, opName, array) in your own loop, then:
 * QuantizedModel q = Quantization.calibGraph(g.symbol(), g.argParams(), g.auxParams(), g.collector(),
 *         CalibMode.NAIVE, QuantizedDtype.INT8);
 * }</pre>
 *
 * @param symbol    the quantized symbol, without calibration ranges yet
 * @param argParams offline-quantized weights and the FP32 arguments still used
 * @param auxParams auxiliary states, unchanged
 * @param collector a collector for the calibration mode of the options (null for NONE)
 * @param targets   the FP32 tensors whose ranges the quantized graph wants, in graph order
 */
public record QuantizeGraphResult(Symbol symbol, Map<String, NDArray> argParams, Map<String, NDArray> auxParams,
                                  CalibrationCollector collector, List<CalibrationTarget> targets) {
    public QuantizeGraphResult {
        argParams = Collections.unmodifiableMap(new LinkedHashMap<>(argParams));
        auxParams = Collections.unmodifiableMap(new LinkedHashMap<>(auxParams));
        targets = List.copyOf(targets);
    }
}
