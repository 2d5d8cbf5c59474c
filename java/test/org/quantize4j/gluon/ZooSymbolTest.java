package org.quantize4j.gluon;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.quantize4j.TestFiles;
import org.quantize4j.graph.Node;
import org.quantize4j.graph.NodeEntry;
import org.quantize4j.graph.Symbol;
import org.quantize4j.graph.SymbolJson;
import org.quantize4j.gluon.zoo.ModelZoo;
import org.testng.annotations.DataProvider;
import org.testng.annotations.Test;

/**
 * The zoo's hybridized symbols against MXNet 1.9.1's own exports in test-models/zoo: byte-identical JSON when
 * built with the fixture's prefix, and equal node for node (op, attributes, wiring) with an automatic prefix.
 */
public class ZooSymbolTest {
    /** Architectures MXNet exported into test-models/zoo (the FP32 symbols). */
    static final List<String> FIXTURES = List.of("inceptionv3", "mobilenet1.0", "mobilenetv2_1.0", "resnet18_v1",
            "resnet18_v2", "resnet50_v1", "resnet50_v2", "squeezenet1.0", "vgg16");

    @DataProvider
    public Object[][] fixtures() {
        return FIXTURES.stream().map(n -> new Object[] {n}).toArray(Object[][]::new);
    }

    static Path fixture(String name) {
        return TestFiles.testModel("zoo/" + name + "-symbol.json");
    }

    /** The top-level prefix MXNet gave the model, e.g. resnetv11_ (from the output node's name). */
    static String fixturePrefix(Symbol s) {
        String head = s.heads().get(0).node().name();
        return head.substring(0, head.indexOf('_') + 1);
    }

    @Test(dataProvider = "fixtures")
    public void sameJsonTextWithFixturePrefix(String name) throws IOException {
        String expected = Files.readString(fixture(name), StandardCharsets.UTF_8);
        String prefix = fixturePrefix(SymbolJson.parse(expected));
        Block net = ModelZoo.get(name, 1000, prefix);
        String actual = SymbolJson.toJson(net.hybridize());
        if (!actual.equals(expected)) {
            Symbol a = net.hybridize();
            Symbol e = SymbolJson.parse(expected);
            assertSameGraph(a, e, prefix, prefix);
            assertEquals(actual, expected, name + ": JSON text differs");
        }
    }

    @Test(dataProvider = "fixtures")
    public void sameGraphWithAutomaticPrefix(String name) {
        Symbol expected = SymbolJson.read(fixture(name));
        Block net = ModelZoo.get(name, 1000);
        assertTrue(net.prefix().matches("[a-z0-9]+[0-9]+_"), net.prefix());
        assertSameGraph(net.hybridize(), expected, net.prefix(), fixturePrefix(expected));
    }

    /** Node for node: op, name (modulo the top-level prefix), attributes, inputs (node index, output, version). */
    static void assertSameGraph(Symbol actual, Symbol expected, String actualPrefix, String expectedPrefix) {
        List<Node> a = actual.nodes();
        List<Node> e = expected.nodes();
        for (int i = 0; i < Math.min(a.size(), e.size()); i++) {
            Node x = a.get(i);
            Node y = e.get(i);
            String where = "node " + i + " (expected " + y.name() + ", got " + x.name() + ")";
            assertEquals(x.op(), y.op(), where + ": op");
            assertEquals(strip(x.name(), actualPrefix), strip(y.name(), expectedPrefix), where + ": name");
            assertEquals(x.attrs(), y.attrs(), where + ": attrs");
            assertEquals(x.numOutputs(), y.numOutputs(), where + ": outputs");
            assertEquals(x.inputs().size(), y.inputs().size(), where + ": input count");
            for (int k = 0; k < x.inputs().size(); k++) {
                NodeEntry xi = x.inputs().get(k);
                NodeEntry yi = y.inputs().get(k);
                assertEquals(actual.indexOf(xi.node()), expected.indexOf(yi.node()), where + ": input " + k + " node");
                assertEquals(xi.index(), yi.index(), where + ": input " + k + " output index");
                assertEquals(xi.version(), yi.version(), where + ": input " + k + " version");
            }
        }
        assertEquals(a.size(), e.size(), "node count");
        assertEquals(actual.heads().size(), expected.heads().size(), "head count");
        for (int k = 0; k < actual.heads().size(); k++) {
            assertEquals(actual.indexOf(actual.heads().get(k).node()), expected.indexOf(expected.heads().get(k).node()), "head " + k);
        }
    }

    private static String strip(String name, String prefix) {
        return name.startsWith(prefix) ? "<p>" + name.substring(prefix.length()) : name;
    }
}
