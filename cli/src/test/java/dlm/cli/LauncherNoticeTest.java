package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ./dlm launcher's stderr filter: the JVM's incubator-module notice is dropped so that a
 * user's mistake is the one line on stderr; everything else passes through unchanged. Runs the
 * function as the launcher defines it, under bash.
 */
class LauncherNoticeTest {
    private static final String NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "notice, then an error      | N\\ndlm: x.dlm: no such file\\n | dlm: x.dlm: no such file\\n",
        "an error, no notice        | dlm: bad\\n                    | dlm: bad\\n",
        "the notice alone           | N\\n                            | ''",
        "nothing                    | ''                              | ''",
        "a last line without newline| N\\nepoch 1\\r50%              | epoch 1\\r50%",
        "the notice later is kept   | dlm: a\\nN\\n                  | dlm: a\\nN\\n",
    })
    void dropsOnlyTheLeadingNotice(String name, String input, String expected) throws Exception {
        String in = unescape(input), want = unescape(expected);
        assertEquals(want, filter(in));
    }

    private static String unescape(String s) {
        return s.strip().replace("N\\n", NOTICE + "\n").replace("\\n", "\n").replace("\\r", "\r");
    }

    private static String filter(String input) throws IOException, InterruptedException {
        String launcher = Files.readString(CliTest.root().resolve("dlm"), StandardCharsets.UTF_8);
        assertTrue(launcher.contains("| drop_incubator_notice >&2"), "the launcher sends the JVM's stderr through the filter");
        Matcher m = Pattern.compile("(?ms)^drop_incubator_notice\\(\\) \\{.*?^\\}").matcher(launcher);
        assertTrue(m.find(), "drop_incubator_notice is defined in ./dlm");
        Process p = new ProcessBuilder("bash", "-c", m.group() + "\ndrop_incubator_notice").start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return out;
    }
}
