package org.quantize4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Locates test inputs. {@code test-models/} (system property {@code quantize4j.testModels}, set by surefire;
 * fallback {@code test-models} relative to the working directory) holds the MXNet oracle files the tests
 * compare against; {@code ../shared/fixtures} ({@code quantize4j.fixtures}) is the read-only original.
 *
 * <pre>{@code
 * Path json = TestFiles.testModel("fmnist_mlp-symbol.json");
 * String prefix = TestFiles.prefix("fmnist_mlp");            // for Model.load(prefix)
 * }</pre>
 */
public final class TestFiles {
    /** The four trained Fashion-MNIST models of test-models/. */
    public static final List<String> FMNIST_MODELS =
            List.of("fmnist_mlp", "fmnist_inception", "fmnist_mobilenet_v2", "fmnist_resnet20_v1");

    private TestFiles() {
    }

    /** The test-models folder. */
    public static Path testModels() {
        return Path.of(System.getProperty("quantize4j.testModels", "test-models"));
    }

    /** The shared fixtures folder (may not exist on every machine). */
    public static Path fixtures() {
        return Path.of(System.getProperty("quantize4j.fixtures", "../shared/fixtures"));
    }

    /** A file of test-models/, e.g. {@code "fmnist_mlp-0000.params"} or {@code "zoo/vgg16-symbol.json"}. */
    public static Path testModel(String relative) {
        return testModels().resolve(relative);
    }

    /** The checkpoint prefix of a test model, e.g. {@code prefix("fmnist_mlp")}; also for quantized ones. */
    public static String prefix(String model) {
        return testModels().resolve(model).toString();
    }

    /** Every {@code *symbol.json} of test-models/ and test-models/zoo/, sorted. */
    public static List<Path> symbolJsons() {
        List<Path> out = new ArrayList<>(list(testModels(), "-symbol.json"));
        out.addAll(list(testModels().resolve("zoo"), "-symbol.json"));
        return out;
    }

    /** Every {@code *.params} of test-models/, sorted. */
    public static List<Path> paramsFiles() {
        return list(testModels(), ".params");
    }

    /** Every {@code *.npy} of test-models/, sorted. */
    public static List<Path> npyFiles() {
        return list(testModels(), ".npy");
    }

    private static List<Path> list(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) throw new IllegalStateException("test folder " + dir.toAbsolutePath() + " is missing");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
