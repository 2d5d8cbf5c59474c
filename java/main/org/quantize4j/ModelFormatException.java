package org.quantize4j;

import java.nio.file.Path;

/**
 * A model file (symbol JSON, {@code .params}, {@code .npy}) is malformed or does not fit its partner file.
 * The message always names the file and, where known, the node or tensor at fault. It is an
 * {@link IllegalArgumentException} so callers validating arguments can treat it alike.
 *
 * <pre>{@code
 * try {
 *     ParamsFile.load(Path.of("model-0000.params"));
 * } catch (ModelFormatException e) {
 *     log.error("cannot use {}: {}", e.file(), e.getMessage());
 * }
 * }</pre>
 */
public class ModelFormatException extends IllegalArgumentException {
    private final transient Path file;

    /** @param file the offending file (may be null for in-memory input, e.g. a JSON string) */
    public ModelFormatException(Path file, String message) {
        super((file == null ? "<string>" : file.toString()) + ": " + message);
        this.file = file;
    }

    public ModelFormatException(Path file, String message, Throwable cause) {
        super((file == null ? "<string>" : file.toString()) + ": " + message, cause);
        this.file = file;
    }

    /** The file at fault, or null when the input did not come from a file. */
    public Path file() {
        return file;
    }
}
