package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.runtime.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code dlm check examples/*.dlm} counts every example's parameters as PyTorch does: the
 * counts in {@code api/src/test/resources/parity/parameter_counts.json} are written by
 * {@code tools/pytorch-parity/count_parameters.py} from the same architectures in PyTorch
 * (total {@code numel()} of {@code parameters()}, and of those with {@code requires_grad}
 * once the example's frozen layers are frozen).
 */
class CheckParameterCountsTest {
    private static final Pattern MODEL = Pattern.compile("^(\\S+\\.dlm): model \\S+$", Pattern.MULTILINE);
    private static final Pattern COUNT = Pattern.compile("^  parameters: ([\\d,]+)(?: \\(([\\d,]+) trainable\\))?$", Pattern.MULTILINE);

    @SuppressWarnings("unchecked")
    @Test
    void everyExampleHasPyTorchsParameterCount() throws IOException {
        Path root = CliParityTest.root();
        Map<String, Object> pytorch = (Map<String, Object>) Json.parse(
                Files.readString(root.resolve("api/src/test/resources/parity/parameter_counts.json")));
        List<String> args = new ArrayList<>(List.of("check"));
        try (Stream<Path> s = Files.list(root.resolve("examples"))) {
            s.filter(p -> p.toString().endsWith(".dlm")).sorted().forEach(p -> args.add(p.toString()));
        }
        CliTest.Result r = CliTest.dlm(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());

        Map<String, long[]> dlm = new TreeMap<>();
        Matcher model = MODEL.matcher(r.out()), count = COUNT.matcher(r.out());
        while (model.find()) {
            assertTrue(count.find(model.end()), "no parameter count after " + model.group());
            String name = Path.of(model.group(1)).getFileName().toString().replace(".dlm", "");
            long all = number(count.group(1));
            dlm.put(name, new long[]{all, count.group(2) == null ? all : number(count.group(2))});
        }
        assertEquals(new TreeMap<>(pytorch).keySet(), dlm.keySet(), "every example, and PyTorch's count for each");
        for (var e : pytorch.entrySet()) {
            Map<String, Object> want = (Map<String, Object>) e.getValue();
            long[] got = dlm.get(e.getKey());
            assertEquals(((Number) want.get("parameters")).longValue(), got[0], e.getKey() + ": parameters");
            assertEquals(((Number) want.get("trainable")).longValue(), got[1], e.getKey() + ": trainable parameters");
        }
        assertTrue(r.out().contains("parameters: 6,954,881 (1,025 trainable)"), "chexnet trains its head only: " + r.out());
    }

    @Test
    void aDirectoryIsNotADlmFile() {
        CliTest.assertUserError(CliTest.dlm("check", CliParityTest.root().resolve("examples").toString()), "is a directory");
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
