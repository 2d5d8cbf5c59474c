package org.quantize4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Images in an MXNet RecordIO file as im2rec makes them ({@code .rec}, each record an
 * {@link ImageRecord}), with its {@code .idx} beside it if present (same name, {@code .idx}
 * extension). Records are read in file order; the index, when there, is checked against the file at
 * open (every entry a record start inside the file, every record listed) so a stale or broken index
 * is an error rather than a silent mismatch. Labels come from the record headers (label width 1).
 *
 * <p>Without a data shape the first record's image size (and 3 channels) is used, and every image
 * must have that size.
 *
 * <pre>{@code
 * try (RecordIODataset ds = RecordIODataset.open(Path.of("val.rec"),
 *         DatasetOptions.defaults().withDataShape(3, 224, 224).withResize(256))) {
 *     DataIter it = ds.iterator(50);
 * }
 * }</pre>
 */
public final class RecordIODataset extends IndexedDataset {
    private final RecordIOFile rec;
    private final Path idx;
    private final ImageTransform transform;
    private final boolean exactSize;
    private final float[][] table;
    private final long[] shape;

    private RecordIODataset(Path file, DatasetOptions options, RecordIOFile rec, Path idx, ImageTransform transform,
                            boolean exactSize) {
        super(file, options);
        this.rec = rec;
        this.idx = idx;
        this.transform = transform;
        this.exactSize = exactSize;
        this.table = options.pixelNormalization().uint8Table(transform.channels());
        this.shape = new long[] {transform.channels(), transform.height(), transform.width()};
    }

    /**
     * Opens {@code file} (a {@code .rec}, or its {@code .idx}).
     *
     * @throws DatasetFormatException naming the file and offset for a truncated or corrupt .rec, an
     *     index entry outside the file, or an unusable first record when the shape must come from it
     */
    public static RecordIODataset open(Path file, DatasetOptions options) throws IOException {
        Path recPath = file;
        Path idxPath = null;
        String name = file.getFileName().toString();
        if (name.endsWith(".idx")) {
            idxPath = file;
            recPath = file.resolveSibling(name.substring(0, name.length() - 4) + ".rec");
        } else {
            String base = name.endsWith(".rec") ? name.substring(0, name.length() - 4) : name;
            Path guess = file.resolveSibling(base + ".idx");
            if (Files.isRegularFile(guess)) idxPath = guess;
        }
        RecordIOFile rec = RecordIOFile.open(recPath);
        try {
            if (idxPath != null) {
                List<RecordIOFile.IndexEntry> entries = RecordIOFile.readIndex(idxPath);
                rec.checkIndex(idxPath, entries);
            }
            if (rec.count() == 0) throw new DatasetFormatException(recPath, "has no records");
            int[] shape = options.dataShape();
            boolean exact = shape == null;
            if (shape == null) {
                if (options.resize() > 0) throw new DatasetFormatException(recPath, "resize needs a data shape (C,H,W) to crop to");
                ImageRecord first = ImageRecord.unpack(rec.read(0), recPath, item(rec, 0));
                PixelImage img = ImageDecoder.decode(first.image(), recPath, item(rec, 0));
                shape = new int[] {3, img.height(), img.width()};
            }
            ImageFolderDataset.checkChannels(recPath, shape[0]);
            ImageTransform t = new ImageTransform(shape[0], shape[1], shape[2], options.resize(), options.channelOrder());
            return new RecordIODataset(recPath, options, rec, idxPath, t, exact);
        } catch (IOException | RuntimeException e) {
            rec.close();
            throw e;
        }
    }

    private static String item(RecordIOFile rec, int i) {
        return "record " + i + " (offset " + rec.offset(i) + ")";
    }

    @Override
    public DatasetKind kind() { return DatasetKind.RECORDIO; }

    @Override
    public int size() { return rec.count(); }

    @Override
    public long[] exampleShape() { return shape.clone(); }

    @Override
    public boolean labeled() { return true; }

    @Override
    public String labelsSource() { return "record headers of " + path; }

    /** The index file that was checked, or null if there is none. */
    public Path indexFile() { return idx; }

    /** The underlying record file. */
    public RecordIOFile records() { return rec; }

    @Override
    int read(int index, float[] dst) throws IOException {
        String item = item(rec, index);
        ImageRecord r = ImageRecord.unpack(rec.read(index), path, item);
        int label = r.classLabel(path, item);
        PixelImage img = ImageDecoder.decode(r.image(), path, item);
        if (exactSize && (img.width() != transform.width() || img.height() != transform.height())) {
            throw new DatasetFormatException(path, item + ": image is " + img.width() + "x" + img.height()
                    + " (width x height) but record 0 is " + transform.width() + "x" + transform.height()
                    + "; give a data shape (e.g. --data-shape 3,224,224, with --resize) to resize and crop them to one size");
        }
        byte[] chw = transform.apply(img, path, item);
        ImageFolderDataset.normalize(chw, table, dst);
        return label;
    }

    @Override
    public void close() {
        try {
            rec.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path + ": " + e.getMessage(), e);
        }
    }
}
