package dlm.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.runtime.CompiledModel;
import dlm.runtime.Dataset;
import dlm.runtime.Tensor;
import dlm.runtime.train.FitOptions;
import dlm.runtime.train.History;
import dlm.runtime.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The small examples learn what their comments promise, on every backend. */
class LearningTest {
    static final Tensor INPUTS = Tensor.of(new float[]{0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);

    static Path example(String name) {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.exists(p.resolve("examples").resolve(name))) p = p.getParent();
        return p.resolve("examples").resolve(name);
    }

    static float[] learn(String file, float[] truth, Backend backend, int epochs) {
        try (CompiledModel m = Dlm.compile(example(file)).build(null, backend, 0)) {
            Dataset d = Dataset.of("x", INPUTS, "y", Tensor.of(truth, 4, 1));
            History h = Trainer.fit(m, d, null, FitOptions.defaults().withEpochs(epochs).withBatchSize(4));
            assertTrue(h.last().values().get("loss") < h.epochs().get(0).values().get("loss"), "the loss goes down");
            return m.predict(java.util.Map.of("x", INPUTS)).get("p").data().clone();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void xorLearnsXor(Backend backend) {
        float[] xor = {0, 1, 1, 0};
        float[] p = learn("xor.dlm", xor, backend, 300);
        for (int i = 0; i < 4; i++) assertEquals(xor[i], p[i] >= 0.5f ? 1 : 0, "xor sample " + i + ": p = " + p[i]);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void perceptronLearnsOr(Backend backend) {
        float[] or = {0, 1, 1, 1};
        float[] p = learn("perceptron.dlm", or, backend, 300);
        for (int i = 0; i < 4; i++) assertEquals(or[i], p[i] >= 0.5f ? 1 : 0, "or sample " + i + ": p = " + p[i]);
    }
}
