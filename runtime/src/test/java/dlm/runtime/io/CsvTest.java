package dlm.runtime.io;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class CsvTest {
    @TempDir
    Path dir;

    private Path csv(String text) throws IOException {
        Path p = dir.resolve("t.csv");
        Files.writeString(p, text);
        return p;
    }

    private String error(Path p, String target) {
        return assertThrows(DlmException.class, () -> Csv.read(p, target, false)).getMessage();
    }

    @Test
    void targetChosenByNameOthersAreFeatures() throws IOException {
        Csv.Table t = Csv.read(csv("a,label,b\n1,0,2.5\n-3,1,4e-1\n\n"), "label", false);
        assertEquals(Tensor.of(new float[]{1, 2.5f, -3, 0.4f}, 2, 2), t.features());
        assertEquals(Tensor.of(new float[]{0, 1}, 2, 1), t.target());
        assertEquals(List.of("a", "b"), t.featureNames());
        assertEquals("label", t.targetName());
        assertEquals(Tensor.vector(0, 1), Csv.read(csv("a,label\n1,0\n2,1\n"), "label", true).target());
    }

    @Test
    void quotesCrlfAndBom() throws IOException {
        Csv.Table t = Csv.read(csv("\uFEFF\"x, one\",\"y\"\r\n\"1\",2\r\n"), "y", false);
        assertEquals(List.of("x, one"), t.featureNames());
        assertEquals(Tensor.of(new float[]{1}, 1, 1), t.features());
    }

    @Test
    void missingTargetListsTheColumns() throws IOException {
        assertEquals(dir.resolve("t.csv") + ":1: no column named \"malignant\"; the columns are: radius, texture, label",
                error(csv("radius,texture,label\n1,2,3\n"), "malignant"));
    }

    @Test
    void nonNumberGivesLineColumnAndText() throws IOException {
        assertEquals(dir.resolve("t.csv") + ":3:4: expected a number in column \"b\", got \"abc\"",
                error(csv("a,b,y\n1,2,0\n10,abc,1\n"), "y"));
        assertEquals(dir.resolve("t.csv") + ":2:3: expected a number in column \"b\", got an empty field",
                error(csv("a,b,y\n1,,0\n"), "y"));
        // Java-only number syntax is not accepted as data.
        assertTrue(error(csv("a,y\n1f,0\n"), "y").contains("got \"1f\""));
    }

    @Test
    void missingAndNonFiniteValuesGiveLineAndColumn() throws IOException {
        assertEquals(dir.resolve("t.csv") + ":4:3: missing value \"nan\" in column \"b\"; fill in missing values before training or prediction",
                error(csv("a,b,y\n1,2,0\n0,1,1\n1,nan,1\n"), "y"));
        assertEquals(dir.resolve("t.csv") + ":2:1: \"-Infinity\" in column \"a\" is not a finite number",
                error(csv("a,b,y\n-Infinity,2,0\n"), "y"));
        assertEquals(dir.resolve("t.csv") + ":2:3: \"1e39\" in column \"b\" is too large for a 32-bit float",
                error(csv("a,b,y\n1,1e39,0\n"), "y"));
    }

    @Test
    void raggedRows() throws IOException {
        assertEquals(dir.resolve("t.csv") + ":3: expected 3 fields (as in the header), found 2",
                error(csv("a,b,y\n1,2,0\n1,2\n"), "y"));
        assertTrue(error(csv("a,b,y\n1,2,0,4\n"), "y").contains(":2: expected 3 fields"));
    }

    @Test
    void classIdsMustBeIntegers() throws IOException {
        Path p = csv("a,y\n1,0\n2,1.5\n");
        assertEquals(p + ":3:3: class id must be a non-negative integer, got \"1.5\"",
                assertThrows(DlmException.class, () -> Csv.read(p, "y", true)).getMessage());
    }

    @Test
    void emptyFileAndMissingFile() throws IOException {
        assertTrue(error(csv(""), "y").contains("empty file"));
        assertEquals(dir.resolve("none.csv") + ": no such file",
                assertThrows(DlmException.class, () -> Csv.read(dir.resolve("none.csv"), "y", false)).getMessage());
    }

    @Test
    void gzippedHeaderlessLastColumnLabel() throws IOException {
        Path p = dir.resolve("d.csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("0,1,2,3\n4,5,6,7\n".getBytes());
        }
        Csv.Table t = Csv.readLastColumnLabel(p, true);
        assertEquals(Tensor.of(new float[]{0, 1, 2, 4, 5, 6}, 2, 3), t.features());
        assertEquals(Tensor.vector(3, 7), t.target());
        assertTrue(assertThrows(DlmException.class, () -> Csv.readLastColumnLabel(csv("1,2,3\n1,2\n"), false))
                .getMessage().contains(":2: expected 3 fields (as in the first row), found 2"));
    }

    @Test
    void bundledDigits() {
        Csv.Table t = Csv.readLastColumnLabel(Path.of("../data/digits_8x8.csv.gz"), true);
        assertArrayEquals(new int[]{1797, 64}, t.features().shape());
        assertArrayEquals(new int[]{1797}, t.target().shape());
        float max = 0;
        for (float v : t.features().data()) max = Math.max(max, v);
        assertEquals(16f, max);
        assertEquals(0f, t.target().data()[0]);
        assertEquals(1f, t.target().data()[1]);
    }

    @Test
    void bundledBreastCancer() {
        Csv.Table t = Csv.read(Path.of("../data/breast_cancer_wisconsin.csv"), "malignant", false);
        assertArrayEquals(new int[]{569, 30}, t.features().shape());
        assertArrayEquals(new int[]{569, 1}, t.target().shape());
        assertEquals(17.99f, t.features().get(0, 0));
        assertEquals("radius_mean", t.featureNames().get(0));
    }
}
