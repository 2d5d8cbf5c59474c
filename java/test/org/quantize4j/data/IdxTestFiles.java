package org.quantize4j.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests and reads bundled ones independently of the code under test. */
final class IdxTestFiles {
    private IdxTestFiles() {}

    static Path testModels() {
        return Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    }

    static Path fashionMnist(String name) {
        return testModels().resolve("fashion-mnist").resolve(name);
    }

    /** IDX images bytes: magic 0x803, n, rows, cols, then the pixels. */
    static byte[] images(int n, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x803);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(pixels);
        return bytes.toByteArray();
    }

    static byte[] labels(int n, byte[] values) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x801);
        out.writeInt(n);
        out.write(values);
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = gzip ? new GZIPOutputStream(raw) : raw) {
            out.write(content);
        }
        return file;
    }

    /** Pixel i of the synthetic images: distinct, covering 0..255. */
    static byte[] pixels(int count) {
        byte[] p = new byte[count];
        for (int i = 0; i < count; i++) p[i] = (byte) ((i * 37 + 11) & 0xff);
        return p;
    }

    /** The whole decompressed content of a gzip file, read with plain java.util.zip. */
    static byte[] gunzip(Path file) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
