package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dlm check on files that hold no model or are not text. */
class CheckFilesTest {
    @TempDir Path tmp;

    @Test
    void aBinaryFileIsOneLineSayingItIsNotText() throws IOException {
        Path f = tmp.resolve("binary.dlm");
        Files.write(f, new byte[]{0x7f, 'E', 'L', 'F', (byte) 0xff, (byte) 0xfe, 0, 1});
        CliTest.Result r = CliTest.dlm("check", f.toString());
        CliTest.assertUserError(r, "binary.dlm: not UTF-8 text");
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void aFileOfDefsOnlySaysItHasNoModel() throws IOException {
        Path defs = tmp.resolve("defs.dlm"), empty = tmp.resolve("empty.dlm");
        Files.writeString(defs, "def block(x, c) {\n  return x -> dense(c) -> relu\n}\n");
        Files.writeString(empty, "");
        CliTest.Result r = CliTest.dlm("check", defs.toString(), empty.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(defs + ": no model in this file\n" + empty + ": no model in this file\n", r.out());
    }
}
