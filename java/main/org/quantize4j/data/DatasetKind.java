package org.quantize4j.data;

/**
 * The kinds of dataset {@link Datasets#open} understands.
 *
 * <pre>{@code
 * DatasetKind k = Datasets.detect(Path.of("val.rec"));   // RECORDIO
 * }</pre>
 */
public enum DatasetKind {
    /** MNIST / Fashion-MNIST IDX images file (gzip or not) with its labels file. */
    IDX("IDX images file"),
    /** A folder of JPEG/PNG images, one subfolder per class (or images directly, unlabeled). */
    IMAGE_FOLDER("image folder"),
    /** MXNet RecordIO {@code .rec} (with optional {@code .idx}) as written by im2rec. */
    RECORDIO("RecordIO file"),
    /** A NumPy {@code .npy} array (N, C, H, W), optionally with a labels {@code .npy}. */
    NPY(".npy array");

    private final String description;

    DatasetKind(String description) {
        this.description = description;
    }

    /** Human-readable name for messages. */
    public String description() { return description; }
}
