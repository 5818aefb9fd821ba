package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Graph;
import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Whole models trained for several steps on the JVM backend and on the interpreter. */
class ModelTest {
    static final double RTOL = 2e-4, ATOL = 2e-5;

    private static void trainBoth(Graph source, int batch, int steps, int[] xShape) {
        SplittableRandom r = new SplittableRandom(42);
        TestModels.Reference ref = new TestModels.Reference(source, 7);
        try (JvmModel jvm = TestModels.jvm(source, 7)) {
            for (int s = 0; s < steps; s++) {
                Map<String, Tensor> x = Map.of("x", TestModels.random(r, xShape));
                Map<String, Tensor> y = Map.of("y", TestModels.classes(r, 5, batch));
                Map<String, Tensor> feeds = new HashMap<>(x);
                feeds.putAll(y);
                Map<String, double[]> want = ref.trainStep(batch, feeds);
                Map<String, Tensor> got = jvm.trainStep(x, y);
                Differential.assertClose("step " + s + " loss", want.get(Graph.LOSS), got.get(Graph.LOSS).data(), RTOL, ATOL);
                Differential.assertClose("step " + s + " logits", want.get("logits"), got.get("logits").data(), RTOL, ATOL);
            }
            Map<String, Tensor> dict = jvm.stateDict();
            assertTrue(dict.containsKey("fc.weight") || dict.containsKey("fc1.weight"));
            for (var e : dict.entrySet())
                Differential.assertClose("state " + e.getKey(), ref.state.get(e.getKey()), e.getValue().data(), RTOL, ATOL);

            Map<String, Tensor> x = Map.of("x", TestModels.random(r, xShape));
            Map<String, Tensor> y = Map.of("y", TestModels.classes(r, 5, batch));
            Map<String, Tensor> feeds = new HashMap<>(x);
            feeds.putAll(y);
            Differential.assertClose("predict", ref.predict(batch, feeds).get("logits"), jvm.predict(x).get("logits").data(), RTOL, ATOL);
            Map<String, double[]> wantGrads = ref.gradients(batch, feeds);
            Map<String, Tensor> grads = jvm.gradients(x, y);
            for (var e : grads.entrySet())
                Differential.assertClose("gradient " + e.getKey(), wantGrads.get(e.getKey().equals(Graph.LOSS) ? Graph.LOSS : "grad:" + e.getKey()),
                        e.getValue().data(), RTOL, ATOL);
            assertEquals(dict.keySet().stream().filter(k -> !k.contains("running")).count() + 1, grads.size());
        }
    }

    @Test void mlpWithAdam() { trainBoth(TestModels.mlp(TestModels.ADAM, 0), 6, 5, new int[]{6, 13}); }

    @Test void mlpWithSgdMomentum() { trainBoth(TestModels.mlp(TestModels.SGD, 0), 7, 5, new int[]{7, 13}); }

    /** Masks come from the interpreter's stream (SplittableRandom(seed++) per step), so even dropout agrees. */
    @Test void mlpWithDropout() { trainBoth(TestModels.mlp(TestModels.ADAM, 0.4), 6, 4, new int[]{6, 13}); }

    @Test void convNetWithBatchNorm() { trainBoth(TestModels.convNet(TestModels.ADAM), 3, 4, new int[]{3, 3, 9, 9}); }

    @Test void convNetWithSgd() { trainBoth(TestModels.convNet(TestModels.SGD), 2, 3, new int[]{2, 3, 9, 9}); }

    @Test void batchSizesCompileSeparatelyAndShareTheState() {
        SplittableRandom r = new SplittableRandom(3);
        try (JvmModel jvm = TestModels.jvm(TestModels.mlp(TestModels.ADAM, 0), 1)) {
            Tensor x1 = TestModels.random(r, 1, 13), x4 = TestModels.random(r, 4, 13);
            float before = jvm.predict(Map.of("x", x1)).get("logits").data()[0];
            jvm.trainStep(Map.of("x", x4), Map.of("y", TestModels.classes(r, 5, 4)));
            float after = jvm.predict(Map.of("x", x1)).get("logits").data()[0];
            assertNotEquals(before, after, "a training step at batch 4 changes what batch 1 predicts");
            assertTrue(jvm.compiled("infer", 1) != jvm.compiled("infer", 4));
        }
    }

    @Test void errorsMirrorTheInterpretedModel() {
        try (JvmModel jvm = TestModels.jvm(TestModels.mlp(TestModels.ADAM, 0), 1)) {
            var e = assertThrows(DlmException.class, () -> jvm.predict(Map.of("x", Tensor.zeros(2, 12))));
            assertEquals("mlp: input 'x' expects [batch, 13], got [2, 12]", e.getMessage());
            e = assertThrows(DlmException.class, () -> jvm.predict(Map.of("x", Tensor.zeros(2, 13), "z", Tensor.zeros(2))));
            assertTrue(e.getMessage().contains("unknown input 'z'"), e.getMessage());
            e = assertThrows(DlmException.class, () -> jvm.trainStep(Map.of("x", Tensor.zeros(2, 13)), Map.of("y", Tensor.zeros(3))));
            assertEquals("mlp: inputs have batch size 2 but targets 3", e.getMessage());
            e = assertThrows(DlmException.class, () -> jvm.loadStateDict(Map.of("fc1.weight", Tensor.zeros(2)), true));
            assertTrue(e.getMessage().contains("fc1.weight: expected [21, 13], got [2]"), e.getMessage());
            var report = jvm.loadStateDict(Map.of("fc1.bias", Tensor.of(new float[21], 21)), false);
            assertEquals(1, report.loaded().size());
            assertEquals(0f, jvm.stateDict().get("fc1.bias").data()[3]);
        }
    }
}
