package dlm.codegen.jvm.aot;

import dlm.runtime.DlmException;
import dlm.runtime.ModelSignature;
import dlm.runtime.TensorSpec;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * The typed Java class of an ahead-of-time model, e.g. {@code dlm.models.Lenet5}: one
 * {@code float[]} parameter per input (flat, row-major, the batch is the length divided by the
 * sample size), a {@code Result} record with one {@code float[][]} per output (a row per
 * sample), {@code predict(...)} returning it and one method per output. Written as Java source
 * (which the jar also carries, as documentation) and compiled with the JDK's compiler against
 * exactly the classes the jar carries.
 */
final class TypedClass {
    private TypedClass() {}

    private static final Set<String> RESERVED = Set.of("predict", "model", "close", "load", "getClass", "hashCode", "equals",
            "toString", "notify", "notifyAll", "wait", "clone", "finalize", "MODEL", "Result", "feeds_", "results_");

    static String source(String fqcn, String id, ModelSignature sig, int[] predictBatches, int trainBatch) {
        int dot = fqcn.lastIndexOf('.');
        String pkg = dot < 0 ? null : fqcn.substring(0, dot), simple = fqcn.substring(dot + 1);
        Set<String> used = new HashSet<>();
        Map<String, String> in = new LinkedHashMap<>(), out = new LinkedHashMap<>();
        for (TensorSpec s : sig.inputs()) in.put(s.name(), identifier(s.name(), used));
        for (TensorSpec s : sig.outputs()) out.put(s.name(), identifier(s.name(), used));
        String params = String.join(", ", in.values().stream().map(v -> "float[] " + v).toList());
        String args = String.join(", ", in.values());

        StringBuilder b = new StringBuilder();
        if (pkg != null) b.append("package ").append(pkg).append(";\n\n");
        b.append("import dlm.codegen.jvm.aot.runtime.AotModel;\n");
        b.append("import dlm.runtime.Tensor;\n");
        b.append("import java.nio.file.Path;\n");
        b.append("import java.util.LinkedHashMap;\n");
        b.append("import java.util.Map;\n\n");
        b.append("/**\n");
        b.append(" * The model {@code ").append(sig.name()).append("}, compiled ahead of time by {@code dlm compile}.\n");
        b.append(" *\n");
        b.append(" * <p>Inputs are flat row-major {@code float[]}s holding one or more samples (the batch size is\n");
        b.append(" * the length divided by the sample size); outputs are one {@code float[]} row per sample.\n");
        b.append(" * Prediction is compiled for batch sizes ").append(Arrays.toString(predictBatches))
                .append("; other sizes run as chunks of those.\n");
        b.append(" * Like every compiled model, an instance is for one thread at a time.\n");
        b.append(" * <ul>\n");
        for (TensorSpec s : sig.inputs())
            b.append(" *   <li>input {@code ").append(in.get(s.name())).append("}: ").append(shape(s)).append(s.integer() ? " (ids as exact floats)" : "").append("</li>\n");
        for (TensorSpec s : sig.outputs())
            b.append(" *   <li>output {@code ").append(out.get(s.name())).append("}: ").append(shape(s)).append("</li>\n");
        b.append(" * </ul>\n");
        b.append(" */\n");
        b.append("public final class ").append(simple).append(" implements AutoCloseable {\n");
        b.append("    /** The model's name in the jar. */\n");
        b.append("    public static final String MODEL = ").append(quote(id)).append(";\n\n");
        b.append("    /** The outputs of one prediction: one row per sample. */\n");
        b.append("    public record Result(").append(String.join(", ", out.values().stream().map(v -> "float[][] " + v).toList())).append(") {}\n\n");
        b.append("    private final AotModel model;\n\n");
        b.append("    /** Loads the model with the weights stored in the jar. */\n");
        b.append("    public ").append(simple).append("() {\n");
        b.append("        this.model = AotModel.load(").append(simple).append(".class.getClassLoader(), MODEL);\n");
        b.append("    }\n\n");
        b.append("    /** Loads the model, then the weights of a safetensors file (PyTorch names; every weight must be there). */\n");
        b.append("    public static ").append(simple).append(" load(Path weights) {\n");
        b.append("        ").append(simple).append(" m = new ").append(simple).append("();\n");
        b.append("        m.model.loadWeights(weights, true);\n");
        b.append("        return m;\n");
        b.append("    }\n\n");
        b.append("    /** Runs the model in inference mode. */\n");
        b.append("    public Result predict(").append(params).append(") {\n");
        b.append("        Map<String, Tensor> feeds_ = new LinkedHashMap<>();\n");
        for (TensorSpec s : sig.inputs())
            b.append("        feeds_.put(").append(quote(s.name())).append(", AotModel.batchOf(").append(quote(s.name())).append(", ")
                    .append(in.get(s.name())).append(intArgs(s.sampleShape())).append("));\n");
        b.append("        Map<String, Tensor> results_ = model.predict(feeds_);\n");
        b.append("        return new Result(").append(String.join(", ", sig.outputs().stream()
                .map(s -> "AotModel.rows(results_.get(" + quote(s.name()) + "))").toList())).append(");\n");
        b.append("    }\n");
        for (TensorSpec s : sig.outputs()) {
            b.append("\n    /** Output {@code ").append(s.name()).append("}, ").append(shape(s)).append(": one row per sample. */\n");
            b.append("    public float[][] ").append(out.get(s.name())).append("(").append(params).append(") {\n");
            b.append("        return predict(").append(args).append(").").append(out.get(s.name())).append("();\n");
            b.append("    }\n");
        }
        b.append("\n    /** The underlying model: predict and train with named tensors, weights in and out. */\n");
        b.append("    public AotModel model() { return model; }\n\n");
        b.append("    @Override public void close() { model.close(); }\n");
        b.append("}\n");
        return b.toString();
    }

