package dlm.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.runtime.io.Json;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dlm side of bench/paired.py: one JSON answer per command, in order: the window's rate, or what is wrong with the command. */
class WindowsTest {
    @Test
    void answersEachWindowWithItsRate() throws Exception {
        String commands = "keras_mlp train 0.3\nlenet5 b1 0.2\n\nkeras_mlp train 0.5\n"
                + "lenet5 fly 1\nkeras_mlp train\nkeras_mlp train -1\nkeras_mlp train soon\nres\"net train 1\n"
                + "quit\nlenet5 train 1\n";
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(commands.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            Windows.main(new String[] {"../examples"});
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(9, lines.size(), "a ready line and one answer per command, none after quit: " + lines);
        assertEquals(Boolean.TRUE, json(lines.get(0)).get("ready"));
        check(json(lines.get(1)), "keras_mlp", "train", "samples/s", 0.3);
        check(json(lines.get(2)), "lenet5", "b1", "us", 0.2);
        check(json(lines.get(3)), "keras_mlp", "train", "samples/s", 0.5);
        // warm by now: a step takes milliseconds, so the window lasted little more than 0.5 s and
        // the rate is close to calls * batch / 0.5 (a rate in the wrong unit is not)
        Map<String, Object> warm = json(lines.get(3));
        double share = ((Number) warm.get("value")).doubleValue() * 0.5 / (((Number) warm.get("calls")).longValue() * 256.0);
        assertTrue(share > 0.5 && share <= 1.0001, "rate * window / samples = " + share);
        // a bad command is answered with what is wrong with it, and the next one still runs
        String[] errors = {"unknown metric fly", "expected: <workload> <metric> <seconds>, got 2 words",
                "seconds must be in (0, 3600], got -1", "seconds must be a number, got soon", "unknown workload res\"net"};
        for (int i = 0; i < errors.length; i++) {
            String error = (String) json(lines.get(4 + i)).get("error");
            assertTrue(error != null && error.startsWith(errors[i]), "answer " + (4 + i) + ": " + lines.get(4 + i));
        }
    }

    private static void check(Map<String, Object> r, String workload, String metric, String unit, double seconds) {
        assertEquals(workload, r.get("workload"));
        assertEquals(metric, r.get("metric"));
        assertEquals(unit, r.get("unit"));
        double value = ((Number) r.get("value")).doubleValue();
        long calls = ((Number) r.get("calls")).longValue();
        assertTrue(calls >= 1, "calls " + calls);
        if (metric.equals("train")) {
            int batch = workload.equals("keras_mlp") ? 256 : 128;
            // samples per second of a window of at least `seconds`: at most calls * batch / seconds
            assertTrue(value > 0 && value <= calls * batch / seconds * 1.0001, "rate " + value + " for " + calls + " calls");
        } else {
            // the median call of a window of `seconds` cannot take longer than the window
            assertTrue(value > 0 && value < seconds * 1e6, "median latency " + value + " us");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String line) {
        return (Map<String, Object>) Json.parse(line);
    }
}
