package org.quantize4j.report;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A quantization report: per calibrated tensor what calibration saw and chose ({@link TensorReport}), and per
 * quantized layer how far its INT8 output is from FP32 on the calibration data ({@link LayerError}, worst first),
 * so a user sees which layer to keep in FP32. Written as {@code report.html} (plots as inline SVG) and
 * {@code report.json}.
 *
 * <pre>{@code
 * CalibrationRecorder rec = new CalibrationRecorder(CalibMode.ENTROPY);
 * QuantizedModel q = Quantization.quantizeModel(m.symbol(), m.argParams(), m.auxParams(), options.calibrationListener(rec));
 * List<LayerError> errors = LayerErrors.measure(m.symbol(), m.allParams(), q.symbol(), q.toModel().allParams(),
 *         Map.of(), "data", iter, 320, ExecutorOptions.defaults(), null);
 * CalibrationReport r = new CalibrationReport("test-models/fmnist_resnet20_v1", Instant.now().toString(),
 *         Map.of("calib_mode", "entropy"), rec.table().numExamples(), 320,
 *         rec.tensors(CalibrationTarget.of(q.symbol()), 160), errors, List.of());
 * r.write(Path.of("out/report"));   // out/report/report.html + report.json
 * }</pre>
 *
 * @param model         the model (its prefix)
 * @param created       when the report was made (ISO-8601)
 * @param settings      the quantization settings, by name ({@code calib_mode -> entropy}), in display order
 * @param calibExamples examples calibration ran on
 * @param errorExamples examples the layer errors were measured on
 * @param tensors       calibrated tensors, in graph order
 * @param layers        quantized layers, worst first
 * @param notes         remarks for the reader (e.g. what was not measured and why)
 */
public record CalibrationReport(String model, String created, Map<String, String> settings, long calibExamples,
                                long errorExamples, List<TensorReport> tensors, List<LayerError> layers,
                                List<String> notes) {
    /** Value of the JSON's {@code "format"}. */
    public static final String FORMAT = "quantize4j-calibration-report";
    public static final String HTML_FILE = "report.html";
    public static final String JSON_FILE = "report.json";

    public CalibrationReport {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        tensors = List.copyOf(tensors);
        layers = List.copyOf(layers);
        notes = List.copyOf(notes);
    }

    /**
     * Writes {@code dir/report.html} and {@code dir/report.json} (the folder is created if missing; each file
     * written to a temporary file, then renamed).
     *
     * @throws java.io.UncheckedIOException naming the file that could not be written
     */
    public void write(Path dir) {
        JsonReportWriter.write(this, dir.resolve(JSON_FILE));
        HtmlReportWriter.write(this, dir.resolve(HTML_FILE));
    }
}
