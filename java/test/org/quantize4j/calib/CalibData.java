package org.quantize4j.calib;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.quantize4j.TestFiles;
import org.quantize4j.data.DataIter;
import org.quantize4j.data.IdxDataset;
import org.quantize4j.data.Normalization;

/** The fixtures' calibration set: the first 320 Fashion-MNIST training images, (p/255 - 0.2860) / 0.3530. */
public final class CalibData {
    public static final int COUNT = 320;

    private CalibData() {
    }

    public static Path imagesFile() {
        return TestFiles.testModel("fashion-mnist/train320-images-idx3-ubyte.gz");
    }

    /** Through the project's dataset reader (what users run). */
    public static DataIter iterator(int batch) {
        try {
            return IdxDataset.openUnlabeled(imagesFile()).iterator(batch, Normalization.of(1 / 255.0, 0.2860f, 0.3530f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Independently decoded and normalized with a plain loop, as REFERENCE.md describes (float32 arithmetic). */
    public static float[] plainImages() {
        try (InputStream raw = Files.newInputStream(imagesFile());
             DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
            if (in.readInt() != 0x803) throw new IllegalStateException("not IDX3");
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] px = new byte[n * rows * cols];
            in.readFully(px);
            float[] x = new float[px.length];
            for (int i = 0; i < x.length; i++) x[i] = ((px[i] & 0xff) / 255f - 0.2860f) / 0.3530f;
            return x;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
