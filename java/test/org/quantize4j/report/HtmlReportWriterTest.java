package org.quantize4j.report;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;

/** The writers on a small hand-made report: escaping, n/a values, ordering, atomic files in a new folder. */
public class HtmlReportWriterTest {
    private static CalibrationReport report() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("calib_mode", "naive");
        settings.put("model", "<m&m>");
        TensorReport t1 = new TensorReport("data", List.of("data_quantize"), -1f, 2f, -1f, 2f, 2f, null, 100, 0,
                new HistogramBins(-1, 2, new long[] {10, 0, 80, 10}));
        TensorReport t2 = new TensorReport("conv<0>_output", List.of(), 0f, 0f, 0f, 0f, 0f, 0.25f, 0, 0, null);
        LayerError worst = new LayerError("bn0", "BatchNorm", List.of("bn0", "relu0"), "quantized_relu0", 0.2, 0.98, 1.5,
                1.0, 0.05, 400);
        LayerError inf = new LayerError("conv0", "Convolution", List.of("conv0"), "requantize_conv0",
                Double.POSITIVE_INFINITY, 0, 1, 0, 0, 400);
        return new CalibrationReport("<m&m>", "2026-01-01T00:00:00Z", settings, 64, 64, List.of(t1, t2),
                List.of(worst, inf), List.of("a note"));
    }

    @Test
    public void writesBothFilesIntoANewFolder() throws Exception {
        Path dir = Files.createTempDirectory("q4j-html").resolve("a/b");
        report().write(dir);
        try (var files = Files.list(dir)) {
            assertEquals(files.map(p -> p.getFileName().toString()).sorted().toList(), List.of("report.html", "report.json"));
        }
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertFalse(html.contains("<m&m>") || html.contains("conv<0>"), "names are escaped");
        assertTrue(html.contains("&lt;m&amp;m&gt;") && html.contains("conv&lt;0&gt;_output"));
        assertEquals(html.split("<svg", -1).length - 1, 2, "one plot per tensor, also without a histogram");
        assertTrue(html.contains("no values recorded"));
        assertTrue(html.contains("--exclude bn0 --exclude relu0"), "a merged row names both nodes");
        assertTrue(html.contains("range not used by the written model"));
        assertTrue(html.contains(">n/a<"), "KL divergence of naive");

        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertEquals(json.path("model").asText(), "<m&m>");
        assertTrue(json.path("tensors").get(0).path("kl_divergence").isNull());
        assertEquals(json.path("tensors").get(1).path("kl_divergence").asDouble(), 0.25, 1e-7);
        assertTrue(json.path("tensors").get(1).path("histogram").isNull());
        assertTrue(json.path("layers").get(1).path("relative_l2").isNull(), "JSON has no Infinity: null");
        assertEquals(json.path("layers").get(0).path("added_relative_l2").asDouble(), 0.15, 1e-12);
        assertEquals(json.path("tensors").get(0).path("histogram").path("counts").size(), 4);
    }

    @Test
    public void ticksAreRound() {
        assertEquals(SvgHistogram.ticks(-0.81, 2.02, 6), List.of(-0.5, 0.0, 0.5, 1.0, 1.5, 2.0));
        assertEquals(SvgHistogram.fmt(2.0226629), "2.023");
        assertEquals(SvgHistogram.fmt(0), "0");
        assertEquals(SvgHistogram.fmt(1.5e-7), "1.500e-07");
    }
}
