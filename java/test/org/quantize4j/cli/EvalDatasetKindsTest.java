package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.quantize4j.data.ImageRecord;
import org.quantize4j.data.RecordIOWriter;
import org.quantize4j.ndarray.DType;
import org.quantize4j.ndarray.NDArray;
import org.quantize4j.ndarray.Npy;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * {@code eval} on the same 300 Fashion-MNIST test images given as IDX, a PNG image folder, a RecordIO
 * .rec and a preprocessed .npy: every kind must score exactly the same images correct.
 */
public class EvalDatasetKindsTest {
    private static final Path MODELS = Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    private static final String MODEL = MODELS.resolve("fmnist_mlp").toString();
    private static final Path IMAGES = MODELS.resolve("fashion-mnist/t10k-images-idx3-ubyte.gz");
    private static final Path LABELS = MODELS.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz");
    private static final int N = 300;
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path dir;

    @BeforeClass
    public void writeDatasets() throws IOException {
        dir = Files.createTempDirectory("eval-kinds");
        byte[] images;
        byte[] labels;
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(IMAGES))) {
            images = in.readNBytes(16 + N * 784);
        }
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(LABELS))) {
            labels = in.readNBytes(8 + N);
        }
        float[] normalized = new float[N * 784];
        NDArray labelArray = NDArray.zeros(new long[] {N}, DType.INT64);
        try (RecordIOWriter rec = RecordIOWriter.create(dir.resolve("test.rec"), dir.resolve("test.idx"))) {
            for (int i = 0; i < N; i++) {
                int label = labels[8 + i];
                BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                for (int k = 0; k < 784; k++) {
                    int p = images[16 + i * 784 + k] & 0xff;
                    img.getRaster().setSample(k % 28, k / 28, 0, p);
                    normalized[i * 784 + k] = (p / 255f - 0.2860f) / 0.3530f;
                }
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(img, "png", png);
                Path classDir = Files.createDirectories(dir.resolve("folder").resolve("c" + label));
                Files.write(classDir.resolve(String.format("%04d.png", i)), png.toByteArray());
                rec.write(i, ImageRecord.of(label, i, png.toByteArray()).pack());
                labelArray.buffer().putLong(i * 8, label);
            }
            rec.commit();
        }
        Npy.write(dir.resolve("test.npy"), NDArray.ofFloats(new long[] {N, 1, 28, 28}, normalized));
        Npy.write(dir.resolve("test-labels.npy"), labelArray);
    }

    @AfterClass(alwaysRun = true)
    public void removeDir() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static JsonNode eval(String... args) throws IOException {
        String[] base = {"eval", "--model", MODEL, "--json", "--quiet", "--batch", "64"};
        String[] all = new String[base.length + args.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(args, 0, all, base.length, args.length);
        CliRunner r = CliRunner.run(all);
        assertEquals(r.exitCode(), 0, r.toString());
        return JSON.readTree(r.out().strip());
    }

    @Test
    public void everyKindScoresTheSameImages() throws IOException {
        JsonNode idx = eval("--data", IMAGES.toString(), "--mean", "0.2860", "--std", "0.3530", "--limit", String.valueOf(N));
        long correct = idx.get("correct_top1").asLong();
        assertEquals(idx.get("count").asLong(), N);
        assertTrue(correct > N * 0.8, idx.toString());

        // The folder is grouped by class (another order): the count of correct images must still agree.
        JsonNode folder = eval("--data", dir.resolve("folder").toString(), "--data-shape", "1,28,28",
                "--mean", "0.2860", "--std", "0.3530");
        assertEquals(folder.get("kind").asText(), "image_folder");
        assertEquals(folder.get("count").asLong(), N);
        assertEquals(folder.get("correct_top1").asLong(), correct, folder.toString());

        JsonNode rec = eval("--data", dir.resolve("test.rec").toString(), "--data-shape", "1,28,28",
                "--mean", "0.2860", "--std", "0.3530", "--decode-threads", "2");
        assertEquals(rec.get("kind").asText(), "recordio");
        assertEquals(rec.get("correct_top1").asLong(), correct, rec.toString());
        assertEquals(rec.get("correct_top5").asLong(), idx.get("correct_top5").asLong(), rec.toString());

        // Preprocessed floats are fed as stored (no --mean/--std), labels found beside.
        JsonNode npy = eval("--data", dir.resolve("test.npy").toString());
        assertEquals(npy.get("kind").asText(), "npy");
        assertEquals(npy.get("correct_top1").asLong(), correct, npy.toString());

        JsonNode shuffled = eval("--data", dir.resolve("test.rec").toString(), "--mean", "0.2860", "--std", "0.3530",
                "--data-shape", "1,28,28", "--shuffle", "--seed", "3");
        assertEquals(shuffled.get("correct_top1").asLong(), correct, shuffled.toString());
    }

    @Test
    public void badDataOptionsAreUsageErrorsAndUnlabeledDataFails() throws IOException {
        CliRunner both = CliRunner.run("eval", "--model", MODEL, "--data", dir.resolve("test.rec").toString(), "--rgb", "--bgr");
        assertEquals(both.exitCode(), 2, both.toString());
        CliRunner shape = CliRunner.run("eval", "--model", MODEL, "--data", dir.resolve("test.rec").toString(),
                "--data-shape", "28,28");
        assertEquals(shape.exitCode(), 2, shape.toString());
        assertTrue(shape.err().contains("C,H,W"), shape.toString());
        CliRunner wrongShape = CliRunner.run("eval", "--model", MODEL, "--data", dir.resolve("test.npy").toString(),
                "--data-shape", "3,28,28", "-q");
        assertEquals(wrongShape.exitCode(), 1, wrongShape.toString());
        assertTrue(wrongShape.err().contains("test.npy") && wrongShape.err().contains("data shape"), wrongShape.toString());

        Path flat = Files.createDirectories(dir.resolve("flat"));
        Files.copy(dir.resolve("folder/c0").toFile().listFiles()[0].toPath(), flat.resolve("one.png"));
        CliRunner unlabeled = CliRunner.run("eval", "--model", MODEL, "--data", flat.toString(), "--data-shape", "1,28,28", "-q");
        assertEquals(unlabeled.exitCode(), 1, unlabeled.toString());
        assertTrue(unlabeled.err().contains("no labels"), unlabeled.toString());
    }
}
