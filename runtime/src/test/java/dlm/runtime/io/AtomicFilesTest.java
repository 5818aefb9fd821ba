package dlm.runtime.io;

import dlm.runtime.DlmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private long filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.count();
        }
    }

    @Test
    void replacesContent() throws IOException {
        Path f = dir.resolve("a.bin");
        Files.writeString(f, "old");
        AtomicFiles.write(f, out -> out.write("new".getBytes()));
        assertEquals("new", Files.readString(f));
        assertEquals(1, filesIn(dir), "no temporary file left behind");
    }

    @Test
    void failureInTheMiddleKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("best.safetensors");
        Files.writeString(f, "the good checkpoint");
        DlmException e = assertThrows(DlmException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half of a new fi".getBytes());
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains("disk full") && e.getMessage().contains("best.safetensors"), e.getMessage());
        assertEquals("the good checkpoint", Files.readString(f));
        assertEquals(1, filesIn(dir));

        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("bug");
        }));
        assertEquals("the good checkpoint", Files.readString(f));
        assertEquals(1, filesIn(dir));
    }

    @Test
    void createsMissingDirectories() throws IOException {
        Path f = dir.resolve("sub/dir/x.bin");
        AtomicFiles.write(f, out -> out.write(7));
        assertArrayEquals(new byte[]{7}, Files.readAllBytes(f));
    }
}
