package dlm.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saved weights get the permissions of any new file (the umask), not owner-only ones. */
class AtomicFilesPermissionsTest {
    @TempDir Path dir;

    @Test
    void aWrittenFileHasTheUsualPermissions() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path saved = dir.resolve("w.safetensors");
        AtomicFiles.write(saved, out -> out.write(1));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(saved));
    }
}
