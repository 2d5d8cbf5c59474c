package org.quantize4j.calib;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testng.annotations.Test;

public class CalibrationTableTest {
    @Test
    public void saveLoadKeepsEveryFloatExactly() throws Exception {
        Map<String, TensorRange> ranges = new LinkedHashMap<>();
        ranges.put("data", new TensorRange(-0.8101983f, 2.0226629f));
        ranges.put("conv0_fwd_output", new TensorRange(Math.nextDown(-0.1f), Math.nextUp(0.1f)));
        ranges.put("tiny", new TensorRange(-1.4e-45f, 1e-38f));
        ranges.put("huge", new TensorRange(-3.4028235e38f, 3.4028235e38f));
        ranges.put("zero", new TensorRange(0f, 0f));
        CalibrationTable t = new CalibrationTable("entropy", "auto", 320, ranges);
        Path dir = Files.createTempDirectory("calib");
        Path f = dir.resolve("m-calib-entropy.json");
        try {
            t.save(f);
            CalibrationTable back = CalibrationTable.load(f);
            assertEquals(back, t);
            assertEquals(List.copyOf(back.ranges().keySet()), List.copyOf(ranges.keySet()));
            try (var s = Files.list(dir)) {
                assertEquals(s.count(), 1L, "no temp file left");
            }
        } finally {
            Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    public void malformedFilesAreErrorsNamingTheFile() throws Exception {
        Path f = Files.createTempFile("bad", ".json");
        try {
            Files.writeString(f, "{\"format\": \"quantize4j-calibration-table\", \"tensors\": [{\"name\": \"x\", \"min_calib_range\": 2, \"max_calib_range\": 1}]}");
            IllegalArgumentException e = expectThrows(IllegalArgumentException.class, () -> CalibrationTable.load(f));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("'x'"), e.getMessage());
            Files.writeString(f, "{\"nodes\": []}");
            e = expectThrows(IllegalArgumentException.class, () -> CalibrationTable.load(f));
            assertTrue(e.getMessage().contains("not a calibration table"), e.getMessage());
            Files.writeString(f, "{not json");
            e = expectThrows(IllegalArgumentException.class, () -> CalibrationTable.load(f));
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
