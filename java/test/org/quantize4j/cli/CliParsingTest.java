package org.quantize4j.cli;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.nio.file.Path;
import picocli.CommandLine;
import org.testng.annotations.Test;

public class CliParsingTest {
    private static final String IMAGES = Path.of(System.getProperty("quantize4j.testModels", "test-models"))
            .resolve("fashion-mnist/t10k-images-idx3-ubyte.gz").toString();

    private static void assertUsageError(CliRunner r, String expectedInMessage) {
        assertEquals(r.exitCode(), 2, r.toString());
        assertTrue(r.err().contains(expectedInMessage), r.toString());
        assertTrue(r.err().contains("--help"), r.toString());
        assertEquals(r.out(), "", r.toString());
    }

    @Test
    public void helpListsCommandsExamplesAndExitCodes() {
        CliRunner r = CliRunner.run("--help");
        assertEquals(r.exitCode(), 0, r.toString());
        for (String s : new String[] {"eval", "bench", "Examples:", "Exit codes: 0 success, 1 runtime failure, 2 usage error"}) {
            assertTrue(r.out().contains(s), "missing '" + s + "' in\n" + r.out());
        }
        CliRunner eval = CliRunner.run("eval", "--help");
        assertEquals(eval.exitCode(), 0);
        for (String s : new String[] {"--model", "--data", "--labels", "--scale", "--mean", "--std", "--batch", "--threads",
                "--json", "--quiet", "Examples:", "Exit codes"}) {
            assertTrue(eval.out().contains(s), "missing '" + s + "' in\n" + eval.out());
        }
        CliRunner bench = CliRunner.run("help", "bench");
        assertEquals(bench.exitCode(), 0);
        for (String s : new String[] {"--shape", "--batch", "--threads", "--seconds", "--random-weights", "--json", "Examples:"}) {
            assertTrue(bench.out().contains(s), "missing '" + s + "' in\n" + bench.out());
        }
    }

    @Test
    public void usageErrorsExitWith2AndAMessage() {
        assertUsageError(CliRunner.run(), "missing command");
        assertUsageError(CliRunner.run("evaluate"), "evaluate");
        assertUsageError(CliRunner.run("eval", "--data", IMAGES), "--model");
        assertUsageError(CliRunner.run("eval", "--model", "m", "--data", IMAGES, "--frobnicate"), "--frobnicate");
        assertUsageError(CliRunner.run("eval", "--model", "m", "--data", IMAGES, "--batch", "many"), "--batch");
        assertUsageError(CliRunner.run("eval", "--model", "m", "--data", IMAGES, "--batch", "0"), "--batch");
        assertUsageError(CliRunner.run("eval", "--model", "m", "--data", IMAGES, "--scale", "1/x"), "--scale");
        assertUsageError(CliRunner.run("eval", "--model", "m", "--data", IMAGES, "--std", "0"), "std");
        assertUsageError(CliRunner.run("eval", "--model", "m", "--data", IMAGES, "--mean", "0.1,0.2,0.3"), "mean has 3 values");
        assertUsageError(CliRunner.run("bench", "--model", "m"), "--shape");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,three"), "--shape");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3,0,4"), "--shape");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3", "--seconds", "0"), "--seconds");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3", "--threads", "1,-2"), "--threads");
        assertUsageError(CliRunner.run("bench", "--model", "m", "--shape", "1,3", "--batch", "0"), "--batch");
    }

    @Test
    public void runtimeFailuresExitWith1NamingTheFile() {
        Path missing = Path.of(System.getProperty("java.io.tmpdir"), "no-such-model-q4j");
        CliRunner r = CliRunner.run("eval", "--model", missing.toString(), "--data", IMAGES, "--quiet");
        assertEquals(r.exitCode(), 1, r.toString());
        assertTrue(r.err().contains(missing + "-symbol.json"), r.toString());
        assertTrue(r.err().contains("error"), r.toString());

        CliRunner noData = CliRunner.run("eval", "--model", missing.toString(), "--data", missing + "-images-idx3-ubyte", "-q");
        assertEquals(noData.exitCode(), 1, noData.toString());
        assertTrue(noData.err().contains("--labels"), noData.toString());

        CliRunner bench = CliRunner.run("bench", "--model", missing.toString(), "--shape", "1,3", "-q");
        assertEquals(bench.exitCode(), 1, bench.toString());
        assertTrue(bench.err().contains(missing + "-symbol.json"), bench.toString());
    }

    @Test
    public void scaleAcceptsNumbersAndFractions() {
        NormalizationOptions.ScaleConverter c = new NormalizationOptions.ScaleConverter();
        assertEquals(c.convert("1/255"), 1.0 / 255.0);
        assertEquals(c.convert(" 2 / 4 "), 0.5);
        assertEquals(c.convert("0.25"), 0.25);
        org.testng.Assert.expectThrows(CommandLine.TypeConversionException.class, () -> c.convert("1/0"));
        org.testng.Assert.expectThrows(CommandLine.TypeConversionException.class, () -> c.convert("abc"));
    }

    @Test
    public void shapeParsing() {
        CommandLine cl = Main.commandLine();
        assertEquals(BenchCommand.parseShape(cl, "1,3,224,224"), new long[] {1, 3, 224, 224});
        assertEquals(BenchCommand.parseShape(cl, "(64, 1, 28, 28)"), new long[] {64, 1, 28, 28});
        org.testng.Assert.expectThrows(CommandLine.ParameterException.class, () -> BenchCommand.parseShape(cl, "1,,3"));
    }
}
