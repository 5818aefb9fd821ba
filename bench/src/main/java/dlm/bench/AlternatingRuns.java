package dlm.bench;

import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * Two builds of one model timed in one JVM: two warm-up rounds, then {@code rounds} alternating
 * blocks of {@code steps} calls each, so that a change of load on the machine falls on both.
 * Prints one markdown row: median and min of each, and the second's median over the first's.
 */
final class AlternatingRuns {
    private AlternatingRuns() {}

    /** A model and the call to time: a training step or a prediction at a batch size. */
    record Workload(String name, int batch, boolean train, int steps) {
        void step(CompiledModel m, Map<String, Tensor> x, Map<String, Tensor> y) {
            if (train) m.trainStep(x, y);
            else m.predict(x);
        }
    }

    static void printRow(Workload w, CompiledModel first, CompiledModel second, Map<String, Tensor> x, Map<String, Tensor> y, int rounds) {
        CompiledModel[] models = {first, second};
        long[][] t = new long[2][rounds * w.steps()];
        for (int r = -2; r < rounds; r++)
            for (int k = 0; k < 2; k++)
                for (int i = 0; i < w.steps(); i++) {
                    long t0 = System.nanoTime();
                    w.step(models[k], x, y);
                    if (r >= 0) t[k][r * w.steps() + i] = System.nanoTime() - t0;
                }
        for (long[] a : t) Arrays.sort(a);
        double a = t[0][t[0].length / 2] / 1e6, b = t[1][t[1].length / 2] / 1e6;
        System.out.printf("| %s %s b%d | %.3f ms | %.3f ms | %.3f ms | %.3f ms | %.2fx | %d |%n", w.name(),
                w.train() ? "train step" : "predict", w.batch(), a, t[0][0] / 1e6, b, t[1][0] / 1e6, b / a, t[0].length);
    }
}
