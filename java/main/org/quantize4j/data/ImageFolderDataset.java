package org.quantize4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder of images with one subfolder per class (ImageNet / im2rec / torchvision layout): class
 * {@code i} is the {@code i}-th subfolder in name order, its images are all image files below it,
 * in path order. A folder with images but no subfolders is an unlabeled dataset. Image files are
 * recognized by extension ({@code .jpg .jpeg .png .bmp .gif}, any case); other files are ignored.
 *
 * <p>{@link #open} reads every image's header (not its pixels): an unreadable file, or (without a
 * data shape) images of different sizes, or images smaller than the data shape fail there, naming
 * the file, before any batch is produced. With {@code skipUnreadable}, unreadable files are left out
 * and counted in {@link #skippedItems()} instead.
 *
 * <pre>{@code
 * ImageFolderDataset ds = ImageFolderDataset.open(Path.of("val"),
 *         DatasetOptions.defaults().withDataShape(3, 224, 224).withResize(256));
 * List<String> classes = ds.classNames();   // label i = classes.get(i)
 * }</pre>
 */
public final class ImageFolderDataset extends IndexedDataset {
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderDataset.class);
    /** Extensions read as images (lower case). */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    private final List<Path> files;
    private final int[] labels;
    private final List<String> classNames;
    private final ImageTransform transform;
    private final float[][] table;
    private final long[] shape;

    private ImageFolderDataset(Path dir, DatasetOptions options, List<Path> files, int[] labels, List<String> classNames,
                               ImageTransform transform) {
        super(dir, options);
        this.files = files;
        this.labels = labels;
        this.classNames = classNames;
        this.transform = transform;
        this.table = options.pixelNormalization().uint8Table(transform.channels());
        this.shape = new long[] {transform.channels(), transform.height(), transform.width()};
    }

    /**
     * Lists and checks the images of {@code dir}.
     *
     * @throws DatasetFormatException naming the file for an unreadable image (unless skipping), images of
     *     different sizes without a data shape, an image smaller than the data shape, or no images at all
     * @throws IllegalArgumentException if the options do not fit (e.g. mean values for 3 channels on 1)
     */
    public static ImageFolderDataset open(Path dir, DatasetOptions options) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "image folder not found");
        List<Path> subdirs;
        List<Path> topImages;
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> entries = s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
            subdirs = entries.stream().filter(Files::isDirectory).toList();
            topImages = entries.stream().filter(ImageFolderDataset::isImageFile).toList();
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labelList = new ArrayList<>();
        List<String> classNames = new ArrayList<>();
        boolean labeled = !subdirs.isEmpty();
        if (labeled) {
            if (!topImages.isEmpty()) {
                LOG.warn("{}: {} image(s) directly in the folder ignored: images of class i belong in the i-th subfolder",
                        dir, topImages.size());
            }
            for (int c = 0; c < subdirs.size(); c++) {
                Path sub = subdirs.get(c);
                classNames.add(sub.getFileName().toString());
                List<Path> imgs;
                try (Stream<Path> s = Files.walk(sub)) {
                    imgs = s.filter(ImageFolderDataset::isImageFile)
                            .filter(p -> !dir.relativize(p).toString().contains(java.io.File.separator + "."))
                            .sorted().toList();
                }
                if (imgs.isEmpty()) LOG.warn("{}: class folder {} (label {}) has no images", dir, sub.getFileName(), c);
                for (Path p : imgs) {
                    files.add(p);
                    labelList.add(c);
                }
            }
        } else {
            files.addAll(topImages);
            for (int i = 0; i < topImages.size(); i++) labelList.add(0);
        }
        if (files.isEmpty()) {
            throw new DatasetFormatException(dir, "no images found (expected class subfolders of "
                    + String.join("/", IMAGE_EXTENSIONS.stream().sorted().toList()) + " files, or image files directly in it)");
        }

        // Headers only: sizes and readability, before any batch.
        List<String> skipped = new ArrayList<>();
        List<Path> kept = new ArrayList<>();
        List<Integer> keptLabels = new ArrayList<>();
        List<int[]> sizes = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            try {
                sizes.add(ImageDecoder.probeSize(f));
                kept.add(f);
                keptLabels.add(labelList.get(i));
            } catch (UnreadableExampleException e) {
                if (!options.skipUnreadable()) {
                    throw new UnreadableExampleException(f, "", e.problem()
                            + " (use skipUnreadable / --skip-unreadable to leave such files out)", e.getCause());
                }
                LOG.warn("skipping unreadable image: {}", e.getMessage());
                skipped.add(e.getMessage());
            }
        }
        if (kept.isEmpty()) throw new DatasetFormatException(dir, "none of the " + files.size() + " images is readable");

        ImageTransform transform = transformFor(dir, options, kept, sizes);
        ImageFolderDataset ds = new ImageFolderDataset(dir, options, List.copyOf(kept),
                labeled ? keptLabels.stream().mapToInt(Integer::intValue).toArray() : null,
                Collections.unmodifiableList(classNames), transform);
        for (String s : skipped) ds.recordSkip(s);
        return ds;
    }

    private static ImageTransform transformFor(Path dir, DatasetOptions options, List<Path> files, List<int[]> sizes)
            throws DatasetFormatException {
        int[] shape = options.dataShape();
        if (shape == null) {
            if (options.resize() > 0) {
                throw new DatasetFormatException(dir, "resize needs a data shape (C,H,W) to crop to");
            }
            int[] first = sizes.get(0);
            for (int i = 1; i < files.size(); i++) {
                int[] s = sizes.get(i);
                if (s[0] != first[0] || s[1] != first[1]) {
                    throw new DatasetFormatException(files.get(i), "image is " + s[0] + "x" + s[1] + " (width x height) but "
                            + files.get(0) + " is " + first[0] + "x" + first[1]
                            + "; give a data shape (e.g. --data-shape 3,224,224, with --resize) to resize and crop them to one size");
                }
            }
            return new ImageTransform(3, first[1], first[0], -1, options.channelOrder());
        }
        checkChannels(dir, shape[0]);
        for (int i = 0; i < files.size(); i++) {
            int[] s = sizes.get(i);
            int[] r = options.resize() > 0 ? ImageTransform.shorterSideSize(s[0], s[1], options.resize()) : s;
            if (r[0] < shape[2] || r[1] < shape[1]) {
                throw new DatasetFormatException(files.get(i), "image is " + s[0] + "x" + s[1] + " (width x height)"
                        + (options.resize() > 0 ? ", " + r[0] + "x" + r[1] + " after resizing the shorter side to " + options.resize() : "")
                        + ", smaller than the data shape " + shape[2] + "x" + shape[1]
                        + (options.resize() > 0 ? "; use a larger resize" : "; resize it (e.g. --resize " + Math.max(shape[1], shape[2]) + ")"));
            }
        }
        return new ImageTransform(shape[0], shape[1], shape[2], options.resize(), options.channelOrder());
    }

    static void checkChannels(Path file, int c) throws DatasetFormatException {
        if (c != 1 && c != 3) {
            throw new DatasetFormatException(file, "images give 1 (gray) or 3 (color) channels, the data shape asks for " + c);
        }
    }

    static boolean isImageFile(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && !n.startsWith(".") && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT))
                && Files.isRegularFile(p);
    }

    @Override
    public DatasetKind kind() { return DatasetKind.IMAGE_FOLDER; }

    @Override
    public int size() { return files.size(); }

    @Override
    public long[] exampleShape() { return shape.clone(); }

    @Override
    public boolean labeled() { return labels != null; }

    @Override
    public String labelsSource() { return labels == null ? null : "subfolder names of " + path; }

    /** Class names (subfolder names): label i is {@code classNames().get(i)}; empty if unlabeled. */
    public List<String> classNames() { return classNames; }

    /** The image files, in dataset order. */
    public List<Path> files() { return files; }

    /** A copy of the labels, or null if unlabeled. */
    public int[] labels() { return labels == null ? null : labels.clone(); }

    @Override
    int read(int index, float[] dst) throws IOException {
        Path f = files.get(index);
        byte[] chw = transform.apply(ImageDecoder.read(f), f, "");
        normalize(chw, table, dst);
        return labels == null ? 0 : labels[index];
    }

    /** dst[c * plane + i] = table[c][chw[c * plane + i]]. */
    static void normalize(byte[] chw, float[][] table, float[] dst) {
        int plane = chw.length / table.length;
        for (int c = 0; c < table.length; c++) {
            float[] t = table[c];
            int base = c * plane;
            for (int i = 0; i < plane; i++) dst[base + i] = t[chw[base + i] & 0xff];
        }
    }

    @Override
    public String toString() {
        return super.toString() + (classNames.isEmpty() ? "" : " classes " + (classNames.size() <= 5 ? classNames
                : classNames.subList(0, 5) + "... (" + classNames.size() + ")"));
    }
}
