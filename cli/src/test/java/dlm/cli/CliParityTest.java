package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dlm.runtime.Tensor;
import dlm.runtime.io.Npy;
import dlm.runtime.io.Safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code dlm run} and {@code dlm grad} through the command line's entry point, against the
 * PyTorch fixtures in {@code api/src/test/resources/parity/} (see tools/pytorch-parity): the
 * files the commands write must agree with PyTorch to a relative error of 1e-4 per tensor,
 * {@code max|dlm - torch| / max(max|torch|, 1e-6)}. Bad files end in exit code 2 and one line.
 */
class CliParityTest {
    static final double TOLERANCE = 1e-4;

    @TempDir Path tmp;

    @ParameterizedTest
    @CsvSource({"lenet5, interp", "resnet_mini, interp", "lenet5, jvm", "resnet_mini, jvm"})
    void runWritesPyTorchsOutputs(String model, String backend) {
        Path fx = fixture(model);
        Path out = tmp.resolve("out");
        Result r = main("run", example(model), "--backend", backend, "--weights", fx.resolve("weights.safetensors").toString(),
                "--input", "image=" + fx.resolve("image.npy"), "--out", out.toString());
        assertEquals(0, r.code, r.err);
        List<String> outputs = model.equals("lenet5") ? List.of("logits", "probs") : List.of("logits");
        for (String o : outputs)
            check(model + " run " + o, Npy.read(out.resolve(o + ".npy")), Npy.read(fx.resolve("expected_" + o + ".npy")));
    }

    @ParameterizedTest
    @CsvSource({"lenet5, interp", "resnet_mini, interp", "lenet5, jvm", "resnet_mini, jvm"})
    void gradWritesPyTorchsLossAndGradients(String model, String backend) {
        Path fx = fixture(model);
        Path out = tmp.resolve("g.safetensors");
        Result r = main("grad", example(model), "--backend", backend, "--weights", fx.resolve("weights.safetensors").toString(),
                "--input", "image=" + fx.resolve("image.npy"), "--target", "label=" + fx.resolve("label.npy"),
                "--out", out.toString());
        assertEquals(0, r.code, r.err);
        Map<String, Tensor> got = Safetensors.load(out), expected = Safetensors.load(fx.resolve("expected_grads.safetensors"));
        assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(got.keySet()), model + ": the names in the gradient file");
        for (var e : expected.entrySet()) check(model + " grad " + e.getKey(), got.get(e.getKey()), e.getValue());
    }

    @Test
    void truncatedWeightsAreOneErrorLine() throws IOException {
        Path fx = fixture("lenet5");
        byte[] w = Files.readAllBytes(fx.resolve("weights.safetensors"));
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(w, w.length / 2));
        Result r = main("run", example("lenet5"), "--weights", cut.toString(),
                "--input", "image=" + fx.resolve("image.npy"), "--out", tmp.resolve("out").toString());
        assertOneErrorLine(r, "cut.safetensors");
        assertTrue(r.err.contains("truncated"), r.err);
    }

    @Test
    void inputOfTheWrongShapeIsOneErrorLine() throws IOException {
        Path fx = fixture("lenet5");
        Path x = tmp.resolve("x.npy");
        Npy.write(x, Tensor.zeros(3, 1, 27, 28));
        Result r = main("run", example("lenet5"), "--weights", fx.resolve("weights.safetensors").toString(),
                "--input", "image=" + x, "--out", tmp.resolve("out").toString());
        assertOneErrorLine(r, "image");
        assertTrue(r.err.contains("[3, 1, 27, 28]"), "the message should show the shape given: " + r.err);
    }

    private static void assertOneErrorLine(Result r, String mention) {
        assertEquals(Main.USER_ERROR, r.code, "exit code; stderr: " + r.err);
        List<String> lines = r.err.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "expected one error line, got:\n" + r.err);
        assertTrue(lines.get(0).startsWith("dlm: "), lines.get(0));
        assertTrue(lines.get(0).contains(mention), "the error should name " + mention + ": " + lines.get(0));
    }

    static void check(String what, Tensor got, Tensor expected) {
        int[] gs = got.numel() == 1 ? new int[0] : got.shape(), es = expected.numel() == 1 ? new int[0] : expected.shape();
        assertTrue(Arrays.equals(gs, es), what + ": shape " + Arrays.toString(got.shape()) + ", PyTorch " + Arrays.toString(expected.shape()));
        float[] g = got.data(), e = expected.data();
        double diff = 0, scale = 0;
        for (int i = 0; i < g.length; i++) {
            double d = Math.abs((double) g[i] - e[i]);
            diff = Double.isNaN(d) ? Double.NaN : Math.max(diff, d);
            scale = Math.max(scale, Math.abs(e[i]));
        }
        double rel = diff / Math.max(scale, 1e-6);
        if (!(rel <= TOLERANCE)) fail(String.format("%s: relative error %.3e against PyTorch", what, rel));
    }

    record Result(int code, String out, String err) {}

    /** Main.run with stdout and stderr captured. */
    static synchronized Result main(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
            if (Files.isRegularFile(p.resolve("examples/xor.dlm")) && Files.isDirectory(p.resolve("api/src/test/resources/parity"))) return p;
        throw new AssertionError("cannot find the repository root above " + Path.of("").toAbsolutePath());
    }

    static Path fixture(String model) { return root().resolve("api/src/test/resources/parity").resolve(model); }

    static String example(String model) { return root().resolve("examples").resolve(model + ".dlm").toString(); }
}
