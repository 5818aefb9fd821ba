package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dlm.frontend.Frontend;
import dlm.ir.Graph;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rough throughput of the examples on the JVM backend (not a JMH benchmark: many short
 * windows, min and median printed). Runs only with -Ddlm.bench=true.
 */
class ThroughputTest {
    @ParameterizedTest
    @CsvSource({"keras_mlp,256,train", "keras_mlp,1,predict", "keras_mlp,256,predict", "lenet5,128,train", "lenet5,1,predict", "lenet5,128,predict"})
    void measure(String name, int batch, String what) throws Exception {
        assumeTrue(Boolean.getBoolean("dlm.bench") && dlm.codegen.jvm.kernels.Simd.ENABLED, "set -Ddlm.bench=true to measure (Vector API on)");
        Graph source = Frontend.compile(Path.of("..", "examples", name + ".dlm")).models().getFirst();
        SplittableRandom r = new SplittableRandom(1);
        try (JvmModel m = new JvmModel(TestModels.signature(source), TestModels.graphs(source), 1)) {
            Map<String, Tensor> x = feeds(r, m.signature().inputs(), batch, 1), y = feeds(r, m.signature().targets(), batch, 10);
            Runnable step = what.equals("train") ? () -> m.trainStep(x, y) : () -> m.predict(x);
            int reps = Math.max(1, 4000 / batch);
            long[] windows = new long[9];
            for (int w = -3; w < windows.length; w++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) step.run();
                if (w >= 0) windows[w] = (System.nanoTime() - t0) / reps;
            }
            Arrays.sort(windows);
            System.out.printf("measured %s %s batch %d: min %.1f us, median %.1f us per call = %.0f samples/s (median)%n",
                    name, what, batch, windows[0] / 1e3, windows[windows.length / 2] / 1e3, batch * 1e9 / windows[windows.length / 2]);
        }
    }

    private static Map<String, Tensor> feeds(SplittableRandom r, java.util.List<TensorSpec> specs, int batch, int classes) {
        Map<String, Tensor> m = new HashMap<>();
        for (TensorSpec s : specs) {
            int[] shape = new int[s.sampleShape().length + 1];
            shape[0] = batch;
            System.arraycopy(s.sampleShape(), 0, shape, 1, shape.length - 1);
            Tensor t = Tensor.zeros(shape);
            for (int i = 0; i < t.numel(); i++) t.data()[i] = s.integer() ? r.nextInt(classes) : (float) r.nextDouble();
            m.put(s.name(), t);
        }
        return m;
    }
}
