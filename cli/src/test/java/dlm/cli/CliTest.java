package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dlm command as a user meets it: output of good runs, one error line and exit code 2 for bad input. */
class CliTest {
    @TempDir Path tmp;

    record Result(int code, String out, String err) {}

    static synchronized Result dlm(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            return new Result(Main.run(args), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("examples/tumor.dlm"))) p = p.getParent();
        return p;
    }

    static String example(String name) { return root().resolve("examples/" + name + ".dlm").toString(); }

    static void assertUserError(Result r, String... mentions) {
        assertEquals(Main.USER_ERROR, r.code(), "exit code; stderr was: " + r.err());
        assertTrue(r.err().startsWith("dlm: "), r.err());
        assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception"), "no stack trace: " + r.err());
        for (String m : mentions) assertTrue(r.err().contains(m), "expected '" + m + "' in: " + r.err());
    }

    @Test
    void checkPassesOnEveryExampleAndCountsParametersAsPyTorch() throws IOException {
        List<String> files = new ArrayList<>(List.of("check"));
        try (Stream<Path> s = Files.list(root().resolve("examples"))) {
            s.filter(p -> p.toString().endsWith(".dlm")).sorted().forEach(p -> files.add(p.toString()));
        }
        assertTrue(files.size() >= 12, "all examples: " + files);
        Result r = dlm(files.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        // torchvision's resnet50 and vgg16, and LeNet-5, counted by PyTorch's numel()
        assertTrue(r.out().contains("model resnet50\n  inputs:  image: [3, 224, 224]\n  outputs: logits: [1000]\n  parameters: 25,557,032"), r.out());
        assertTrue(r.out().contains("parameters: 138,357,544"), r.out());
        assertTrue(r.out().contains("model lenet5\n  inputs:  image: [1, 28, 28]\n  outputs: logits: [10], probs: [10]\n  targets: label: i32[]\n  parameters: 61,706"), r.out());
    }

    @Test
    void aBrokenModelIsOneDiagnosticWithItsPlace() throws IOException {
        Path f = tmp.resolve("broken.dlm");
        Files.writeString(f, "model m {\n  input x: [4]\n  output y = x -> dense(3 -> relu\n}\n");
        Result r = dlm("check", f.toString());
        assertUserError(r, "broken.dlm:4:1: expected ')' or ',', got '}'");
        assertTrue(r.err().contains("^"), "a caret under the place: " + r.err());
    }

    @Test
    void aMissingCsvColumnListsTheColumnsAndKeepsTheCheckpoint() throws IOException {
        Path ckpt = tmp.resolve("best.safetensors");
        Files.writeString(ckpt, "precious");
        Result r = dlm("train", example("tumor"), "--data", root().resolve("data/breast_cancer_wisconsin.csv").toString(),
                "--target", "diagnosis", "--save", ckpt.toString(), "--epochs", "1");
        assertUserError(r, "diagnosis", "radius_mean");
        assertEquals("precious", Files.readString(ckpt), "an existing checkpoint is never overwritten by a failed run");
    }

    @Test
    void aNonNumberInTheCsvNamesLineAndColumn() throws IOException {
        Path csv = tmp.resolve("bad.csv");
        Files.writeString(csv, "a,b,y\n1,2,0\n3,oops,1\n");
        Result r = dlm("train", example("xor"), "--data", csv.toString(), "--target", "y", "--epochs", "1");
        assertUserError(r, "bad.csv:3:", "oops");
    }

    @Test
    void aTruncatedInitCheckpointIsAnError() throws IOException {
        Path w = tmp.resolve("w.safetensors");
        Files.write(w, new byte[]{100, 0, 0, 0, 0, 0, 0, 0, '{'});
        Path csv = tmp.resolve("xor.csv");
        Files.writeString(csv, "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        Result r = dlm("train", example("xor"), "--data", csv.toString(), "--target", "y", "--init", w.toString(), "--epochs", "1");
        assertUserError(r, "w.safetensors");
    }

    @Test
    void dumpBytecodeWritesEveryGeneratedClassAsText() throws IOException {
        Path csv = tmp.resolve("xor.csv");
        Files.writeString(csv, "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        Path dump = tmp.resolve("bytecode");
        try {
            assertEquals(0, dlm("train", example("xor"), "--data", csv.toString(), "--target", "y", "--val", "0",
                    "--epochs", "1", "--dump-bytecode", dump.toString()).code());
            java.util.List<Path> classes;
            try (var files = Files.list(dump)) {
                classes = files.filter(f -> f.getFileName().toString().endsWith(".txt")).toList();
            }
            assertFalse(classes.isEmpty(), "no class written to " + dump);
            String text = Files.readString(classes.getFirst());
            // ASM's Textifier: the class header and instructions by name
            assertTrue(text.contains("// class version") && text.contains("RETURN"), text.substring(0, Math.min(300, text.length())));
            Path file = tmp.resolve("not-a-dir");
            Files.writeString(file, "x");
            assertUserError(dlm("train", example("xor"), "--data", csv.toString(), "--target", "y", "--epochs", "1",
                    "--dump-bytecode", file.toString()), "not-a-dir is a file, not a directory");
        } finally {
            System.clearProperty(ModelOptions.DUMP_PROPERTY); // Main.run shares this JVM with the other tests
        }
    }

    @Test
    void aTruncatedNpyInputIsAnError() throws IOException {
        Path w = tmp.resolve("xor.safetensors");
        Path csv = tmp.resolve("xor.csv");
        Files.writeString(csv, "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
        assertEquals(0, dlm("train", example("xor"), "--data", csv.toString(), "--target", "y", "--val", "0",
                "--epochs", "1", "--save", w.toString()).code());
        Path npz = tmp.resolve("in.npz"), outNpz = tmp.resolve("out.npz");
        dlm.runtime.io.Npz.write(npz, java.util.Map.of("x", dlm.runtime.Tensor.of(new float[]{0, 1, 1, 0}, 2, 2)));
        assertEquals(0, dlm("run", example("xor"), "--weights", w.toString(), "--input", npz.toString(), "--out", outNpz.toString()).code());
        assertEquals(java.util.List.of(2, 1), java.util.Arrays.stream(dlm.runtime.io.Npz.read(outNpz).get("p").shape()).boxed().toList());
        Path unoptimized = tmp.resolve("unoptimized.npz");
        assertEquals(0, dlm("run", example("xor"), "--weights", w.toString(), "--input", npz.toString(), "--out", unoptimized.toString(),
                "--skip-pass", "cse", "--skip-pass", "dce", "--skip-pass", "fold", "--skip-pass", "simplify").code());
        assertEquals(dlm.runtime.io.Npz.read(outNpz).get("p"), dlm.runtime.io.Npz.read(unoptimized).get("p"), "the passes do not change results");
        assertUserError(dlm("run", example("xor"), "--weights", w.toString(), "--input", npz.toString(), "--out", unoptimized.toString(),
                "--skip-pass", "nonsense"), "no pass named 'nonsense'");
        byte[] npy = dlm.runtime.io.Npy.toBytes(dlm.runtime.Tensor.of(new float[]{0, 1, 1, 0}, 2, 2));
        Path x = tmp.resolve("x.npy");
        Files.write(x, java.util.Arrays.copyOf(npy, npy.length - 3));
        assertUserError(dlm("run", example("xor"), "--weights", w.toString(), "--input", "x=" + x, "--out", tmp.resolve("o").toString()), "x.npy");
        Path wrong = tmp.resolve("wrong.npy");
        dlm.runtime.io.Npy.write(wrong, dlm.runtime.Tensor.of(new float[]{0, 1, 1}, 1, 3));
        assertUserError(dlm("run", example("xor"), "--weights", w.toString(), "--input", "x=" + wrong, "--out", tmp.resolve("o").toString()),
                "'x' expects [batch, 2], got [1, 3]");
        assertUserError(dlm("run", example("xor"), "--weights", w.toString(), "--input", "z=" + wrong, "--out", tmp.resolve("o").toString()),
                "missing input 'x'");
    }

    @Test
    void unknownOptionsAndCommandsAreUserErrors() {
        Result r = dlm("train", example("xor"));
        assertEquals(Main.USER_ERROR, r.code());
        assertTrue(r.err().contains("--data"), r.err());
        assertEquals(Main.USER_ERROR, dlm("frobnicate").code());
    }

    @Test
    void aBadPassOptionIsOneLineAndExitCodeTwo() {
        System.setProperty("dlm.channelsLast", "bogus");
        try {
            assertUserError(dlm("explain", example("lenet5")), "-Ddlm.channelsLast must be auto, on or off, got 'bogus'");
        } finally {
            System.clearProperty("dlm.channelsLast");
        }
    }

    @Test
    void irPrintsTheTrainingGraph() {
        Result r = dlm("ir", example("xor"), "--grad");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("graph xor {"), r.out());
        assertTrue(r.out().contains("# training graph"), r.out());
        assertTrue(r.out().contains("sgd.momentum.hidden.weight"), "the optimizer state is in the training graph: " + r.out());
        Result each = dlm("ir", example("xor"), "--grad", "--after-each");
        assertTrue(each.out().contains("after lower") && each.out().contains("after autodiff"), each.out());
        assertUserError(dlm("ir", example("xor"), "--grad", "--skip-pass", "nonsense"), "nonsense");
    }

    @Test
    void theDemoReachesNinetyFivePercentValidationAccuracy() {
        String before = System.getProperty("dlm.home");
        System.setProperty("dlm.home", root().toString());
        try {
            Result r = dlm("demo");
            assertEquals(0, r.code(), r.err());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("validation at epoch \\d+: loss [0-9.]+  accuracy ([0-9.]+)").matcher(r.out());
            assertTrue(m.find(), r.out());
            double accuracy = Double.parseDouble(m.group(1));
            assertTrue(accuracy >= 0.95, "validation accuracy " + accuracy);
        } finally {
            if (before == null) System.clearProperty("dlm.home"); else System.setProperty("dlm.home", before);
        }
    }

    @Test
    void aUsageMistakePointsAtTheRightHelp() {
        Result top = dlm("bogus");
        assertEquals(Main.USER_ERROR, top.code());
        assertTrue(top.err().endsWith("(see: dlm --help)" + System.lineSeparator()), top.err());
        Result sub = dlm("train", "--epochs", "x");
        assertEquals(Main.USER_ERROR, sub.code());
        assertTrue(sub.err().endsWith("(see: dlm train --help)" + System.lineSeparator()), sub.err());
    }
}
