package dlm.codegen.jvm.aot.runtime;

import dlm.codegen.jvm.GeneratedStep;
import dlm.codegen.jvm.rt.RunContext;
import dlm.runtime.CompiledModel;
import dlm.runtime.DlmException;
import dlm.runtime.LoadReport;
import dlm.runtime.ModelSignature;
import dlm.runtime.Prediction;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import dlm.runtime.io.Json;
import dlm.runtime.io.Safetensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model compiled ahead of time, run from a jar: the generated step classes (named classes
 * {@code dlm/aot/<model>/Infer_b<N>} and {@code Train_b<N>}) are loaded by name, the arena layout
 * comes from {@code dlm/aot/<model>/model.json}, the weights from
 * {@code dlm/aot/<model>/weights.safetensors}. Depends only on dlm.runtime, the JVM backend's
 * run-time helpers and kernels, and {@link GeneratedStep}: this package is what an
 * ahead-of-time jar carries besides them.
 *
 * <p>Shapes, the batch size included, are constants of the generated code, so a model holds
 * one step per compiled batch size. {@link #predict} splits any batch into chunks of the
 * compiled sizes, largest first (with sizes 64 and 1, 150 samples run as 64 + 64 + 22 x 1).
 * {@link #trainStep} takes exactly the compiled training batch size; {@link #gradients} is not
 * compiled ahead of time. Thread-confined, like every {@link CompiledModel}.
 */
public final class AotModel implements CompiledModel {
    /** Where a model's resources live in the jar. */
    public static String resourceDir(String model) { return "dlm/aot/" + model + "/"; }

    /** The models a jar holds, one name a line. */
    public static final String INDEX = "dlm/aot/models.txt";

    /** An input, target or output in the arena: offset, element count, shape at the step's batch. */
    record Port(int offset, int size, int[] shape) {}

    /** One compiled graph: its step object and ports. */
    record Step(int batch, GeneratedStep step, int arenaSize, Map<String, Port> feeds, Map<String, Port> outputs) {}

    record Slot(int offset, int size, int[] shape, String kind) {}

    private final ModelSignature signature;
    private final Map<String, Slot> slots;
    private final List<Step> infer;   // largest batch first
    private final Step train;         // null when the model cannot train
    private final float[] arena;
    private final RunContext ctx;
    private long seed;
    private boolean closed;

    private AotModel(ModelSignature signature, Map<String, Slot> slots, List<Step> infer, Step train, int arenaSize, long seed) {
        this.signature = signature;
        this.slots = slots;
        this.infer = infer;
        this.train = train;
        this.arena = new float[arenaSize];
        this.seed = seed;
        this.ctx = new RunContext(Math.max(1, Integer.getInteger("dlm.threads", Runtime.getRuntime().availableProcessors())));
    }

    /** The models listed in the jar (or class path) of the given loader. */
    public static List<String> models(ClassLoader loader) {
        byte[] b = resource(loader, INDEX);
        if (b == null) throw new DlmException("no ahead-of-time model on the class path (" + INDEX + " is missing)");
        return new String(b, StandardCharsets.UTF_8).lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Loads a model with the weights stored next to it. */
    public static AotModel load(ClassLoader loader, String model) {
        String dir = resourceDir(model);
        byte[] json = resource(loader, dir + "model.json");
        if (json == null) throw new DlmException("no ahead-of-time model '" + model + "' on the class path (" + dir + "model.json is missing)");
        Map<String, Object> m = map(Json.parse(new String(json, StandardCharsets.UTF_8)));
        ModelSignature sig = signature(map(m.get("signature")));
        Map<String, Slot> slots = new LinkedHashMap<>();
        map(m.get("state")).forEach((name, v) -> {
            Map<String, Object> s = map(v);
            slots.put(name, new Slot(i(s.get("offset")), i(s.get("size")), ints(s.get("shape")), (String) s.get("kind")));
        });
        List<Step> infer = new ArrayList<>();
        Step train = null;
        int arenaSize = i(m.get("stateSize"));
        for (Object o : list(m.get("steps"))) {
            Map<String, Object> s = map(o);
            Step st = new Step(i(s.get("batch")), instantiate(loader, (String) s.get("class")), i(s.get("arenaSize")),
                    ports(s.get("feeds")), ports(s.get("outputs")));
            arenaSize = Math.max(arenaSize, st.arenaSize());
            if ("train".equals(s.get("mode"))) train = st;
            else infer.add(st);
        }
        infer.sort(Comparator.comparingInt(Step::batch).reversed());
        if (infer.isEmpty() || infer.getLast().batch() != 1) throw new DlmException(model + ": the jar has no batch-1 inference step");
        AotModel a = new AotModel(sig, slots, infer, train, arenaSize, ((Number) m.get("seed")).longValue());
        byte[] init = resource(loader, dir + "state-init.safetensors");
        if (init != null) a.loadSlots(safetensors(init, model + " initial state"));
        byte[] w = resource(loader, dir + "weights.safetensors");
        if (w == null) throw new DlmException(model + ": " + dir + "weights.safetensors is missing from the jar");
        a.loadStateDict(safetensors(w, model + " weights"), true);
        return a;
    }

    /** The compiled inference batch sizes, largest first. */
    public int[] predictBatchSizes() { return infer.stream().mapToInt(Step::batch).toArray(); }

    /** The compiled training batch size, or 0 when the model cannot train. */
    public int trainBatchSize() { return train == null ? 0 : train.batch(); }

    @Override public ModelSignature signature() { return signature; }

    @Override public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        check();
        int n = batchSize(signature.inputs(), inputs, "input");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec o : signature.outputs()) out.put(o.name(), Tensor.zeros(withBatch(n, o.sampleShape())));
        ctx.startRun();
        int from = 0;
        for (Step s : infer) {
            for (; n - from >= s.batch(); from += s.batch()) {
                for (Map.Entry<String, Port> f : s.feeds().entrySet()) feed(s, f.getKey(), f.getValue(), inputs, from);
                s.step().run(arena, ctx);
                for (Map.Entry<String, Tensor> e : out.entrySet()) {
                    Port p = s.outputs().get(e.getKey());
                    if (p != null) System.arraycopy(arena, p.offset(), e.getValue().data(), from * (p.size() / s.batch()), p.size());
                }
                s.step().commit(arena);
            }
        }
        out.keySet().removeIf(k -> !infer.getFirst().outputs().containsKey(k));
        return out;
    }

    @Override public Map<String, Tensor> trainStep(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        check();
        if (train == null) throw new DlmException(signature.name() + " has no train block: it cannot be trained");
        int b = batchSize(signature.inputs(), inputs, "input");
        int bt = batchSize(signature.targets(), targets, "target");
        if (b != bt) throw new DlmException(signature.name() + ": inputs have batch size " + b + " but targets " + bt);
        if (b != train.batch())
            throw new DlmException(signature.name() + ": this jar trains at batch size " + train.batch() + " only (dlm compile --train-batch), got " + b);
        ctx.startRun();
        for (Map.Entry<String, Port> f : train.feeds().entrySet()) {
            Tensor t = inputs.containsKey(f.getKey()) ? inputs.get(f.getKey()) : targets.get(f.getKey());
            if (t == null) throw new DlmException(signature.name() + ": missing '" + f.getKey() + "'");
            System.arraycopy(t.data(), 0, arena, f.getValue().offset(), f.getValue().size());
        }
        ctx.seed(seed++);
        train.step().run(arena, ctx);
        Map<String, Tensor> out = new LinkedHashMap<>();
        train.outputs().forEach((name, p) -> {
            if (!name.startsWith("grad:")) out.put(name, Tensor.of(Arrays.copyOfRange(arena, p.offset(), p.offset() + p.size()), p.shape()));
        });
        train.step().commit(arena);
        return out;
    }

    @Override public Map<String, Tensor> gradients(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        throw new DlmException(signature.name() + ": gradients are not compiled ahead of time; use the dlm library (JIT) for them");
    }

    @Override public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        slots.forEach((name, s) -> {
            if (!"STATE".equals(s.kind())) m.put(name, Tensor.of(Arrays.copyOfRange(arena, s.offset(), s.offset() + s.size()), s.shape()));
        });
        return m;
    }

    @Override public LoadReport loadStateDict(Map<String, Tensor> tensors, boolean strict) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        slots.forEach((name, s) -> { if (!"STATE".equals(s.kind())) shapes.put(name, s.shape()); });
        LoadReport r = LoadReport.compare(shapes, tensors).throwIfStrict(strict);
        for (String name : r.loaded()) {
            Slot s = slots.get(name);
            System.arraycopy(tensors.get(name).data(), 0, arena, s.offset(), s.size());
        }
        return r;
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        ctx.close();
    }

    // ------------------------------------------------------------------ helpers for typed classes

    /** A flat row-major array as a batch of samples of the given shape (batch = length / sample size). */
    public static Tensor batchOf(String name, float[] values, int... sampleShape) {
        int per = 1;
        for (int d : sampleShape) per *= d;
        if (values.length == 0 || values.length % per != 0)
            throw new DlmException("'" + name + "' takes samples of " + per + " values " + Arrays.toString(sampleShape) + ", got " + values.length);
        return Tensor.of(values, withBatch(values.length / per, sampleShape));
    }

    /** A batch as one row (copy) per sample. */
    public static float[][] rows(Tensor t) {
        int n = t.dim(0), per = t.sampleSize();
        float[][] r = new float[n][];
        for (int i = 0; i < n; i++) r[i] = Arrays.copyOfRange(t.data(), i * per, (i + 1) * per);
        return r;
    }

    // ------------------------------------------------------------------ internals

    private void check() {
        if (closed) throw new DlmException(signature.name() + ": the model is closed");
    }

    private void feed(Step s, String name, Port p, Map<String, Tensor> inputs, int fromRow) {
        Tensor t = inputs.get(name);
        if (t == null) throw new DlmException(signature.name() + ": missing '" + name + "'");
        int per = p.size() / s.batch();
        System.arraycopy(t.data(), fromRow * per, arena, p.offset(), p.size());
    }

    private int batchSize(List<TensorSpec> specs, Map<String, Tensor> given, String what) {
        int batch = -1;
        for (TensorSpec s : specs) {
            Tensor t = given.get(s.name());
            if (t == null) throw new DlmException(signature.name() + ": missing " + what + " '" + s.name() + "' " + Arrays.toString(s.sampleShape()));
            int[] want = s.sampleShape();
            if (t.rank() != want.length + 1 || !Arrays.equals(Arrays.copyOfRange(t.shape(), 1, t.rank()), want))
                throw new DlmException(signature.name() + ": " + what + " '" + s.name() + "' has shape " + Arrays.toString(t.shape())
                        + ", expected [batch, " + Arrays.toString(want).replaceAll("[\\[\\]]", "") + "]");
            if (batch >= 0 && t.dim(0) != batch)
                throw new DlmException(signature.name() + ": " + what + "s disagree on the batch size: " + batch + " and " + t.dim(0));
            batch = t.dim(0);
        }
        if (batch <= 0) throw new DlmException(signature.name() + ": empty batch");
        return batch;
    }

    private void loadSlots(Map<String, Tensor> values) {
        values.forEach((name, t) -> {
            Slot s = slots.get(name);
            if (s != null && t.numel() == s.size()) System.arraycopy(t.data(), 0, arena, s.offset(), s.size());
        });
    }

    private static int[] withBatch(int n, int[] sample) {
        int[] shape = new int[sample.length + 1];
        shape[0] = n;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }

    private static GeneratedStep instantiate(ClassLoader loader, String name) {
        try {
            return (GeneratedStep) Class.forName(name, true, loader).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new DlmException("cannot load the compiled step " + name + ": " + e);
        }
    }

    private static byte[] resource(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }

    /** Safetensors reads files; a resource goes through a temporary one. */
    private static Map<String, Tensor> safetensors(byte[] bytes, String what) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("dlm-aot-", ".safetensors");
            Files.write(tmp, bytes);
            return Safetensors.load(tmp);
        } catch (IOException e) {
            throw new DlmException("cannot read the " + what + ": " + e.getMessage());
        } finally {
            if (tmp != null) try { Files.deleteIfExists(tmp); } catch (IOException ignored) {}
        }
    }

    private static ModelSignature signature(Map<String, Object> s) {
        String pred = (String) s.get("prediction");
        return new ModelSignature((String) s.get("name"), specs(s.get("inputs")), specs(s.get("targets")), specs(s.get("outputs")),
                list(s.get("metrics")).stream().map(String.class::cast).toList(), (String) s.get("predictionOutput"),
                (String) s.get("targetName"), pred == null ? null : Prediction.valueOf(pred));
    }

    private static List<TensorSpec> specs(Object o) {
        List<TensorSpec> r = new ArrayList<>();
        for (Object e : list(o)) {
            Map<String, Object> m = map(e);
            r.add(new TensorSpec((String) m.get("name"), Boolean.TRUE.equals(m.get("integer")), ints(m.get("shape"))));
        }
        return r;
    }

    private static Map<String, Port> ports(Object o) {
        Map<String, Port> r = new LinkedHashMap<>();
        map(o).forEach((name, v) -> {
            Map<String, Object> p = map(v);
            r.put(name, new Port(i(p.get("offset")), i(p.get("size")), ints(p.get("shape"))));
        });
        return r;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) { return (Map<String, Object>) o; }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) { return o == null ? List.of() : (List<Object>) o; }

    private static int i(Object o) { return ((Number) o).intValue(); }

    private static int[] ints(Object o) { return list(o).stream().mapToInt(AotModel::i).toArray(); }
}
