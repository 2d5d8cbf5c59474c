package org.quantize4j.calib;

import java.util.Map;
import org.quantize4j.ndarray.NDArray;

/**
 * Watches a calibration without taking part in it: sees every FP32 tensor the collector gets, then the
 * collector and the table of ranges it produced. Reports and diagnostics use it (e.g. histograms of a
 * naive calibration, the KL divergences of an entropy one); the ranges do not depend on it.
 *
 * <pre>{@code
 * CalibrationListener l = new CalibrationListener() {
 *     public void calibrated(CalibrationCollector c, CalibrationTable t) {
 *         System.out.println(t.ranges().size() + " tensors calibrated");
 *     }
 * };
 * Quantization.quantizeModel(sym, args, aux, QuantizeOptions.defaults().calibData(it).calibrationListener(l));
 * }</pre>
 */
public interface CalibrationListener {
    /**
     * One tensor of one batch, after the collector got it; the same view the collector saw (float32, valid
     * rows only), valid only during the call. Called only for tensors the collector wants.
     */
    default void tensor(String name, String opName, NDArray array) {
    }

    /** After the last batch: the collector (its {@code postCollect()} already ran) and the resulting table. */
    default void calibrated(CalibrationCollector collector, CalibrationTable table) {
    }

    /**
     * A collector that passes everything to {@code collector} and shows each tensor to {@code listener}
     * afterwards; its {@link CalibrationCollector#postCollect} is the collector's.
     */
    static CalibrationCollector tee(CalibrationCollector collector, CalibrationListener listener) {
        return new CalibrationCollector() {
            @Override
            public void collect(String name, String opName, NDArray array) {
                collector.collect(name, opName, array);
                if (collector.wants(name)) listener.tensor(name, opName, array);
            }

            @Override
            public Map<String, TensorRange> postCollect() {
                return collector.postCollect();
            }

            @Override
            public boolean wants(String name) {
                return collector.wants(name);
            }
        };
    }
}
