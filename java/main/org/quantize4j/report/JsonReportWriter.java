package org.quantize4j.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.quantize4j.AtomicFiles;

/**
 * {@link CalibrationReport} as JSON ({@code report.json}): {@code {"format": "quantize4j-calibration-report",
 * "version": 1, "model", "created", "settings": {...}, "calib_examples", "error_examples", "tensors": [{"name",
 * "used_by", "seen_min", "seen_max", "calib_min", "calib_max", "threshold", "kl_divergence", "values",
 * "clipped_fraction", "histogram": {"lo", "hi", "counts": [...]}}], "layers": [{"layer", "op", "original_nodes",
 * "quantized_node", "relative_l2", "cosine", "max_abs_error", "fp32_rms", "input_relative_l2",
 * "added_relative_l2", "values"}], "notes": [...]}}. Layers are worst first. A value that does not apply
 * (KL divergence of a naive calibration) or is not finite is {@code null}.
 *
 * <pre>{@code
 * JsonReportWriter.write(report, Path.of("out/report/report.json"));
 * String json = JsonReportWriter.toJson(report);
 * }</pre>
 */
public final class JsonReportWriter {
    private JsonReportWriter() {
    }

    /** Writes the JSON to {@code file} atomically (creating its folder). */
    public static void write(CalibrationReport r, Path file) {
        byte[] bytes = toJson(r).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, bytes);
    }

    /** The report as an indented JSON document. */
    public static String toJson(CalibrationReport r) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("format", CalibrationReport.FORMAT);
        root.put("version", 1);
        root.put("model", r.model());
        root.put("created", r.created());
        ObjectNode settings = root.putObject("settings");
        r.settings().forEach(settings::put);
        root.put("calib_examples", r.calibExamples());
        root.put("error_examples", r.errorExamples());
        ArrayNode tensors = root.putArray("tensors");
        for (TensorReport t : r.tensors()) {
            ObjectNode o = tensors.addObject();
            o.put("name", t.name());
            ArrayNode used = o.putArray("used_by");
            t.usedBy().forEach(used::add);
            put(o, "seen_min", t.seenMin());
            put(o, "seen_max", t.seenMax());
            put(o, "calib_min", t.calibMin());
            put(o, "calib_max", t.calibMax());
            put(o, "threshold", t.threshold());
            if (t.klDivergence() == null) o.putNull("kl_divergence");
            else put(o, "kl_divergence", t.klDivergence());
            o.put("values", t.values());
            put(o, "clipped_fraction", t.clippedFraction());
            if (t.histogram() == null) {
                o.putNull("histogram");
            } else {
                ObjectNode h = o.putObject("histogram");
                put(h, "lo", t.histogram().lo());
                put(h, "hi", t.histogram().hi());
                ArrayNode counts = h.putArray("counts");
                for (long c : t.histogram().counts()) counts.add(c);
            }
        }
        ArrayNode layers = root.putArray("layers");
        for (LayerError e : r.layers()) {
            ObjectNode o = layers.addObject();
            o.put("layer", e.layer());
            o.put("op", e.op());
            ArrayNode orig = o.putArray("original_nodes");
            e.originalNodes().forEach(orig::add);
            o.put("quantized_node", e.quantizedNode());
            put(o, "relative_l2", e.relativeL2());
            put(o, "cosine", e.cosine());
            put(o, "max_abs_error", e.maxAbsError());
            put(o, "fp32_rms", e.fp32Rms());
            put(o, "input_relative_l2", e.inputRelativeL2());
            put(o, "added_relative_l2", e.addedRelativeL2());
            o.put("values", e.values());
        }
        ArrayNode notes = root.putArray("notes");
        r.notes().forEach(notes::add);
        try {
            return json.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A finite number, or null (JSON has no NaN / Infinity). */
    private static void put(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }

    private static void put(ObjectNode o, String key, float v) {
        if (Float.isFinite(v)) o.put(key, v);
        else o.putNull(key);
    }
}