    /**
     * Compiles the source with the JDK's compiler. The class path is a temporary directory
     * holding {@code classpath} (the jar's run-time classes), so the class can only refer to what
     * the jar will carry. Returns the class files by entry name.
     */
    static Map<String, byte[]> compile(String fqcn, String source, Map<String, byte[]> classpath) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new DlmException("dlm compile needs a JDK (its Java compiler writes the typed class), not a JRE");
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory("dlm-aot-");
            Path cp = tmp.resolve("cp"), src = tmp.resolve("src"), outDir = tmp.resolve("out");
            for (Map.Entry<String, byte[]> e : classpath.entrySet()) {
                Path f = cp.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.write(f, e.getValue());
            }
            Path file = src.resolve(fqcn.replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            Files.createDirectories(outDir);
            StringWriter err = new StringWriter();
            List<String> opts = List.of("-classpath", cp.toString(), "-d", outDir.toString(), "-proc:none", "-nowarn",
                    "--add-modules", "jdk.incubator.vector", "-XDsuppressNotes", file.toString());
            var task = javac.getTask(err, null, null, opts.subList(0, opts.size() - 1), null,
                    javac.getStandardFileManager(null, null, null).getJavaFileObjects(file));
            if (!task.call()) throw new DlmException("cannot compile the typed class " + fqcn + ": " + err.toString().lines().findFirst().orElse(""));
            Map<String, byte[]> classes = new LinkedHashMap<>();
            try (Stream<Path> s = Files.walk(outDir)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".class")).toList())
                    classes.put(outDir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
            return classes;
        } catch (IOException e) {
            throw new DlmException("cannot compile the typed class " + fqcn + ": " + e.getMessage());
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    /** A tensor name as a Java identifier, distinct from the others and from the class's own members. */
    static String identifier(String name, Set<String> used) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : name.toCharArray()) {
            if (Character.isJavaIdentifierPart(c) && c < 128 && c != '$' && !(c == '_' && b.length() > 0)) {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            } else up = b.length() > 0;
        }
        String s = b.isEmpty() ? "value" : b.toString();
        if (!Character.isJavaIdentifierStart(s.charAt(0))) s = "v" + s;
        if (SourceVersion.isKeyword(s) || RESERVED.contains(s)) s = s + "Value";
        String base = s;
        for (int k = 2; !used.add(s); k++) s = base + k;
        return s;
    }

    private static String shape(TensorSpec s) {
        List<String> d = new ArrayList<>();
        d.add("batch");
        for (int x : s.sampleShape()) d.add(Integer.toString(x));
        return "[" + String.join(", ", d) + "]";
    }

    private static String intArgs(int[] a) {
        StringBuilder b = new StringBuilder();
        for (int x : a) b.append(", ").append(x);
        return b.toString();
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 32 || c > 126) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
