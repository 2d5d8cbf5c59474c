package org.quantize4j.calib;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calibrated ranges by FP32 tensor name, with how they were obtained; saved as JSON like MXNet's calibration
 * tables ({@code test-models/*-calib-*.json}), but keyed by tensor and with floats that parse back exactly.
 *
 * <pre>{@code
 * CalibrationTable t = new CalibrationTable("naive", "auto", 320, ranges);
 * t.save(Path.of("model-calib-naive.json"));
 * TensorRange r = CalibrationTable.load(Path.of("model-calib-naive.json")).ranges().get("data");
 * }</pre>
 *
 * File format: {@code {"format": "quantize4j-calibration-table", "version": 1, "calib_mode": "naive",
 * "quantized_dtype": "auto", "num_examples": 320, "tensors": [{"name": "data", "min_calib_range": -0.810198,
 * "max_calib_range": 2.022663}, ...]}}.
 *
 * @param calibMode      MXNet's name of the calibration mode
 * @param quantizedDtype MXNet's name of the dtype the ranges were computed for (entropy depends on it)
 * @param numExamples    examples the ranges come from (-1 if unknown)
 * @param ranges         range per tensor, in graph order
 */
public record CalibrationTable(String calibMode, String quantizedDtype, long numExamples,
                               Map<String, TensorRange> ranges) {
    public static final String FORMAT = "quantize4j-calibration-table";

    public CalibrationTable {
        ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
    }

    /** Writes the table (temp file + atomic rename). */
    public void save(Path file) {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", 1);
        root.put("calib_mode", calibMode);
        root.put("quantized_dtype", quantizedDtype);
        root.put("num_examples", numExamples);
        ArrayNode tensors = root.putArray("tensors");
        ranges.forEach((name, r) -> {
            ObjectNode t = tensors.addObject();
            t.put("name", name);
            t.put("min_calib_range", r.min());
            t.put("max_calib_range", r.max());
        });
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, json.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write calibration table: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a table written by {@link #save}.
     *
     * @throws IllegalArgumentException naming the file for malformed content
     */
    public static CalibrationTable load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a readable JSON calibration table: " + e.getMessage(), e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(file + ": not a calibration table (\"format\" must be \"" + FORMAT + "\")");
        }
        JsonNode tensors = root.path("tensors");
        if (!tensors.isArray()) throw new IllegalArgumentException(file + ": \"tensors\" must be an array");
        Map<String, TensorRange> ranges = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode t : tensors) {
            String name = t.path("name").asText(null);
            JsonNode min = t.get("min_calib_range");
            JsonNode max = t.get("max_calib_range");
            if (name == null || min == null || max == null || !min.isNumber() || !max.isNumber()) {
                throw new IllegalArgumentException(file + ": tensors[" + i + "] needs name, min_calib_range, max_calib_range");
            }
            try {
                ranges.put(name, new TensorRange(min.decimalValue().floatValue(), max.decimalValue().floatValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "': " + e.getMessage(), e);
            }
            i++;
        }
        return new CalibrationTable(root.path("calib_mode").asText("unknown"), root.path("quantized_dtype").asText("unknown"),
                root.path("num_examples").asLong(-1), ranges);
    }
}
