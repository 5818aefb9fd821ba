package example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TumorScreeningTest {
    @TempDir Path tmp;

    @Test
    void theAppTrainsSavesReloadsAndScreens() throws Exception {
        Path home = Path.of("").toAbsolutePath();
        while (!Files.exists(home.resolve("examples/tumor.dlm"))) home = home.getParent();
        Path weights = tmp.resolve("tumor.safetensors");
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            TumorScreening.main(new String[]{home.toString(), weights.toString()});
        } finally {
            System.setOut(out);
        }
        String text = buf.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("validation accuracy ([0-9.]+)").matcher(text);
        assertTrue(m.find(), text);
        assertTrue(Double.parseDouble(m.group(1)) >= 0.93, text);
        assertTrue(Files.size(weights) > 0, "weights saved");
        assertTrue(Pattern.compile("p\\(malignant\\) = [01]\\.[0-9]{3}, label (malignant|benign)").matcher(text).find(), text);
    }
}
