package dlm.bench;

import dlm.api.BuildOptions;
import dlm.api.Dlm;
import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a fresh JVM's training steps speed up: builds an example, trains it on random data and
 * prints the time of the first step and the mean step time over growing stretches (steps 2-5,
 * 6-10, ... up to the last), then the same for a second model built in the now warm JVM (whose
 * generated code starts cold again while dlm's kernels are compiled). This warm-up is what a
 * first training epoch carries on top of the steady speed.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *      dlm.bench.WarmUpCurve [examples-dir] [model] [batch] [steps]
 * </pre>
 * Defaults: examples, lenet5, 128, 938 (two epochs of Fashion-MNIST at batch 128).
 */
public final class WarmUpCurve {
    private static final int[] MARKS = {1, 5, 10, 20, 50, 100, 150, 200, 300, 469, 600, 938, 1500, 2000};

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "examples");
        String name = args.length > 1 ? args[1] : "lenet5";
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 938;
        for (String which : new String[] {"fresh JVM", "second model, warm JVM"}) {
            long b0 = System.nanoTime();
            try (CompiledModel m = Dlm.compile(dir.resolve(name + ".dlm")).build(null, BuildOptions.defaults())) {
                System.out.printf("%s, %s b%d: build %.0f ms%n", which, name, batch, (System.nanoTime() - b0) / 1e6);
                RandomBatch data = RandomBatch.of(m.signature(), batch, 0);
                Map<String, Tensor> x = data.inputs(), y = data.targets();
                curve(steps, () -> m.trainStep(x, y));
            }
        }
    }

    /** Runs {@code steps} steps, printing the elapsed time and the mean step of each stretch between marks. */
    private static void curve(int steps, Runnable step) {
        long t0 = System.nanoTime(), before = t0;
        int done = 0;
        for (int mark : MARKS) {
            if (mark > steps) break;
            for (; done < mark; done++) step.run();
            long now = System.nanoTime();
            int from = done == 1 ? 1 : previous(mark) + 1;
            System.out.printf("  steps %4d-%-4d  mean %8.2f ms   elapsed %7.0f ms%n",
                    from, mark, (now - before) / 1e6 / (mark - from + 1), (now - t0) / 1e6);
            before = now;
        }
    }

    private static int previous(int mark) {
        int prev = 0;
        for (int m : MARKS) if (m < mark) prev = m;
        return prev;
    }
}
