package dlm.codegen.jvm.aot;

import dlm.codegen.jvm.CompiledGraph;
import dlm.codegen.jvm.GeneratedStep;
import dlm.codegen.jvm.JvmCompiler;
import dlm.codegen.jvm.JvmModel;
import dlm.codegen.jvm.StateLayout;
import dlm.codegen.jvm.aot.runtime.AotMain;
import dlm.codegen.jvm.aot.runtime.AotModel;
import dlm.codegen.jvm.kernels.Simd;
import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.Graph;
import dlm.ir.interp.Interpreter;
import dlm.runtime.DlmException;
import dlm.runtime.LoadReport;
import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import dlm.runtime.io.AtomicFiles;
import dlm.runtime.io.Json;
import dlm.runtime.io.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * Ahead-of-time compilation: one model to a self-contained jar. See docs/AOT.md.
 *
 * <p>The jar holds: the generated steps as ordinary named classes
 * ({@code dlm/aot/<id>/Infer_b<N>.class} per prediction batch size, {@code Train_b<N>.class} for
 * the training batch size), each implementing {@link GeneratedStep}; {@code model.json} (the
 * signature, the state layout and every step's arena size and ports); {@code weights.safetensors};
 * a typed class {@code dlm.models.<Name>} (and its source); and, copied from the running class
 * path, the classes those need: {@code dlm.runtime..}, {@code dlm.codegen.jvm.rt},
 * {@code dlm.codegen.jvm.kernels}, {@link GeneratedStep} and {@code dlm.codegen.jvm.aot.runtime},
 * whose {@link AotMain} is the jar's main class. Nothing of the compiler (ir, passes, frontend,
 * ASM, ANTLR, picocli) goes in.
 */
public final class AotCompiler {
    private AotCompiler() {}

    /**
     * What to compile.
     *
     * @param predictBatches batch sizes to compile prediction at (1 is always added)
     * @param trainBatch     the training batch size; 0 to leave training out
     * @param javaClass      the typed class's fully qualified name; null for {@code dlm.models.<Name>}
     */
    public record Options(int[] predictBatches, int trainBatch, String javaClass) {
        public static Options defaults() { return new Options(new int[]{64}, 32, null); }
    }

    /** What was written. */
    public record Result(Path jar, String modelId, String javaClass, List<String> entries, long bytes) {}

