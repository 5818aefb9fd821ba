package dlm.bench;

import dlm.api.Dlm;
import dlm.api.BuildOptions;
import dlm.codegen.jvm.rt.Profiler;
import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Where a JVM-backend step spends its time: trains and predicts the examples on random data and
 * prints wall time per step (min and median) and, with {@code -Ddlm.profile=true}, the time per
 * generated kernel.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Ddlm.profile=true -cp bench/target/benchmarks.jar \
 *      dlm.bench.Profile [examples-dir] [steps] [only-this-model]
 * </pre>
 * {@code -Dtop=N} prints N kernels per model (default 25).
 */
public final class Profile {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "examples");
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        String only = args.length > 2 ? args[2] : "";
        Object[][] work = {{"keras_mlp", 256}, {"lenet5", 128}};
        for (Object[] w : work) {
            String name = (String) w[0];
            if (!only.isEmpty() && !only.contains(name)) continue;
            int batch = (Integer) w[1];
            try (CompiledModel m = Dlm.compile(dir.resolve(name + ".dlm")).build(null, BuildOptions.defaults())) {
                RandomBatch train = RandomBatch.of(m.signature(), batch, 0), one = RandomBatch.of(m.signature(), 1, 1);
                Map<String, Tensor> x = train.inputs(), y = train.targets(), x1 = one.inputs();
                time(name + " train b" + batch, steps, batch, () -> m.trainStep(x, y));
                time(name + " predict b1", steps * 20, 1, () -> m.predict(x1));
            }
        }
    }

    private static void time(String label, int steps, int batch, Runnable r) {
        for (int i = 0; i < steps / 2 + 5; i++) r.run();
        Profiler.reset();
        long[] t = new long[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        double med = t[steps / 2] / 1e3, min = t[0] / 1e3;
        System.out.printf("%s: min %.1f us, median %.1f us, %.0f samples/s (median)%n", label, min, med, batch / (med / 1e6));
        if (Profiler.ENABLED) {
            String b = label.substring(label.lastIndexOf(' ') + 1);
            Profiler.print(System.out, "Step_" + label.substring(0, label.indexOf(' ')) + "_" + b + "_", Integer.getInteger("top", 25));
        }
    }
}
