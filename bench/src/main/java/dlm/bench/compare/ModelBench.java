package dlm.bench.compare;

import dlm.api.Backend;
import dlm.api.Dlm;
import dlm.api.Program;
import dlm.runtime.CompiledModel;
import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import dlm.runtime.io.IdxDataset;
import dlm.runtime.io.Json;
import dlm.runtime.train.FitOptions;
import dlm.runtime.train.History;
import dlm.runtime.train.Trainer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Model-level benchmarks of dlm on the JVM backend and on the reference interpreter, the
 * workloads that bench/peers/pytorch/bench.py measures for PyTorch (keras_mlp = its
 * {@code mlp64}, lenet5), plus ResNet-50 batch-1 latency and Fashion-MNIST training.
 * One JVM run produces every dlm number; results go to a JSON-lines file (one record per
 * metric) and a table on stdout. bench/compare.sh runs this and the PyTorch peer together.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Xss16m -cp bench/target/benchmarks.jar \
 *      dlm.bench.compare.ModelBench --examples examples --out models.jsonl [--fmnist]
 * </pre>
 *
 * Options: {@code --workloads keras_mlp,lenet5,resnet50} {@code --fmnist} (Fashion-MNIST,
 * 2 epochs; long) {@code --fmnist-dir DIR} {@code --epochs 2} {@code --threads N} (sets
 * {@code dlm.threads}, the JVM backend's kernel thread team; default: every core)
 * {@code --min-time 2 --repeats 5 --warmup 2 --warmup-max 20} (JVM backend: at least 2 s of
 * warm-up, longer than bench.py's 0.5 s, then 1 s windows while the rate still rises by more
 * than 3%, up to 20 s, so that the timed repeats see the code the JIT settles on; the warm-up
 * used is recorded per metric as {@code warmup_used_s}; the cold start is what the
 * Fashion-MNIST epoch times show) {@code --interp-min-time 1
 * --interp-repeats 3 --interp-budget 30} (interpreter, per metric) {@code --no-interp}
 * {@code --interp-resnet-timeout 180} {@code --seed 0} {@code --no-1thread} (skip the
 * batch-1 latency with one kernel thread, measured besides the default team).
 */
public final class ModelBench {

    /** A workload: a .dlm model and the batch sizes the peer uses for it. */
    private record Workload(String name, String file, String peerName, int trainBatch, int predictBatch,
                            boolean train, boolean batchedPredict) {}

    private static final List<Workload> WORKLOADS = List.of(
            new Workload("keras_mlp", "keras_mlp.dlm", "mlp64", 256, 256, true, true),
            new Workload("lenet5", "lenet5.dlm", "lenet5", 128, 128, true, true),
            new Workload("resnet50", "resnet50.dlm", null, 0, 0, false, false));

    private final Map<String, String> opts;
    private final Path out;
    private final List<Map<String, Object>> records = new ArrayList<>();
    private final PrintStream log = System.err;

    private ModelBench(Map<String, String> opts) {
        this.opts = opts;
        this.out = Path.of(opt("out", "models.jsonl"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        Set<String> flags = Set.of("fmnist", "no-interp", "no-1thread");
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) usage("unexpected argument " + args[i]);
            String k = args[i].substring(2);
            if (flags.contains(k)) o.put(k, "true");
            else if (i + 1 < args.length) o.put(k, args[++i]);
            else usage("--" + k + " needs a value");
        }
        if (o.containsKey("threads")) System.setProperty("dlm.threads", o.get("threads"));
        new ModelBench(o).run();
        // The interpreter's ResNet-50 call may still be running on a daemon thread after its
        // timeout; end the JVM rather than wait for it.
        System.exit(0);
    }

    private static void usage(String msg) {
        System.err.println("ModelBench: " + msg);
        System.err.println("usage: ModelBench --examples DIR --out FILE.jsonl [--workloads keras_mlp,lenet5,resnet50] [--fmnist] ...");
        System.exit(2);
    }

    private String opt(String k, String def) {
        return opts.getOrDefault(k, def);
    }

    private double dopt(String k, double def) {
        return Double.parseDouble(opt(k, Double.toString(def)));
    }

    private int iopt(String k, int def) {
        return Integer.parseInt(opt(k, Integer.toString(def)));
    }

    private void run() throws Exception {
        Path examples = Path.of(opt("examples", "examples"));
        long seed = Long.parseLong(opt("seed", "0"));
        int threads = Integer.getInteger("dlm.threads", Runtime.getRuntime().availableProcessors());
        boolean interp = !opts.containsKey("no-interp");
        double steadyMax = dopt("warmup-max", 20);
        Timing.Protocol jvmP = new Timing.Protocol(dopt("warmup", 2), 3, dopt("min-time", 2), iopt("repeats", 5), 0, steadyMax);
        Timing.Protocol latP = new Timing.Protocol(dopt("warmup", 2), 20, dopt("min-time", 2), iopt("repeats", 5), 0, steadyMax);
        Timing.Protocol intP = new Timing.Protocol(0, 1, dopt("interp-min-time", 1), iopt("interp-repeats", 3), dopt("interp-budget", 30));
        List<String> wanted = List.of(opt("workloads", "keras_mlp,lenet5,resnet50").split(","));

        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, "");
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("record", "env");
        env.put("date_utc", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        env.put("jvm_args", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        env.put("dlm_threads", threads);
        env.put("dlm_threads_note", "JVM backend kernel thread team (system property dlm.threads, default: available processors); the interpreter is single-threaded");
        env.put("available_processors", Runtime.getRuntime().availableProcessors());
        env.put("commit", opt("commit", null));
        env.put("seed", seed);
        env.put("protocol_jvm", jvmP.json());
        env.put("protocol_jvm_latency", latP.json());
        env.put("protocol_interp", intP.json());
        env.put("loadavg", loadavg());
        emit(env);
        log.printf("dlm ModelBench: threads=%d, out=%s%n", threads, out);

        Workload resnetInterp = null;
        for (Workload w : WORKLOADS) {
            if (!wanted.contains(w.name())) continue;
            Program program = Dlm.compile(examples.resolve(w.file()));
            for (Backend b : List.of(Backend.JVM, Backend.INTERP)) {
                if (b == Backend.INTERP && !interp) continue;
                if (b == Backend.INTERP && w.name().equals("resnet50")) {
                    resnetInterp = w; // last: it may not finish
                    continue;
                }
                Timing.Protocol tp = b == Backend.JVM ? jvmP : intP;
                Timing.Protocol lp = b == Backend.JVM ? latP : intP;
                benchModel(w, program, b, seed, tp, lp, threads);
            }
        }
        if (opts.containsKey("fmnist")) fmnist(examples, seed, threads);
        if (resnetInterp != null) resnetInterpreter(resnetInterp, examples, seed);
        printTable();
    }

    private void benchModel(Workload w, Program program, Backend b, long seed, Timing.Protocol tp,
                            Timing.Protocol lp, int threads) {
        String be = b.name().toLowerCase(Locale.ROOT);
        log.printf("== %s on %s%n", w.name(), be);
        long t0 = System.nanoTime();
        try (CompiledModel m = program.build(null, b, seed)) {
            double buildS = (System.nanoTime() - t0) / 1e9;
            ModelSignature sig = m.signature();
            Random rnd = new Random(seed);
            TensorSpec in = sig.inputs().get(0);
            Map<String, Tensor> x1 = Map.of(in.name(), randn(rnd, 1, in.sampleShape()));

            if (w.train()) {
                Map<String, Tensor> x = Map.of(in.name(), randn(rnd, w.trainBatch(), in.sampleShape()));
                Map<String, Tensor> y = targets(sig, rnd, w.trainBatch());
                float firstLoss = m.trainStep(x, y).get("loss").item();
                Map<String, Object> r = Timing.throughput(() -> m.trainStep(x, y), w.trainBatch(), tp);
                r.put("first_loss", (double) firstLoss);
                r.put("last_loss", (double) m.trainStep(x, y).get("loss").item());
                emit(metric(w, be, "train", w.trainBatch(), "samples/s", buildS, b == Backend.JVM ? threads : 1, tp, r));
            }
            if (w.batchedPredict()) {
                Map<String, Tensor> xb = Map.of(in.name(), randn(rnd, w.predictBatch(), in.sampleShape()));
                Map<String, Object> r = Timing.throughput(() -> m.predict(xb), w.predictBatch(), tp);
                emit(metric(w, be, "predict", w.predictBatch(), "samples/s", buildS, b == Backend.JVM ? threads : 1, tp, r));
            }
            Map<String, Object> r = Timing.latency(() -> m.predict(x1), lp);
            emit(metric(w, be, "predict_b1_latency", 1, "us", buildS, b == Backend.JVM ? threads : 1, lp, r));
        }
        // Batch 1 with a single kernel thread as well: on a busy 2-core machine the second
        // thread of the team may not be scheduled when a small GEMM waits for it.
        if (b == Backend.JVM && threads > 1 && !opts.containsKey("no-1thread")) {
            String saved = System.getProperty("dlm.threads");
            System.setProperty("dlm.threads", "1");
            long b0 = System.nanoTime();
            try (CompiledModel m = program.build(null, b, seed)) {
                double buildS = (System.nanoTime() - b0) / 1e9;
                TensorSpec in = m.signature().inputs().get(0);
                Map<String, Tensor> x1 = Map.of(in.name(), randn(new Random(seed), 1, in.sampleShape()));
                Map<String, Object> r = Timing.latency(() -> m.predict(x1), lp);
                emit(metric(w, be, "predict_b1_latency_1thread", 1, "us", buildS, 1, lp, r));
            } finally {
                if (saved == null) System.clearProperty("dlm.threads");
                else System.setProperty("dlm.threads", saved);
            }
        }
    }

    private Map<String, Object> metric(Workload w, String backend, String metric, int batch, String unit, double buildS,
                                       int threads, Timing.Protocol p, Map<String, Object> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("record", "metric");
        m.put("workload", w.name());
        m.put("peer_workload", w.peerName());
        m.put("backend", backend);
        m.put("metric", metric);
        m.put("batch", batch);
        m.put("unit", unit);
        m.put("threads", threads);
        m.put("build_s", buildS);
        m.put("protocol", p.json());
        m.put("t_end_utc", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("loadavg", loadavg());
        m.putAll(r);
        return m;
    }

    /** Lenet5 on Fashion-MNIST with Trainer.fit, as bench.py's fmnist: x/255, batch 128, shuffled, Adam 1e-3. */
    private void fmnist(Path examples, long seed, int threads) {
        Path dir = Path.of(opt("fmnist-dir", "/usr/share/datasets/fashion-mnist"));
        int epochs = iopt("epochs", 2);
        log.printf("== Fashion-MNIST lenet5, %d epochs, jvm%n", epochs);
        long t0 = System.nanoTime();
        IdxDataset data = IdxDataset.load(dir);
        double loadS = (System.nanoTime() - t0) / 1e9;
        Program program = Dlm.compile(examples.resolve("lenet5.dlm"));
        try (CompiledModel m = program.build(null, Backend.JVM, seed)) {
            List<Object> la0 = loadavg();
            Timing.Noise nz = Timing.Noise.start();
            History h = Trainer.fit(m, data.train("image", "label"), null,
                    FitOptions.defaults().withEpochs(epochs).withBatchSize(128).withShuffle(true, seed));
            double noise = nz.stop();
            long e0 = System.nanoTime();
            Map<String, Double> test = Trainer.evaluate(m, data.test("image", "label"), 1000);
            double evalS = (System.nanoTime() - e0) / 1e9;
            List<Object> eps = new ArrayList<>();
            for (History.Epoch e : h.epochs()) {
                Map<String, Object> em = new LinkedHashMap<>();
                em.put("epoch", e.epoch());
                em.put("train_wall_s", e.seconds());
                em.put("train_images_per_s", data.trainImages().dim(0) / e.seconds());
                em.put("mean_train_loss", e.values().get("loss"));
                em.put("train_accuracy", e.values().get("accuracy"));
                eps.add(em);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("record", "metric");
            r.put("workload", "fmnist");
            r.put("peer_workload", "lenet5-fashion-mnist-train");
            r.put("backend", "jvm");
            r.put("metric", "fit");
            r.put("batch", 128);
            r.put("threads", threads);
            r.put("optimizer", "Adam lr=1e-3 (lenet5.dlm)");
            r.put("dataset_dir", dir.toString());
            r.put("load_s", loadS);
            r.put("epochs", eps);
            r.put("epoch_s_note", "Trainer.fit epoch time: shuffled mini-batch steps plus training-set metrics; no validation");
            r.put("test_loss", test.get("loss"));
            r.put("test_accuracy", test.get("accuracy"));
            r.put("test_eval_s", evalS);
            r.put("foreign_cpu_frac", noise);
            r.put("loadavg_before_after", List.of(la0, loadavg()));
            emit(r);
        }
    }

    /** One interpreter call of ResNet-50 at batch 1, abandoned after the timeout. */
    private void resnetInterpreter(Workload w, Path examples, long seed) {
        int timeout = iopt("interp-resnet-timeout", 180);
        log.printf("== resnet50 on interp: one predict call, timeout %d s%n", timeout);
        Program program = Dlm.compile(examples.resolve(w.file()));
        Map<String, Object> r = new LinkedHashMap<>();
        CompletableFuture<double[]> f = new CompletableFuture<>();
        Thread t = new Thread(null, () -> {
            try {
                long b0 = System.nanoTime();
                CompiledModel m = program.build(null, Backend.INTERP, seed);
                double build = (System.nanoTime() - b0) / 1e9;
                TensorSpec in = m.signature().inputs().get(0);
                Map<String, Tensor> x1 = Map.of(in.name(), randn(new Random(seed), 1, in.sampleShape()));
                long c0 = System.nanoTime();
                m.predict(x1);
                f.complete(new double[]{build, (System.nanoTime() - c0) / 1e9});
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "resnet50-interp", 1L << 28);
        t.setDaemon(true);
        Timing.Noise nz = Timing.Noise.start();
        t.start();
        Map<String, Object> lat = new LinkedHashMap<>();
        try {
            double[] s = f.get(timeout, TimeUnit.SECONDS);
            r.put("build_s", s[0]);
            lat.put("calls", 1);
            double us = s[1] * 1e6;
            lat.put("median_us", Map.of("min", us, "median", us, "max", us, "n_repeats", 1));
        } catch (TimeoutException e) {
            lat.put("skipped", "one call did not finish within " + timeout + " s");
        } catch (Exception e) {
            lat.put("error", String.valueOf(e.getCause() != null ? e.getCause() : e));
        }
        lat.put("foreign_cpu_frac_per_repeat", List.of(nz.stop()));
        Map<String, Object> m = metric(w, "interp", "predict_b1_latency", 1, "us",
                r.containsKey("build_s") ? (double) r.get("build_s") : Double.NaN, 1,
                new Timing.Protocol(0, 0, 0, 1, timeout), lat);
        emit(m);
    }

    // ---- data ----

    static Tensor randn(Random rnd, int batch, int[] sample) {
        int n = batch;
        for (int d : sample) n *= d;
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        int[] shape = new int[sample.length + 1];
        shape[0] = batch;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return Tensor.of(a, shape);
    }

    /** Class ids for an integer target (classes = size of the prediction output), else 0/1 labels. */
    static Map<String, Tensor> targets(ModelSignature sig, Random rnd, int batch) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (TensorSpec s : sig.targets()) {
            if (s.integer()) {
                int classes = sig.output(sig.predictionOutput()).sampleSize();
                float[] a = new float[batch * s.sampleSize()];
                for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(classes);
                t.put(s.name(), Tensor.of(a, shape(batch, s.sampleShape())));
            } else {
                float[] a = new float[batch * s.sampleSize()];
                for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(2);
                t.put(s.name(), Tensor.of(a, shape(batch, s.sampleShape())));
            }
        }
        return t;
    }

    private static int[] shape(int batch, int[] sample) {
        int[] shape = new int[sample.length + 1];
        shape[0] = batch;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return shape;
    }

    // ---- output ----

    private void emit(Map<String, Object> record) {
        records.add(record);
        try {
            Files.writeString(out, Json.write(finite(record)) + "\n", StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if ("metric".equals(record.get("record"))) log.println("   " + line(record));
    }

    private static List<Object> loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return List.of(Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** JSON has no NaN or infinity: such numbers are written as null. */
    private static Object finite(Object v) {
        return switch (v) {
            case Double d when !Double.isFinite(d) -> null;
            case Float d when !Float.isFinite(d) -> null;
            case Map<?, ?> m -> {
                Map<Object, Object> c = new LinkedHashMap<>();
                m.forEach((k, x) -> c.put(k, finite(x)));
                yield c;
            }
            case List<?> l -> l.stream().map(ModelBench::finite).collect(java.util.stream.Collectors.toList());
            case null, default -> v;
        };
    }

    @SuppressWarnings("unchecked")
    private static String line(Map<String, Object> r) {
        String head = String.format(Locale.ROOT, "%-10s %-6s %-20s b%-4s", r.get("workload"), r.get("backend"), r.get("metric"), r.get("batch"));
        if (r.containsKey("median")) {
            return head + String.format(Locale.ROOT, " %12.1f %s  (min %.1f, max %.1f, %s repeats)", r.get("median"), r.get("unit"),
                    r.get("min"), r.get("max"), r.get("n_repeats"));
        }
        if (r.get("median_us") instanceof Map<?, ?> med) {
            Map<String, Object> p99 = (Map<String, Object>) r.get("p99_us");
            return head + String.format(Locale.ROOT, " median %.1f us (min %.1f, max %.1f)%s, %s repeats", med.get("median"), med.get("min"), med.get("max"),
                    p99 == null ? "" : String.format(Locale.ROOT, ", p99 %.1f us", p99.get("median")), med.get("n_repeats"));
        }
        if (r.containsKey("test_accuracy")) {
            StringBuilder sb = new StringBuilder(head);
            for (Object o : (List<Object>) r.get("epochs")) {
                Map<String, Object> e = (Map<String, Object>) o;
                sb.append(String.format(Locale.ROOT, " epoch %s: %.1f s;", e.get("epoch"), e.get("train_wall_s")));
            }
            return sb.append(String.format(Locale.ROOT, " test accuracy %.4f", r.get("test_accuracy"))).toString();
        }
        return head + " " + (r.containsKey("skipped") ? "skipped: " + r.get("skipped") : r.getOrDefault("error", "?"));
    }

    private void printTable() {
        System.out.println();
        System.out.println("dlm models (" + out + ")");
        for (Map<String, Object> r : records)
            if ("metric".equals(r.get("record"))) System.out.println(line(r));
    }
}
