package dlm.runtime.train;

import dlm.runtime.DlmException;
import dlm.runtime.Prediction;
import dlm.runtime.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LossesTest {
    private static Tensor col(float... v) {
        return Tensor.of(v, v.length, 1);
    }

    @Test
    void binaryCrossEntropy() {
        // -(ln 0.8 + ln 0.7) / 2
        assertEquals(0.2899092476, Losses.binaryCrossEntropy(col(0.8f, 0.3f), col(1, 0)), 1e-7);
        // log(0) is clamped to -100, as in PyTorch, and 0 * clamp(log 0) contributes nothing.
        assertEquals(100, Losses.binaryCrossEntropy(col(0f), col(1)), 1e-9);
        assertEquals(0, Losses.binaryCrossEntropy(col(1f), col(1)), 1e-9);
        assertEquals(50, Losses.binaryCrossEntropy(col(0f, 1f), col(1, 1)), 1e-9);
    }

    @Test
    void binaryCrossEntropyWithLogitsIsStable() {
        assertEquals(Math.log(2), Losses.binaryCrossEntropyWithLogits(col(0), col(1)), 1e-9);
        assertEquals(100, Losses.binaryCrossEntropyWithLogits(col(100), col(0)), 1e-6);
        assertEquals(0, Losses.binaryCrossEntropyWithLogits(col(-100), col(0)), 1e-9);
        // Agrees with BCE of the sigmoid where both are accurate.
        float z = 0.7f;
        float p = (float) (1 / (1 + Math.exp(-z)));
        assertEquals(Losses.binaryCrossEntropy(col(p), col(0.3f)), Losses.binaryCrossEntropyWithLogits(col(z), col(0.3f)), 1e-6);
    }

    @Test
    void crossEntropyWithIdsAndProbabilities() {
        assertEquals(Math.log(2), Losses.crossEntropy(Tensor.of(new float[]{0, 0}, 1, 2), Tensor.vector(1)), 1e-9);
        // logsumexp(1,2,3) - 3
        assertEquals(0.4076059644, Losses.crossEntropy(Tensor.of(new float[]{1, 2, 3}, 1, 3), Tensor.vector(2)), 1e-7);
        // Mean over the batch: (ln 2 + 0.4076...) / 2, with [n, 1] ids.
        Tensor logits = Tensor.of(new float[]{0, 0, 0, 1, 2, 3}, 2, 3);
        double l0 = Math.log(1 + 1 + 1) - 0;
        assertEquals((l0 + 0.4076059644) / 2, Losses.crossEntropy(logits, Tensor.of(new float[]{0, 2}, 2, 1)), 1e-7);
        // Probability targets: ln 4 - 0.5 ln 3.
        assertEquals(0.8369882167, Losses.crossEntropy(Tensor.of(new float[]{0, (float) Math.log(3)}, 1, 2),
                Tensor.of(new float[]{0.5f, 0.5f}, 1, 2)), 1e-6);
        // Large logits do not overflow.
        assertEquals(0, Losses.crossEntropy(Tensor.of(new float[]{1000, 0}, 1, 2), Tensor.vector(0)), 1e-9);
        assertThrows(DlmException.class, () -> Losses.crossEntropy(logits, Tensor.vector(0, 3)));
    }

    @Test
    void mse() {
        assertEquals(2.5, Losses.mse(col(1, 2), col(0, 4)), 1e-12);
        assertEquals(2.5, Losses.mse(Tensor.vector(1, 2), col(0, 4)), 1e-12);
        assertThrows(DlmException.class, () -> Losses.mse(col(1, 2), col(1)));
    }

    @Test
    void byNameAndByPrediction() {
        assertEquals(Losses.BCE, Losses.forPrediction(Prediction.PROBABILITY));
        assertEquals(Losses.BCE_LOGITS, Losses.forPrediction(Prediction.LOGITS));
        assertEquals(Losses.CROSS_ENTROPY, Losses.forPrediction(Prediction.CLASS_LOGITS));
        assertEquals(Losses.MSE, Losses.forPrediction(Prediction.VALUE));
        assertEquals(2.5, Losses.compute("mse", col(1, 2), col(0, 4)), 1e-12);
        assertTrue(assertThrows(DlmException.class, () -> Losses.compute("hinge", col(1), col(1))).getMessage().contains("unknown loss hinge"));
    }
}
