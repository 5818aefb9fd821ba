package dlm.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each {@code errors/NAME.dlm} must fail to compile with exactly the text of
 * {@code errors/NAME.expected}: file, line, column, message, source line and caret.
 * On a mismatch the actual text is written to {@code target/golden-actual/} for review.
 */
class GoldenErrorsTest {
    static final Path DIR = Path.of("src/test/resources/errors");

    static Stream<Path> cases() throws IOException {
        return Files.list(DIR).filter(p -> p.toString().endsWith(".dlm")).sorted();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void reportsExactly(Path file) throws IOException {
        CompileException e = assertThrows(CompileException.class, () -> Frontend.compile(file), file + " compiled");
        String name = file.getFileName().toString().replace(".dlm", "");
        Path expected = DIR.resolve(name + ".expected");
        String actual = e.rendered();
        if (!Files.exists(expected) || !Files.readString(expected).equals(actual)) {
            Path out = Path.of("target/golden-actual").resolve(name + ".expected");
            Files.createDirectories(out.getParent());
            Files.writeString(out, actual, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(expected), "missing " + expected + "; actual:\n" + actual);
        assertEquals(Files.readString(expected), actual);
    }

    @Test
    void enoughCases() throws IOException {
        assertTrue(cases().count() >= 25);
    }
}
