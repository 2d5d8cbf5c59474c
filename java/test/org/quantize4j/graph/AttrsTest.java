package org.quantize4j.graph;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNull;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import org.testng.annotations.Test;

public class AttrsTest {
    @Test
    public void parsesMxnetTupleSpellings() {
        assertEquals(Attrs.intTuple("(3, 3)"), new int[] {3, 3});
        assertEquals(Attrs.intTuple("(1,1)"), new int[] {1, 1});
        assertEquals(Attrs.intTuple("[2, 2]"), new int[] {2, 2});
        assertEquals(Attrs.intTuple("(256,)"), new int[] {256});
        assertEquals(Attrs.intTuple("()"), new int[0]);
        assertEquals(Attrs.intTuple("5"), new int[] {5});
        assertEquals(Attrs.intTuple("(3L, 3L)"), new int[] {3, 3});
        assertEquals(Attrs.longTuple("(0, -1, 4096000000)"), new long[] {0, -1, 4096000000L});
        assertEquals(Attrs.longTuple("(None, 3)"), new long[] {-1, 3});
        assertNull(Attrs.intTuple("None"));
        assertNull(Attrs.intTuple(null));
        assertEquals(Attrs.intTuple(null, new int[] {1, 1}), new int[] {1, 1});
        assertEquals(Attrs.floatTuple("(0.5, 1e-3)"), new float[] {0.5f, 1e-3f});
    }

    @Test
    public void rejectsMalformedTuples() {
        assertThrows(IllegalArgumentException.class, () -> Attrs.intTuple("(3, x)"));
        assertThrows(IllegalArgumentException.class, () -> Attrs.intTuple("(3, 3"));
        assertThrows(IllegalArgumentException.class, () -> Attrs.intTuple("(3,,3)"));
        assertThrows(IllegalArgumentException.class, () -> Attrs.intTuple("(9999999999,)"));
    }

    @Test
    public void parsesBooleansAndNumbers() {
        assertTrue(Attrs.bool("True"));
        assertTrue(Attrs.bool("true"));
        assertTrue(Attrs.bool("1"));
        assertFalse(Attrs.bool("False"));
        assertFalse(Attrs.bool("0"));
        assertTrue(Attrs.bool(null, true));
        assertThrows(IllegalArgumentException.class, () -> Attrs.bool("yes"));
        assertEquals(Attrs.integer("16", 0), 16);
        assertEquals(Attrs.integer(null, 7), 7);
        assertEquals(Attrs.integer("None", 7), 7);
        assertThrows(IllegalArgumentException.class, () -> Attrs.integer("1.5", 0));
        assertEquals(Attrs.floatValue("1e-05", 0f), 1e-5f);
        assertEquals(Attrs.floatValue("-inf", 0f), Float.NEGATIVE_INFINITY);
        assertEquals(Attrs.doubleValue("0.9", 0), 0.9);
        assertEquals(Attrs.longValue("12345678901", 0), 12345678901L);
        assertEquals(Attrs.string(null, "relu"), "relu");
        assertEquals(Attrs.string("tanh", "relu"), "tanh");
    }

    @Test
    public void formatsAsMxnetWrites() {
        assertEquals(Attrs.formatTuple(new int[] {3, 3}), "(3, 3)");
        assertEquals(Attrs.formatTuple(new long[] {256}), "(256,)");
        assertEquals(Attrs.formatTuple(new int[0]), "()");
        assertEquals(Attrs.formatBool(true), "True");
        assertEquals(Attrs.formatBool(false), "False");
        // Formatting then parsing is the identity.
        assertEquals(Attrs.intTuple(Attrs.formatTuple(new int[] {7, 1, 2})), new int[] {7, 1, 2});
    }

    @Test
    public void parsesEveryTupleAttributeOfTheFixtures() {
        // Every kernel/stride/pad/__shape__ value MXNet wrote must parse.
        for (java.nio.file.Path p : org.quantize4j.TestFiles.symbolJsons()) {
            Symbol s = SymbolJson.read(p);
            for (Node n : s.nodes()) {
                for (String key : new String[] {"kernel", "stride", "pad", "dilate", "__shape__"}) {
                    String v = n.attr(key);
                    if (v != null) Attrs.longTuple(v);
                }
            }
        }
    }
}
