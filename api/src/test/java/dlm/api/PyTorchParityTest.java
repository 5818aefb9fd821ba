package dlm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dlm.runtime.CompiledModel;
import dlm.runtime.LoadReport;
import dlm.runtime.Tensor;
import dlm.runtime.io.Json;
import dlm.runtime.io.Npy;
import dlm.runtime.io.Safetensors;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * dlm's numerics against PyTorch's: for every example that fits in memory, the fixtures in
 * {@code src/test/resources/parity/<model>/} (written by {@code tools/pytorch-parity/make_fixtures.py})
 * hold PyTorch weights under dlm's parameter names, inputs, targets, the eval-mode outputs, and
 * the train-mode loss and gradient of every trainable parameter. The example is compiled from
 * {@code examples/}, the weights are loaded strictly (a naming or shape mismatch fails), and
 * every output, the loss and every gradient must agree to a relative error of 1e-4, measured
 * per tensor as {@code max|dlm - torch| / max(max|torch|, 1e-6)}. The gradients' names must be
 * exactly PyTorch's trainable parameters.
 *
 * <p>Models with dropout (tumor, inception) are checked in inference only: a training step's
 * dropout mask is random, so its gradients cannot be compared. Besides the examples, two
 * test-only models kept beside their fixtures cover freezing (freeze_mini) and the ops the
 * examples do not use (ops_mini).
 */
class PyTorchParityTest {
    static final double TOLERANCE = 1e-4;

    @TestFactory
    Stream<DynamicTest> interpreter() throws IOException {
        return tests(Backend.INTERP);
    }

    @TestFactory
    Stream<DynamicTest> jvm() throws IOException {
        return tests(Backend.JVM);
    }

