package org.quantize4j.runtime;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.testng.annotations.Test;

public class OmpThreadsTest {

    @Test
    public void setNumThreadsChangesMaxThreads() {
        int before = OmpThreads.maxThreads();
        assertTrue(before >= 1, "omp_get_max_threads() = " + before);
        try {
            OmpThreads.setNumThreads(3);
            assertEquals(OmpThreads.maxThreads(), 3);
            OmpThreads.setNumThreads(1);
            assertEquals(OmpThreads.maxThreads(), 1);
        } finally {
            OmpThreads.setNumThreads(before);
        }
        assertEquals(OmpThreads.maxThreads(), before);
    }

    @Test
    public void rejectsNonPositiveCounts() {
        assertThrows(IllegalArgumentException.class, () -> OmpThreads.setNumThreads(0));
        assertThrows(IllegalArgumentException.class, () -> OmpThreads.setNumThreads(-2));
    }

    /** One OpenMP runtime per process: a second libgomp copy would keep its own, unrelated thread count. */
    @Test
    public void onlyOneLibgompIsMapped() throws IOException {
        OmpThreads.maxThreads();
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return; // not Linux: nothing to check
        }
        List<String> gomps = Files.readAllLines(maps).stream()
                .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                .filter(p -> p.contains("libgomp"))
                .distinct()
                .collect(Collectors.toList());
        assertEquals(gomps.size(), 1, "libgomp copies mapped: " + gomps);
    }
}
