package org.quantize4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.quantize4j.graph.Symbol;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.passes.CompactParams;

/**
 * The result of {@link Quantization#quantizeModel}: MXNet's {@code (qsym, qarg_params, aux_params)}.
 * Arguments hold the offline-quantized weights ({@code <w>_quantize} int8 with {@code <w>_quantize_min}
 * / {@code _max}) and the FP32 parameters the quantized graph still uses.
 *
 * <pre>{@code
 * QuantizedModel q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), options);
 * q.save("out/resnet-quantized", 0);    // out/resnet-quantized-symbol.json + -0000.params
 * }</pre>
 */
public record QuantizedModel(Symbol symbol, Map<String, NDArray> argParams, Map<String, NDArray> auxParams) {
    public QuantizedModel {
        argParams = Collections.unmodifiableMap(new LinkedHashMap<>(argParams));
        auxParams = Collections.unmodifiableMap(new LinkedHashMap<>(auxParams));
    }

    /** As a {@link Model} (to save it or to run it). */
    public Model toModel() {
        return new Model(symbol, argParams, auxParams);
    }

    /** Saves {@code PREFIX-symbol.json} and {@code PREFIX-%04d.params}, atomically, as MXNet's save_checkpoint. */
    public void save(String prefix, int epoch) {
        toModel().save(prefix, epoch);
    }

    /**
     * Saves like {@link #save(String, int)}; with {@code compact}, the FP32 weights of quantized fused
     * convolutions / FullyConnected are stored as int8 plus one float scale per output channel
     * ({@link CompactParams}), about 4x smaller than FP32. MXNet cannot read compact params; {@link #load} can.
     *
     * <pre>{@code
     * q.save("out/resnet20-int8", 0, true);
     * QuantizedModel back = QuantizedModel.load("out/resnet20-int8", 0);   // weights restored to float32
     * }</pre>
     */
    public void save(String prefix, int epoch, boolean compact) {
        if (!compact) {
            save(prefix, epoch);
            return;
        }
        new Model(symbol, CompactParams.compact(symbol, argParams, auxParams), auxParams).save(prefix, epoch);
    }

    /**
     * Loads a quantized checkpoint (MXNet's or ours), expanding compact weights ({@link CompactParams#expand})
     * so the result runs like the model that was saved.
     */
    public static QuantizedModel load(String prefix, int epoch) {
        Model m = Model.load(prefix, epoch);
        return new QuantizedModel(m.symbol(), CompactParams.expand(m.argParams()), m.auxParams());
    }
}
