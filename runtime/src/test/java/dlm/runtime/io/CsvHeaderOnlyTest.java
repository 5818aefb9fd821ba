package dlm.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dlm.runtime.DlmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table with a header and no rows is an error that names the file, not an empty dataset. */
class CsvHeaderOnlyTest {
    @TempDir Path dir;

    @Test
    void aHeaderWithoutRowsNamesTheFile() throws IOException {
        Path p = dir.resolve("h.csv");
        Files.writeString(p, "a,b,y\n\n");
        assertEquals(p + ": no data rows after the header",
                assertThrows(DlmException.class, () -> Csv.read(p, "y", false)).getMessage());
        Files.writeString(p, "a,b,y\n1,2,0\n");
        assertEquals(1, Csv.read(p, "y", false).toDataset("x", "y").size());
    }
}
