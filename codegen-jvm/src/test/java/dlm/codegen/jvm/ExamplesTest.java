package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dlm.frontend.Frontend;
import dlm.ir.Graph;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The examples, compiled by the frontend, trained for two steps at batch 2 on the JVM backend
 * and on the interpreter: losses, outputs and every weight agree. Dropout included (inception):
 * the JVM backend draws the interpreter's masks.
 */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet_mini", "inception", "unet_small", "keras_mlp"})
    void trainsLikeTheInterpreter(String name) throws Exception {
        Path file = EXAMPLES.resolve(name + ".dlm");
        assumeTrue(Files.exists(file), file + " is not there");
        Graph source = Frontend.compile(file).models().getFirst();
        int batch = 2;
        SplittableRandom r = new SplittableRandom(5);
        TestModels.Reference ref = new TestModels.Reference(source, 11);
        try (JvmModel jvm = new JvmModel(TestModels.signature(source), TestModels.graphs(source), 11)) {
            for (int step = 0; step < 2; step++) {
                Map<String, Tensor> x = feeds(r, jvm.signature().inputs(), batch, source);
                Map<String, Tensor> y = feeds(r, jvm.signature().targets(), batch, source);
                Map<String, Tensor> all = new HashMap<>(x);
                all.putAll(y);
                Map<String, double[]> want = ref.trainStep(batch, all);
                Map<String, Tensor> got = jvm.trainStep(x, y);
                for (var e : got.entrySet())
                    Differential.assertClose(name + " step " + step + " " + e.getKey(), want.get(e.getKey()), e.getValue().data(), 1e-3, 1e-4);
            }
            for (var e : jvm.stateDict().entrySet())
                assertWeightsClose(name + " state " + e.getKey(), ref.state.get(e.getKey()), e.getValue().data());
        }
    }

    /**
     * Adam moves each weight by about lr * g / |g| whatever the size of g, so a weight whose
     * gradient is near zero can move by up to 2 lr per step on rounding noise alone (float
     * against double). Such weights are rare; a wrong kernel would move many. So: at least
     * 99.9% of the elements within the usual tolerance, and every element within 2 steps x 2 lr
     * (lr = 1e-3 in the examples).
     */
    static void assertWeightsClose(String what, double[] expected, float[] actual) {
        int off = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            if (d > 1e-4 + 1e-3 * Math.abs(expected[i])) off++;
            if (d > 4e-3) Differential.assertClose(what, new double[]{expected[i]}, new float[]{actual[i]}, 0, 4e-3);
        }
        if (off > expected.length / 1000)
            Differential.assertClose(what + " (" + off + " of " + expected.length + " elements off)", expected, actual, 1e-3, 1e-4);
    }

    /** Random inputs; class ids below the class count of the prediction; other targets in [0, 1). */
    private static Map<String, Tensor> feeds(SplittableRandom r, java.util.List<TensorSpec> specs, int batch, Graph source) {
        Map<String, Tensor> m = new HashMap<>();
        for (TensorSpec s : specs) {
            int[] shape = new int[s.sampleShape().length + 1];
            shape[0] = batch;
            System.arraycopy(s.sampleShape(), 0, shape, 1, shape.length - 1);
            Tensor t = Tensor.zeros(shape);
            int classes = source.outputs().get(source.train().orElseThrow().predictionOutput()).shape().dim(-1);
            for (int i = 0; i < t.numel(); i++)
                t.data()[i] = s.integer() ? r.nextInt(classes) : (float) r.nextDouble(specs.size() > 0 && !s.name().equals("image") ? 0 : -1, 1);
            m.put(s.name(), t);
        }
        return m;
    }
}
