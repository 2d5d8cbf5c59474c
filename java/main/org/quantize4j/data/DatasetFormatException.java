package org.quantize4j.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file or folder that cannot be used: wrong format, truncated data, an index pointing
 * nowhere, images of the wrong size. The message always names the file (and the record or image at
 * fault).
 *
 * <pre>{@code
 * try { Datasets.open(path, DatasetOptions.defaults()); }
 * catch (DatasetFormatException e) { log.error("bad dataset {}", e.file(), e); }
 * }</pre>
 */
public class DatasetFormatException extends IOException {
    private final transient Path file;
    private final String problem;

    public DatasetFormatException(Path file, String problem) {
        this(file, problem, null);
    }

    public DatasetFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The message without the file name. */
    public String problem() { return problem; }

    /** The file at fault. */
    public Path file() { return file; }
}