    private Stream<DynamicTest> tests(Backend backend) throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Fixture f : fixtures()) {
            tests.add(DynamicTest.dynamicTest(f.name + " run", () -> checkRun(f, backend)));
            tests.add(DynamicTest.dynamicTest(f.name + " grad", () -> checkGrad(f, backend)));
        }
        return tests.stream();
    }

    static void checkRun(Fixture f, Backend backend) {
        try (CompiledModel m = build(f, backend)) {
            Map<String, Tensor> got = m.predict(f.inputs());
            assertEquals(new TreeSet<>(f.outputs), new TreeSet<>(got.keySet()), f.name + ": outputs");
            Map<String, Tensor> expected = new LinkedHashMap<>();
            for (String o : f.outputs) expected.put(o, Npy.read(f.dir.resolve("expected_" + o + ".npy")));
            compare(f.name + " run (" + backend + ")", expected, got);
        }
    }

    static void checkGrad(Fixture f, Backend backend) {
        try (CompiledModel m = build(f, backend)) {
            Map<String, Tensor> got = m.gradients(f.inputs(), f.targets());
            // the gradients' names: exactly the parameters PyTorch trains (freeze= and trainable= respected)
            TreeSet<String> trainable = new TreeSet<>(f.trainable);
            TreeSet<String> gotNames = new TreeSet<>(got.keySet());
            assertTrue(gotNames.remove("loss"), f.name + ": gradients() returns no 'loss'");
            assertEquals(trainable, gotNames, f.name + ": the gradients are not those of PyTorch's trainable parameters");
            Assumptions.assumeTrue(f.hasGrads, f.name + " has dropout: its training-mode gradients are random and not compared");
            Map<String, Tensor> expected = Safetensors.load(f.dir.resolve("expected_grads.safetensors"));
            TreeSet<String> expectedNames = new TreeSet<>(expected.keySet());
            expectedNames.remove("loss");
            assertEquals(expectedNames, gotNames, f.name + ": gradient names");
            compare(f.name + " grad (" + backend + ")", expected, got);
        }
    }

    /** The measure itself: a difference of 2e-4 of the largest magnitude fails, 5e-5 passes, NaN fails. */
    @Test
    void comparisonFailsOnDifferencesAboveTheTolerance() {
        float[] ref = {1f, -2f, 0.5f, 0f};
        assertEquals(0, relativeError(ref.clone(), ref));
        assertEquals(2e-4, relativeError(new float[]{1f, -2f + 4e-4f, 0.5f, 0f}, ref), 1e-7);
        Map<String, Tensor> expected = Map.of("w", Tensor.of(ref, 2, 2));
        compare("self-test", expected, Map.of("w", Tensor.of(new float[]{1f, -2f, 0.5f, 1e-4f}, 2, 2)));
        assertThrows(AssertionError.class, () -> compare("self-test", expected, Map.of("w", Tensor.of(new float[]{1f, -2f, 0.5f, 4e-4f}, 2, 2))));
        assertThrows(AssertionError.class, () -> compare("self-test", expected, Map.of("w", Tensor.of(new float[]{1f, -2f, Float.NaN, 0f}, 2, 2))));
        assertThrows(AssertionError.class, () -> compare("self-test", expected, Map.of("w", Tensor.of(ref, 4))));
    }

    static CompiledModel build(Fixture f, Backend backend) {
        CompiledModel m = Dlm.compile(f.example).build(null, backend, 0);
        LoadReport r = m.loadStateDict(f.weights(), true);
        assertTrue(r.clean(), f.name + ": " + r.describe());
        return m;
    }

    /** Every expected tensor within {@link #TOLERANCE}; one message listing all that are not. */
    static void compare(String what, Map<String, Tensor> expected, Map<String, Tensor> got) {
        List<String> bad = new ArrayList<>();
        double worst = 0;
        String worstName = "";
        for (var e : expected.entrySet()) {
            Tensor g = got.get(e.getKey());
            if (g == null) {
                bad.add(e.getKey() + ": missing");
                continue;
            }
            if (!Arrays.equals(shapeOf(e.getValue()), shapeOf(g))) {
                bad.add(e.getKey() + ": shape " + Arrays.toString(g.shape()) + ", PyTorch " + Arrays.toString(e.getValue().shape()));
                continue;
            }
            double err = relativeError(g.data(), e.getValue().data());
            if (err > worst || worstName.isEmpty()) {
                worst = err;
                worstName = e.getKey();
            }
            if (!(err <= TOLERANCE)) bad.add(String.format("%s: relative error %.3e (%s)", e.getKey(), err, firstDifference(g.data(), e.getValue().data())));
        }
        System.out.printf("parity %-40s max relative error %.2e (%s)%n", what, worst, worstName);
        if (!bad.isEmpty()) fail(what + ": " + bad.size() + " of " + expected.size() + " tensors differ from PyTorch:\n  " + String.join("\n  ", bad));
    }

    /** A scalar may come as shape [] or [1]. */
    private static int[] shapeOf(Tensor t) {
        return t.numel() == 1 ? new int[0] : t.shape();
    }

    static double relativeError(float[] got, float[] expected) {
        double diff = 0, scale = 0;
        for (int i = 0; i < got.length; i++) {
            diff = Math.max(diff, Math.abs((double) got[i] - expected[i]));
            if (Double.isNaN(got[i])) diff = Double.NaN;
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return diff / Math.max(scale, 1e-6);
    }

    private static String firstDifference(float[] got, float[] expected) {
        int at = 0;
        double d = -1;
        for (int i = 0; i < got.length; i++) {
            double di = Math.abs((double) got[i] - expected[i]);
            if (di > d || Double.isNaN(di)) {
                d = di;
                at = i;
                if (Double.isNaN(di)) break;
            }
        }
        return "largest at flat index " + at + ": dlm " + got[at] + ", PyTorch " + expected[at];
    }

    /** One fixture directory and its manifest. */
    record Fixture(String name, Path dir, Path example, List<String> inputNames, List<String> targetNames,
                   List<String> outputs, boolean hasGrads, List<String> trainable) {
        Map<String, Tensor> weights() { return Safetensors.load(dir.resolve("weights.safetensors")); }
        Map<String, Tensor> inputs() { return read(inputNames); }
        Map<String, Tensor> targets() { return read(targetNames); }

        private Map<String, Tensor> read(List<String> names) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            for (String n : names) m.put(n, Npy.read(dir.resolve(n + ".npy")));
            return m;
        }
    }

    @SuppressWarnings("unchecked")
    static List<Fixture> fixtures() throws IOException {
        Path root = fixtureRoot();
        Path examples = examplesDir();
        List<Fixture> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.sorted().toList()) {
                Path manifest = d.resolve("manifest.json");
                if (!Files.isRegularFile(manifest)) continue;
                Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(manifest));
                // an example of examples/, or a test-only model kept beside its fixture
                String source = (String) m.get("example");
                Path example = Files.isRegularFile(d.resolve(source)) ? d.resolve(source) : examples.resolve(source);
                out.add(new Fixture(d.getFileName().toString(), d, example,
                        (List<String>) m.get("inputs"), (List<String>) m.get("targets"), (List<String>) m.get("outputs"),
                        Boolean.TRUE.equals(m.get("grads")), (List<String>) m.get("trainable")));
            }
        }
        if (out.isEmpty()) fail("no parity fixtures under " + root);
        return out;
    }

    static Path fixtureRoot() {
        try {
            return Path.of(PyTorchParityTest.class.getResource("/parity").toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new AssertionError("the parity fixtures are not on the test class path", e);
        }
    }

    /** The repository's examples/ directory, found upwards from the working directory. */
    static Path examplesDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent())
            if (Files.isRegularFile(p.resolve("examples/xor.dlm"))) return p.resolve("examples");
        throw new AssertionError("cannot find examples/ above " + Path.of("").toAbsolutePath());
    }
}