    /**
     * Compiles {@code graphs} and writes the jar atomically (a temporary file renamed over
     * {@code jar}): on any error no jar, or the previous one, is left.
     *
     * @param weights weights to embed (strictly checked); null for the initial weights from {@code seed}
     */
    public static Result compile(Path jar, ModelSignature sig, JvmModel.Graphs graphs, Map<String, Tensor> weights,
                                 long seed, Options options) {
        String id = packageSegment(sig.name());
        String dir = AotModel.resourceDir(id);
        String javaClass = options.javaClass() != null ? options.javaClass() : "dlm.models." + className(sig.name());
        if (!javax.lang.model.SourceVersion.isName(javaClass)) throw new DlmException("'" + javaClass + "' is not a Java class name");
        Graph owner = graphs.stateOwner();
        StateLayout layout = StateLayout.of(owner);

        // state: initial values from the seed (as the JIT model), then the given weights
        Map<String, double[]> init = Interpreter.initParams(owner, seed);
        Map<String, Tensor> saved = new LinkedHashMap<>(), optimizerInit = new LinkedHashMap<>();
        Map<String, int[]> savedShapes = new LinkedHashMap<>();
        layout.slots().forEach((name, s) -> {
            double[] v = init.get(name);
            float[] f = new float[s.size()];
            boolean nonZero = false;
            for (int i = 0; i < f.length; i++) { f[i] = (float) v[i]; nonZero |= f[i] != 0; }
            if (s.kind() == dlm.ir.Op.ParamKind.STATE) { if (nonZero) optimizerInit.put(name, Tensor.of(f, s.shape())); }
            else { saved.put(name, Tensor.of(f, s.shape())); savedShapes.put(name, s.shape()); }
        });
        if (weights != null) {
            LoadReport r = LoadReport.compare(savedShapes, weights).throwIfStrict(true);
            for (String name : r.loaded()) saved.put(name, weights.get(name));
        }

        // the steps
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<Object> steps = new ArrayList<>();
        int stateSize = layout.size();
        TreeSet<Integer> batches = new TreeSet<>(Comparator.reverseOrder());
        batches.add(1);
        for (int b : options.predictBatches()) {
            if (b < 1) throw new DlmException("batch sizes must be positive, got " + b);
            batches.add(b);
        }
        boolean trainable = !sig.targets().isEmpty() && options.trainBatch() > 0;
        if (trainable) batches.add(options.trainBatch()); // validation during training predicts at this size
        for (int b : batches) {
            String cls = dir + "Infer_b" + b;
            CompiledGraph cg = JvmCompiler.compileNamed(graphs.inference(), b, layout,
                    name -> !name.equals(Graph.LOSS) && !name.startsWith("grad:"), cls, true);
            files.put(cls + ".class", cg.classBytes());
            steps.add(step("infer", cls, cg));
        }
        if (options.trainBatch() < 0) throw new DlmException("the training batch size must be positive, got " + options.trainBatch());
        if (trainable) {
            String cls = dir + "Train_b" + options.trainBatch();
            // AotModel commits every run: the new state may be written in place
            CompiledGraph cg = JvmCompiler.compileNamed(graphs.training(), options.trainBatch(), layout, name -> true, cls, true);
            files.put(cls + ".class", cg.classBytes());
            steps.add(step("train", cls, cg));
        }

        Map<String, Object> model = new LinkedHashMap<>();
        model.put("format", 1);
        model.put("signature", signature(sig));
        model.put("seed", seed);
        model.put("stateSize", stateSize);
        Map<String, Object> state = new LinkedHashMap<>();
        layout.slots().forEach((name, s) -> state.put(name, Map.of("offset", s.offset(), "size", s.size(), "shape", s.shape(), "kind", s.kind().name())));
        model.put("state", state);
        model.put("steps", steps);
        files.put(dir + "model.json", Json.write(model).getBytes(StandardCharsets.UTF_8));
        files.put(dir + "weights.safetensors", safetensorsBytes(saved));
        if (!optimizerInit.isEmpty()) files.put(dir + "state-init.safetensors", safetensorsBytes(optimizerInit));
        files.put(AotModel.INDEX, (id + "\n").getBytes(StandardCharsets.UTF_8));

        // the run time the jar carries
        Map<String, byte[]> runtime = new TreeMap<>();
        copyPackage(Tensor.class, "dlm/runtime/", true, runtime);
        copyPackage(RunContext.class, "dlm/codegen/jvm/rt/", false, runtime);
        copyPackage(Simd.class, "dlm/codegen/jvm/kernels/", false, runtime);
        copyPackage(AotModel.class, "dlm/codegen/jvm/aot/runtime/", false, runtime);
        String gs = GeneratedStep.class.getName().replace('.', '/') + ".class";
        runtime.put(gs, classBytes(GeneratedStep.class, gs));

        // the typed class, compiled against exactly what the jar carries
        String source = TypedClass.source(javaClass, id, sig, batches.stream().mapToInt(Integer::intValue).toArray(),
                trainable ? options.trainBatch() : 0);
        Map<String, byte[]> typed = TypedClass.compile(javaClass, source, runtime);
        files.put(javaClass.replace('.', '/') + ".java", source.getBytes(StandardCharsets.UTF_8));
        files.putAll(typed);
        files.putAll(runtime);

        Manifest mf = new Manifest();
        Attributes at = mf.getMainAttributes();
        at.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        at.put(Attributes.Name.MAIN_CLASS, AotMain.class.getName());
        at.put(new Attributes.Name("Created-By"), "dlm compile");
        at.put(new Attributes.Name("Dlm-Model"), id);
        at.put(new Attributes.Name("Dlm-Class"), javaClass);
        List<String> names = new ArrayList<>();
        AtomicFiles.write(jar, out -> {
            // not closed: closing would close the atomic writer's stream before it is synced
            JarOutputStream jo = new JarOutputStream(out, mf);
            {
                TreeSet<String> dirs = new TreeSet<>();
                for (String name : files.keySet())
                    for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) dirs.add(name.substring(0, i + 1));
                for (String d : dirs) {
                    JarEntry e = new JarEntry(d);
                    e.setTime(0);
                    jo.putNextEntry(e);
                    jo.closeEntry();
                }
                for (Map.Entry<String, byte[]> f : files.entrySet()) {
                    JarEntry e = new JarEntry(f.getKey());
                    e.setTime(0);
                    jo.putNextEntry(e);
                    jo.write(f.getValue());
                    jo.closeEntry();
                    names.add(f.getKey());
                }
                jo.finish();
                jo.flush();
            }
        });
        try { // the atomic writer's temporary file is private; a jar is for others to run
            Files.setPosixFilePermissions(jar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a POSIX file system: keep what it gave
        }
        long size;
        try {
            size = Files.size(jar);
        } catch (IOException e) {
            size = -1;
        }
        return new Result(jar, id, javaClass, names, size);
    }

