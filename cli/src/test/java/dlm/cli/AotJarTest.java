package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.api.Backend;
import dlm.api.Dlm;
import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import dlm.runtime.io.Npy;
import dlm.runtime.io.Safetensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.JarEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dlm compile}: the jar runs in a separate JVM with only itself on the class path and
 * agrees with the JIT (same weights, same input); it carries nothing of the compiler.
 */
class AotJarTest {
    @TempDir Path tmp;

    record Proc(int code, String out) {}

    /** {@code $JAVA_HOME/bin/java --add-modules jdk.incubator.vector ARGS} in a fresh JVM. */
    static Proc java(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("-Ddlm.threads=2");
        Collections.addAll(cmd, args);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "timed out: " + out);
        return new Proc(p.exitValue(), out);
    }

    static void assertClose(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.shape(), got.shape(), what + " shape");
        for (int i = 0; i < want.numel(); i++) {
            float w = want.data()[i], g = got.data()[i];
            assertTrue(Math.abs(w - g) <= 1e-4f * (1 + Math.abs(w)), what + "[" + i + "]: jit " + w + ", aot " + g);
        }
    }

    private Path compile(String example, Path weights, String... extra) {
        Path jar = tmp.resolve(example + ".jar");
        List<String> args = new ArrayList<>(List.of("compile", CliTest.example(example), "-o", jar.toString()));
        if (weights != null) Collections.addAll(args, "--weights", weights.toString());
        Collections.addAll(args, extra);
        CliTest.Result r = CliTest.dlm(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote " + jar), r.out());
        return jar;
    }

    @Test
    void lenet5JarPredictsLikeTheJitFromTheCommandLineAndTheTypedClass() throws Exception {
        // weights from another seed than the jar's own initial ones, so --weights is what counts
        Path w = tmp.resolve("lenet5.safetensors");
        Tensor x = random(new SplittableRandom(1), 70, 1, 28, 28); // 70 = 64 + 6 x 1 at the compiled sizes
        Map<String, Tensor> jit;
        try (CompiledModel m = Dlm.compile(Path.of(CliTest.example("lenet5"))).build(null, Backend.JVM, 7)) {
            m.saveWeights(w);
            jit = copy(m.predict(Map.of("image", x)));
        }
        Path jar = compile("lenet5", w);
        Npy.write(tmp.resolve("x.npy"), x);

        Proc p = java(tmp, "-jar", jar.toString(), "predict", "--input", "image=x.npy", "--out", "out");
        assertEquals(0, p.code(), p.out());
        for (String name : jit.keySet()) assertClose(jit.get(name), Npy.read(tmp.resolve("out/" + name + ".npy")), name);

        // the typed class, used from a program with only the jar on the class path
        Files.writeString(tmp.resolve("UseLenet5.java"), """
                import dlm.models.Lenet5;
                import dlm.runtime.Tensor;
                import dlm.runtime.io.Npy;
                import java.nio.file.Path;

                public class UseLenet5 {
                    public static void main(String[] args) {
                        Tensor x = Npy.read(Path.of("x.npy"));
                        try (Lenet5 m = new Lenet5()) {
                            Lenet5.Result r = m.predict(x.data());
                            float[][] logits = m.logits(x.data());
                            if (logits.length != 70 || r.logits().length != 70 || r.probs()[0].length != 10) throw new AssertionError("shapes");
                            float[] flat = new float[70 * 10];
                            for (int i = 0; i < 70; i++) System.arraycopy(logits[i], 0, flat, i * 10, 10);
                            Npy.write(Path.of("typed.npy"), Tensor.of(flat, 70, 10));
                        }
                        try (Lenet5 m = new Lenet5()) {
                            float[] one = java.util.Arrays.copyOf(x.data(), 784);
                            System.out.println("one sample: " + m.logits(one).length + " row");
                        }
                    }
                }
                """);
        p = java(tmp, "-cp", jar.toString(), "UseLenet5.java");
        assertEquals(0, p.code(), p.out());
        assertTrue(p.out().contains("one sample: 1 row"), p.out());
        assertClose(jit.get("logits"), Npy.read(tmp.resolve("typed.npy")), "typed logits");

        p = java(tmp, "-jar", jar.toString(), "predict", "--input", "picture=x.npy", "--out", "out");
        assertEquals(2, p.code(), p.out());
        assertTrue(p.out().contains("dlm: ") && p.out().contains("image") && !p.out().contains("Exception"), p.out());
    }

    @Test
    void tumorJarTrainsLikeTheJitAndPredictsLikeIt() throws Exception {
        // 544 = 17 batches of 32: nothing is dropped, so the jar and the JIT see the same batches
        List<String> lines = Files.readAllLines(CliTest.root().resolve("data/breast_cancer_wisconsin.csv"));
        Path csv = tmp.resolve("tumor544.csv");
        Files.write(csv, lines.subList(0, 545));
        Path jitW = tmp.resolve("jit.safetensors"), aotW = tmp.resolve("aot.safetensors");
        CliTest.Result r = CliTest.dlm("train", CliTest.example("tumor"), "--data", csv.toString(), "--val", "0", "--epochs", "2",
                "--save", jitW.toString());
        assertEquals(0, r.code(), r.err());

        Path jar = compile("tumor", null);
        Proc p = java(tmp, "-jar", jar.toString(), "train", "--data", csv.toString(), "--val", "0", "--epochs", "2", "--save", aotW.toString());
        assertEquals(0, p.code(), p.out());
        assertTrue(p.out().contains("544 training samples"), p.out());
        Map<String, Tensor> jw = Safetensors.load(jitW), aw = Safetensors.load(aotW);
        assertEquals(jw.keySet(), aw.keySet());
        for (String k : jw.keySet()) assertClose(jw.get(k), aw.get(k), k);

        // trailing partial batch: dropped, and said so
        p = java(tmp, "-jar", jar.toString(), "train", "--data", CliTest.root().resolve("data/breast_cancer_wisconsin.csv").toString(),
                "--epochs", "1");
        assertEquals(0, p.code(), p.out());
        assertTrue(p.out().contains("dropped"), p.out());

        // prediction with the trained weights, against the JIT with the same weights
        Tensor x = random(new SplittableRandom(2), 100, 30);
        Npy.write(tmp.resolve("x.npy"), x);
        Map<String, Tensor> jit;
        try (CompiledModel m = Dlm.compile(Path.of(CliTest.example("tumor"))).build(null, Backend.JVM, 0)) {
            m.loadWeights(aotW, true);
            jit = copy(m.predict(Map.of("x", x)));
        }
        p = java(tmp, "-jar", jar.toString(), "predict", "--weights", aotW.toString(), "--input", "x=x.npy", "--out", "pred");
        assertEquals(0, p.code(), p.out());
        assertClose(jit.get("p"), Npy.read(tmp.resolve("pred/p.npy")), "p");

        p = java(tmp, "-jar", jar.toString(), "train", "--data", csv.toString(), "--batch", "16");
        assertEquals(2, p.code(), p.out());
        assertTrue(p.out().contains("batch size 32"), p.out());
    }

    @Test
    void theJarCarriesNothingOfTheCompiler() throws Exception {
        Path jar = compile("tumor", null, "--batch", "8");
        List<String> names = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(jf.entries())) names.add(e.getName());
            assertEquals("dlm.codegen.jvm.aot.runtime.AotMain", jf.getManifest().getMainAttributes().getValue("Main-Class"));
        }
        for (String bad : List.of("org/antlr", "org/objectweb", "picocli", "dlm/frontend", "dlm/passes", "dlm/ir/", "dlm/api", "dlm/cli"))
            assertFalse(names.stream().anyMatch(n -> n.startsWith(bad)), bad + " in the jar: " + names);
        for (String need : List.of("dlm/aot/tumor/Infer_b1.class", "dlm/aot/tumor/Infer_b8.class", "dlm/aot/tumor/Train_b32.class",
                "dlm/aot/tumor/model.json", "dlm/aot/tumor/weights.safetensors", "dlm/models/Tumor.class", "dlm/models/Tumor.java",
                "dlm/codegen/jvm/GeneratedStep.class", "dlm/runtime/Tensor.class"))
            assertTrue(names.contains(need), need + " missing: " + names);
        Proc p = java(tmp, "-jar", jar.toString(), "info");
        assertEquals(0, p.code(), p.out());
        assertTrue(p.out().contains("predict batch sizes [32, 8, 1]"), p.out());
    }

    @Test
    void compileErrorsAreOneLineAndLeaveNoJar() {
        Path jar = tmp.resolve("bad.jar");
        CliTest.Result r = CliTest.dlm("compile", CliTest.example("lenet5"), "--weights", tmp.resolve("none.safetensors").toString(), "-o", jar.toString());
        CliTest.assertUserError(r, "none.safetensors");
        assertFalse(Files.exists(jar));
        r = CliTest.dlm("compile", CliTest.example("lenet5"), "-o", tmp.resolve("no/such/dir/x.jar").toString());
        CliTest.assertUserError(r, "does not exist");
    }

    private static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) t.data()[i] = (float) r.nextDouble();
        return t;
    }

    private static Map<String, Tensor> copy(Map<String, Tensor> m) {
        Map<String, Tensor> c = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, v.copy()));
        return c;
    }
}
