package org.quantize4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Opens any supported dataset from a path, picking the reader by what the path is:
 * <ul>
 *   <li>a folder: {@link ImageFolderDataset} (JPEG/PNG, one subfolder per class);</li>
 *   <li>a RecordIO file (content starts with magic {@code 0xced7230a}, or a {@code .rec}/{@code .idx} name):
 *       {@link RecordIODataset};</li>
 *   <li>a NumPy file ({@code \x93NUMPY}, or {@code .npy}): {@link NpyDataset};</li>
 *   <li>an IDX images file (gzip or not, magic {@code 0x00000803}): MNIST / Fashion-MNIST with labels beside it.</li>
 * </ul>
 *
 * <pre>{@code
 * DatasetOptions o = DatasetOptions.defaults().withDataShape(3, 224, 224).withResize(256);
 * try (Dataset ds = Datasets.open(Path.of("calib.rec"), o); DataIter it = ds.iterator(32)) {
 *     while (it.hasNext()) calibrate(it.next());
 * }
 * }</pre>
 */
public final class Datasets {
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Datasets() {}

    /**
     * Opens {@code path} as the kind {@link #detect} finds.
     *
     * @throws NoSuchFileException if the path does not exist
     * @throws DatasetFormatException naming the file when it is not a usable dataset
     * @throws IllegalArgumentException if the options do not fit the data (e.g. 3 mean values for 1 channel)
     */
    public static Dataset open(Path path, DatasetOptions options) throws IOException {
        return switch (detect(path)) {
            case IMAGE_FOLDER -> ImageFolderDataset.open(path, options);
            case RECORDIO -> RecordIODataset.open(path, options);
            case NPY -> NpyDataset.open(path, options);
            case IDX -> IdxImages.open(path, options);
        };
    }

    /**
     * What kind of dataset {@code path} is: a folder; else by content (RecordIO magic, NumPy magic, IDX
     * images magic, also inside gzip); else, for a path that does not exist, by name ({@code .rec},
     * {@code .idx}, {@code .npy}, names with {@code idx3}/{@code ubyte}), so the error can say what was expected.
     *
     * @throws NoSuchFileException for a missing path whose name says nothing
     * @throws DatasetFormatException for an existing file of no known kind
     */
    public static DatasetKind detect(Path path) throws IOException {
        if (Files.isDirectory(path)) return DatasetKind.IMAGE_FOLDER;
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!Files.exists(path)) {
            if (name.endsWith(".rec") || name.endsWith(".idx")) return DatasetKind.RECORDIO;
            if (name.endsWith(".npy")) return DatasetKind.NPY;
            if (name.contains("idx3") || name.contains("ubyte")) return DatasetKind.IDX;
            throw new NoSuchFileException(path.toString(), null, "dataset not found");
        }
        if (name.endsWith(".idx") && Files.exists(path.resolveSibling(
                path.getFileName().toString().substring(0, name.length() - 4) + ".rec"))) {
            return DatasetKind.RECORDIO;
        }
        byte[] head = head(path, 8);
        if (head.length >= 4 && littleEndianInt(head) == RecordIOFile.MAGIC) return DatasetKind.RECORDIO;
        if (startsWith(head, NPY_MAGIC)) return DatasetKind.NPY;
        byte[] content = head;
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(path))) {
                content = in.readNBytes(4);
            } catch (IOException e) {
                throw new DatasetFormatException(path, "corrupt gzip file (" + e.getMessage() + ")");
            }
        }
        if (content.length >= 4 && content[0] == 0 && content[1] == 0 && content[2] == 8 && content[3] == 3) {
            return DatasetKind.IDX;
        }
        if (content.length >= 4 && content[0] == 0 && content[1] == 0 && content[2] == 8 && content[3] == 1) {
            throw new DatasetFormatException(path, "this is an IDX labels file; give the images file (idx3) as the data");
        }
        if (name.endsWith(".rec")) {
            throw new DatasetFormatException(path, "not a RecordIO file: it does not start with the record magic 0xced7230a"
                    + (head.length == 0 ? " (the file is empty)" : ""));
        }
        throw new DatasetFormatException(path, "not a dataset this tool reads: expected an image folder, an MXNet .rec "
                + "(+ .idx), a .npy array or an IDX images file" + (head.length == 0 ? " (the file is empty)" : ""));
    }

    private static byte[] head(Path path, int n) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(n);
        }
    }

    private static int littleEndianInt(byte[] b) {
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) return false;
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) return false;
        }
        return true;
    }
}
