package dlm.bench.compare;

import dlm.api.Backend;
import dlm.api.Dlm;
import dlm.runtime.CompiledModel;
import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import dlm.runtime.io.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * dlm timing windows on request, for {@code bench/paired.py}: the JVM side of the paired
 * comparison with PyTorch. Reads one command per line on stdin and answers each with one JSON
 * line on stdout, the protocol of {@code bench/peers/pytorch/windows.py}:
 *
 * <pre>
 *   &lt;workload&gt; &lt;metric&gt; &lt;seconds&gt;     workload: keras_mlp | lenet5, metric: train | b1
 *   quit
 * </pre>
 *
 * {@code train} runs training steps at the peer's batch (keras_mlp 256, lenet5 128) and answers
 * samples/s; {@code b1} runs batch-1 predictions and answers the median latency in
 * microseconds. Data as {@link ModelBench}'s (same seed). Usage: {@code Windows EXAMPLES_DIR}
 * with {@code -Ddlm.threads=N}.
 */
public final class Windows {
    private static final long SEED = 0; // ModelBench's default seed: the same weights and data

    private record Runner(CompiledModel model, int batch, Map<String, Tensor> x, Map<String, Tensor> y,
                          Map<String, Tensor> x1) {}

    public static void main(String[] args) throws Exception {
        Path examples = Path.of(args.length > 0 ? args[0] : "examples");
        Map<String, Runner> runners = new HashMap<>();
        System.out.println("{\"ready\": true, \"threads\": " + Integer.getInteger("dlm.threads",
                Runtime.getRuntime().availableProcessors()) + "}");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] p = line.trim().split("\\s+");
            if (p[0].isEmpty()) continue;
            if (p[0].equals("quit")) break;
            String problem = problem(p);
            if (problem != null) {
                // answered, not thrown: the caller reads one line per command
                System.out.println(Json.write(Map.of("error", problem)));
                continue;
            }
            Runner r = runners.get(p[0]);
            if (r == null) {
                r = runner(examples, p[0]);
                runners.put(p[0], r);
            }
            System.out.println(window(r, p[0], p[1], Double.parseDouble(p[2])));
        }
        for (Runner r : runners.values()) r.model().close();
    }

    /** What is wrong with a command, or null: three words, a known workload and metric, seconds > 0. */
    static String problem(String[] p) {
        if (p.length != 3) return "expected: <workload> <metric> <seconds>, got " + p.length + " words";
        if (!p[0].equals("keras_mlp") && !p[0].equals("lenet5")) return "unknown workload " + p[0] + " (keras_mlp, lenet5)";
        if (!p[1].equals("train") && !p[1].equals("b1")) return "unknown metric " + p[1] + " (train, b1)";
        try {
            double s = Double.parseDouble(p[2]);
            if (!(s > 0 && s <= 3600)) return "seconds must be in (0, 3600], got " + p[2];
        } catch (NumberFormatException e) {
            return "seconds must be a number, got " + p[2];
        }
        return null;
    }

    private static Runner runner(Path examples, String name) throws Exception {
        int batch = switch (name) {
            case "keras_mlp" -> 256;
            case "lenet5" -> 128;
            default -> throw new IllegalArgumentException("unknown workload " + name);
        };
        CompiledModel m = Dlm.compile(examples.resolve(name + ".dlm")).build(null, Backend.JVM, SEED);
        ModelSignature sig = m.signature();
        Random rnd = new Random(SEED);
        TensorSpec in = sig.inputs().get(0);
        Map<String, Tensor> x1 = Map.of(in.name(), ModelBench.randn(rnd, 1, in.sampleShape()));
        Map<String, Tensor> x = Map.of(in.name(), ModelBench.randn(rnd, batch, in.sampleShape()));
        return new Runner(m, batch, x, ModelBench.targets(sig, rnd, batch), x1);
    }

    private static String window(Runner r, String name, String metric, double seconds) {
        long limit = (long) (seconds * 1e9);
        switch (metric) {
            case "train" -> {
                int n = 0;
                long t0 = System.nanoTime(), dt;
                do {
                    r.model().trainStep(r.x(), r.y());
                    n++;
                    dt = System.nanoTime() - t0;
                } while (dt < limit);
                return json(name, metric, n * (double) r.batch() / (dt / 1e9), "samples/s", n);
            }
            case "b1" -> {
                long[] ts = new long[1 << 16];
                int n = 0;
                long end = System.nanoTime() + limit;
                while (true) {
                    long t0 = System.nanoTime();
                    r.model().predict(r.x1());
                    long t1 = System.nanoTime();
                    if (n == ts.length) ts = Arrays.copyOf(ts, 2 * n);
                    ts[n++] = t1 - t0;
                    if (t1 >= end) break;
                }
                Arrays.sort(ts, 0, n);
                double median = n % 2 == 1 ? ts[n / 2] : (ts[n / 2 - 1] + ts[n / 2]) / 2.0;
                return json(name, metric, median / 1e3, "us", n);
            }
            default -> throw new IllegalArgumentException("unknown metric " + metric);
        }
    }

    private static String json(String name, String metric, double value, String unit, int calls) {
        return String.format(Locale.ROOT, "{\"workload\": \"%s\", \"metric\": \"%s\", \"value\": %.4f, \"unit\": \"%s\", \"calls\": %d}",
                name, metric, value, unit, calls);
    }
}
