package dlm.runtime;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class DatasetTest {
    static Dataset numbered(int n) {
        float[] x = new float[n * 2], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i;
        }
        return Dataset.of("x", Tensor.of(x, n, 2), "y", Tensor.of(y, n));
    }

    @Test
    void sampleCountsMustAgree() {
        DlmException e = assertThrows(DlmException.class,
                () -> new Dataset(Map.of("x", Tensor.zeros(3, 2)), Map.of("y", Tensor.zeros(4))));
        assertTrue(e.getMessage().contains("\"x\" has 3") && e.getMessage().contains("\"y\" has 4"), e.getMessage());
    }

    @Test
    void splitIsDeterministicDisjointAndComplete() {
        Dataset d = numbered(100);
        Dataset.Split s = d.split(0.2, 7);
        assertEquals(20, s.validation().size());
        assertEquals(80, s.train().size());
        Set<Float> seen = new HashSet<>();
        for (Dataset part : new Dataset[]{s.train(), s.validation()})
            for (int i = 0; i < part.size(); i++) {
                float id = part.target("y").data()[i];
                assertEquals(id, part.input("x").get(i, 0), "inputs and targets stay paired");
                assertTrue(seen.add(id), "sample " + id + " appears twice");
            }
        assertEquals(100, seen.size());
        assertEquals(s.validation().target("y"), d.split(0.2, 7).validation().target("y"));
        assertNotEquals(s.validation().target("y"), d.split(0.2, 8).validation().target("y"));
        // Not simply the last 20% (that is Keras' unshuffled validation_split).
        assertNotEquals(d.target("y").slice(80, 100), s.validation().target("y"));
    }

    @Test
    void badFractionIsAUserError() {
        assertThrows(DlmException.class, () -> numbered(10).split(1.0, 0));
        assertThrows(DlmException.class, () -> numbered(1).split(0.5, 0));
    }

    @Test
    void permutationIsAPermutation() {
        int[] p = Dataset.permutation(50, new SplittableRandom(1));
        boolean[] hit = new boolean[50];
        for (int v : p) hit[v] = true;
        for (boolean h : hit) assertTrue(h);
        assertArrayEquals(p, Dataset.permutation(50, new SplittableRandom(1)));
    }

    @Test
    void renameMatchesASignature() {
        Dataset r = numbered(3).rename("pixels", "label");
        assertEquals(Set.of("pixels"), r.inputs().keySet());
        assertEquals(Set.of("label"), r.targets().keySet());
    }
}
