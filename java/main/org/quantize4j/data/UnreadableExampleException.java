package org.quantize4j.data;

import java.nio.file.Path;

/**
 * One example (an image file, a record) cannot be decoded, while the rest of the dataset may be fine.
 * With {@link DatasetOptions#skipUnreadable()} such examples are skipped and counted instead of
 * failing the iteration.
 *
 * <pre>{@code
 * catch (UnreadableExampleException e) { System.err.println(e.item() + ": " + e.getMessage()); }
 * }</pre>
 */
public class UnreadableExampleException extends DatasetFormatException {
    private final String item;

    /**
     * @param file    the file holding the example (the image file, or the .rec file)
     * @param item    which example, e.g. {@code "record 7 (offset 1234)"}; the file name for an image file
     * @param problem what is wrong
     */
    public UnreadableExampleException(Path file, String item, String problem, Throwable cause) {
        super(file, (item == null || item.isEmpty() ? "" : item + ": ") + problem, cause);
        this.item = item;
    }

    /** Which example failed (for a folder dataset: empty, the file is the example). */
    public String item() { return item; }
}
