package org.quantize4j.calib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.quantize4j.TestFiles;

/** Reads the MXNet oracle files of test-models/conformance (combine_histogram.json, optimal_threshold.json). */
final class CalibConformance {
    private CalibConformance() {
    }

    static JsonNode read(String name) throws IOException {
        Path p = TestFiles.testModel("conformance/" + name);
        if (!Files.exists(p)) {
            p = TestFiles.fixtures().resolve("conformance/" + name);
        }
        return new ObjectMapper().readTree(p.toFile());
    }

    static long[] longs(JsonNode a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asLong();
        }
        return r;
    }

    /** JSON numbers written from float32 values: the nearest float is the value itself. */
    static float[] floats(JsonNode a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) a.get(i).asDouble();
        }
        return r;
    }

    static FloatBuffer direct(float[] values) {
        FloatBuffer b = ByteBuffer.allocateDirect(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        b.put(values).flip();
        return b;
    }

    /** The oracle's state tuple as a Histogram. */
    static Histogram state(JsonNode r) {
        return Histogram.of(longs(r.get("hist")), floats(r.get("edges")), (float) r.get("min").asDouble(),
                (float) r.get("max").asDouble(), r.get("th").asDouble(), r.get("th_type").asText().equals("float32"));
    }
}