    private static Map<String, Object> step(String mode, String cls, CompiledGraph cg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("batch", cg.batch());
        m.put("class", cls.replace('/', '.'));
        m.put("arenaSize", cg.arenaSize());
        m.put("feeds", ports(cg.feeds()));
        m.put("outputs", ports(cg.outputs()));
        return m;
    }

    private static Map<String, Object> ports(Map<String, CompiledGraph.Port> ports) {
        Map<String, Object> m = new LinkedHashMap<>();
        ports.forEach((name, p) -> m.put(name, Map.of("offset", p.offset(), "size", p.size(), "shape", p.shape())));
        return m;
    }

    private static Map<String, Object> signature(ModelSignature s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("inputs", specs(s.inputs()));
        m.put("targets", specs(s.targets()));
        m.put("outputs", specs(s.outputs()));
        m.put("metrics", s.metrics());
        m.put("predictionOutput", s.predictionOutput());
        m.put("targetName", s.targetName());
        m.put("prediction", s.prediction() == null ? null : s.prediction().name());
        return m;
    }

    private static List<Object> specs(List<TensorSpec> specs) {
        List<Object> l = new ArrayList<>();
        for (TensorSpec t : specs) l.add(Map.of("name", t.name(), "integer", t.integer(), "shape", t.sampleShape()));
        return l;
    }

    private static byte[] safetensorsBytes(Map<String, Tensor> tensors) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("dlm-aot-", ".safetensors");
            Safetensors.write(tmp, tensors);
            return Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new DlmException("cannot write weights: " + e.getMessage());
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) {}
        }
    }

    /**
     * The .class files under {@code prefix} in the class-path entry (directory or jar) that
     * holds {@code anchor}: only that entry, so test classes of the same package stay out.
     */
    static void copyPackage(Class<?> anchor, String prefix, boolean subpackages, Map<String, byte[]> into) {
        Path root;
        try {
            root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException | SecurityException e) {
            throw new DlmException("cannot locate the classes of " + anchor.getPackageName() + " to copy into the jar: " + e);
        }
        try {
            if (Files.isDirectory(root)) {
                Path base = root.resolve(prefix);
                try (Stream<Path> s = subpackages ? Files.walk(base) : Files.list(base)) {
                    for (Path p : s.filter(f -> f.toString().endsWith(".class")).toList())
                        into.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            } else {
                try (JarFile jf = new JarFile(root.toFile())) {
                    for (JarEntry e : java.util.Collections.list(jf.entries())) {
                        String n = e.getName();
                        if (!n.startsWith(prefix) || !n.endsWith(".class")) continue;
                        if (!subpackages && n.indexOf('/', prefix.length()) >= 0) continue;
                        try (InputStream in = jf.getInputStream(e)) { into.put(n, in.readAllBytes()); }
                    }
                }
            }
        } catch (IOException e) {
            throw new DlmException("cannot copy " + prefix + " from " + root + ": " + e.getMessage());
        }
    }

    private static byte[] classBytes(Class<?> c, String resource) {
        try (InputStream in = c.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new DlmException("cannot find " + resource + " on the class path");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DlmException("cannot read " + resource + ": " + e.getMessage());
        }
    }

    /** A model name as a package segment: lower case, Java identifier characters. */
    static String packageSegment(String name) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toLowerCase(java.util.Locale.ROOT).toCharArray()) b.append(Character.isJavaIdentifierPart(c) && c < 128 ? c : '_');
        String s = b.toString();
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0)) || javax.lang.model.SourceVersion.isKeyword(s)) s = "m_" + s;
        return s;
    }

    /** A model name as a class name: {@code lenet5} to {@code Lenet5}, {@code tiny_mlp} to {@code TinyMlp}. */
    static String className(String name) {
        StringBuilder b = new StringBuilder();
        boolean up = true;
        for (char c : name.toCharArray()) {
            if (!(Character.isJavaIdentifierPart(c) && c < 128) || c == '_' || c == '$') { up = true; continue; }
            b.append(up ? Character.toUpperCase(c) : c);
            up = false;
        }
        String s = b.toString();
        if (s.isEmpty() || !Character.isJavaIdentifierStart(s.charAt(0))) s = "Model" + s;
        return s;
    }

    static String describe(int[] a) { return Arrays.toString(a); }
}
