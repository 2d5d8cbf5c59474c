package org.quantize4j.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The payload im2rec puts in each RecordIO record: MXNet's {@code IRHeader}
 * ({@code u32 flag, f32 label, u64 id, u64 id2}, little-endian, 24 bytes), then {@code flag} extra
 * float32 labels when {@code flag > 0} (the header's label is then 0), then the encoded image
 * (JPEG/PNG bytes).
 *
 * <pre>{@code
 * byte[] payload = ImageRecord.of(7, 42, jpeg).pack();            // label 7, id 42
 * ImageRecord r = ImageRecord.unpack(payload, recFile, "record 0");
 * int cls = r.classLabel(recFile, "record 0");                    // 7
 * }</pre>
 *
 * @param flag   number of extra labels (0: the label is in {@code label})
 * @param label  the label when {@code flag == 0}
 * @param labels the {@code flag} extra labels (empty when flag is 0)
 * @param id     image id (im2rec: the index in the .lst)
 * @param id2    second id (im2rec: 0)
 * @param image  the encoded image
 */
public record ImageRecord(int flag, float label, float[] labels, long id, long id2, byte[] image) {
    /** Bytes of the IRHeader. */
    public static final int HEADER_BYTES = 24;

    public ImageRecord {
        if (flag < 0 || labels.length != flag) {
            throw new IllegalArgumentException("flag " + flag + " needs " + flag + " extra labels, got " + labels.length);
        }
    }

    /** A record with a single label, as im2rec writes for classification. */
    public static ImageRecord of(float label, long id, byte[] image) {
        return new ImageRecord(0, label, new float[0], id, 0, image);
    }

    /** The record bytes: header, extra labels, image. */
    public byte[] pack() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 4 * flag + image.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(flag).putFloat(label).putLong(id).putLong(id2);
        for (float l : labels) b.putFloat(l);
        b.put(image);
        return b.array();
    }

    /**
     * Parses a record payload.
     *
     * @throws UnreadableExampleException if the payload is too short for its header and labels
     */
    public static ImageRecord unpack(byte[] payload, Path file, String item) throws UnreadableExampleException {
        if (payload.length < HEADER_BYTES) {
            throw new UnreadableExampleException(file, item, "record of " + payload.length
                    + " bytes is too short for the 24-byte image record header (not made by im2rec?)", null);
        }
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        int flag = b.getInt();
        float label = b.getFloat();
        long id = b.getLong();
        long id2 = b.getLong();
        if (flag < 0 || (long) flag * 4 > payload.length - HEADER_BYTES) {
            throw new UnreadableExampleException(file, item, "header flag " + Integer.toUnsignedString(flag)
                    + " says " + Integer.toUnsignedString(flag) + " extra labels, more than the " + payload.length
                    + "-byte record holds", null);
        }
        float[] labels = new float[flag];
        for (int i = 0; i < flag; i++) labels[i] = b.getFloat();
        byte[] image = Arrays.copyOfRange(payload, b.position(), payload.length);
        return new ImageRecord(flag, label, labels, id, id2, image);
    }

    /**
     * The class label for label width 1 (as MXNet's ImageRecordIter): {@code label} when flag is 0,
     * the single extra label when flag is 1.
     *
     * @throws UnreadableExampleException for several labels or a label that is not a whole number >= 0
     */
    public int classLabel(Path file, String item) throws UnreadableExampleException {
        if (flag > 1) {
            throw new UnreadableExampleException(file, item, "record has " + flag
                    + " labels; only label width 1 (classification) is supported", null);
        }
        float v = flag == 0 ? label : labels[0];
        if (!(v >= 0) || v != Math.rint(v) || v > Integer.MAX_VALUE) {
            throw new UnreadableExampleException(file, item, "label " + v + " is not a class index (a whole number >= 0)", null);
        }
        return (int) v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRecord r && flag == r.flag && Float.compare(label, r.label) == 0 && id == r.id
                && id2 == r.id2 && Arrays.equals(labels, r.labels) && Arrays.equals(image, r.image);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(image) * 31 + Long.hashCode(id);
    }

    @Override
    public String toString() {
        return "ImageRecord(flag=" + flag + ", label=" + label + ", labels=" + Arrays.toString(labels) + ", id=" + id
                + ", id2=" + id2 + ", " + image.length + " image bytes)";
    }
}
