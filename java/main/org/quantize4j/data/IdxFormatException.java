package org.quantize4j.data;

import java.nio.file.Path;

/**
 * An IDX file that cannot be used: wrong magic number, truncated data, or images and labels that do
 * not match. The message always names the file.
 */
public class IdxFormatException extends DatasetFormatException {
    public IdxFormatException(Path file, String problem) {
        super(file, problem);
    }
}
