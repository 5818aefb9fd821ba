package dlm.runtime.train;

import dlm.runtime.DlmException;
import dlm.runtime.Prediction;
import dlm.runtime.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dlm.runtime.Prediction.*;
import static org.junit.jupiter.api.Assertions.*;

class MetricsTest {
    private static Tensor col(float... v) {
        return Tensor.of(v, v.length, 1);
    }

    private static double m(String name, Tensor p, Tensor y, Prediction k) {
        return Metrics.compute(name, p, y, k);
    }

    @Test
    void binaryAucCountsPairs() {
        // Positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 1 + 0 + 1 + 1 = 3 of 4.
        assertEquals(0.75, m("auc", col(0.1f, 0.4f, 0.35f, 0.8f), col(0, 0, 1, 1), PROBABILITY), 1e-12);
        // Positives 0.5, 0.9; negatives 0.5, 0.2: the tie counts one half: (0.5 + 1 + 1 + 1) / 4.
        assertEquals(0.875, m("auc", col(0.5f, 0.5f, 0.2f, 0.9f), col(1, 0, 0, 1), PROBABILITY), 1e-12);
        // Every score tied: one half.
        assertEquals(0.5, m("auc", col(3, 3, 3), col(1, 0, 1), LOGITS), 1e-12);
        // Only one class present: undefined.
        assertTrue(Double.isNaN(m("auc", col(0.2f, 0.3f), col(1, 1), PROBABILITY)));
    }

    @Test
    void binaryThresholds() {
        // predicted [1,1,0,0,1] vs [1,0,1,0,0]: tp 1, fp 2, fn 1, tn 1
        Tensor p = col(0.9f, 0.6f, 0.4f, 0.2f, 0.7f), y = col(1, 0, 1, 0, 0);
        Map<String, Double> r = Metrics.compute(List.of("accuracy", "precision", "recall", "f1"), p, y, PROBABILITY);
        assertEquals(0.4, r.get("accuracy"), 1e-12);
        assertEquals(1 / 3.0, r.get("precision"), 1e-12);
        assertEquals(0.5, r.get("recall"), 1e-12);
        assertEquals(0.4, r.get("f1"), 1e-12);
        assertEquals(List.of("accuracy", "precision", "recall", "f1"), List.copyOf(r.keySet()));
        // Logits are thresholded at 0, not 0.5.
        assertEquals(1.0, m("accuracy", col(0.1f, -0.1f), col(1, 0), LOGITS), 1e-12);
        assertEquals(0.5, m("accuracy", col(0.1f, -0.1f), col(1, 0), PROBABILITY), 1e-12);
        // No predicted positives: precision 0 (as Keras), not NaN.
        assertEquals(0.0, m("precision", col(0.1f, 0.2f), col(1, 0), PROBABILITY));
    }

    @Test
    void multiClassMacroAverages() {
        // argmax [0,1,2,2,1,0] vs truth [0,1,1,2,1,2]
        float[] logits = {
                5, 0, 0, 0, 5, 0, 0, 0, 5,
                0, 0, 5, 0, 5, 0, 5, 0, 0};
        Tensor p = Tensor.of(logits, 6, 3), y = Tensor.vector(0, 1, 1, 2, 1, 2);
        assertEquals(4 / 6.0, m("accuracy", p, y, CLASS_LOGITS), 1e-12);
        assertEquals((0.5 + 1 + 0.5) / 3, m("precision", p, y, CLASS_LOGITS), 1e-12);
        assertEquals((1 + 2 / 3.0 + 0.5) / 3, m("recall", p, y, CLASS_LOGITS), 1e-12);
        assertEquals((2 / 3.0 + 0.8 + 0.5) / 3, m("f1", p, y, CLASS_LOGITS), 1e-12);
        // One-hot targets give the same answer as ids.
        float[] onehot = new float[18];
        float[] ids = y.data();
        for (int i = 0; i < 6; i++) onehot[i * 3 + (int) ids[i]] = 1;
        assertEquals(4 / 6.0, m("accuracy", p, Tensor.of(onehot, 6, 3), CLASS_LOGITS), 1e-12);
        // Several probability columns are multi-class too.
        assertEquals(4 / 6.0, m("accuracy", p, y, PROBABILITY), 1e-12);
        assertThrows(DlmException.class, () -> m("accuracy", p, Tensor.vector(0, 1, 1, 2, 1, 3), CLASS_LOGITS));
    }

    @Test
    void oneVsRestAuc() {
        Tensor p = Tensor.of(new float[]{
                0.7f, 0.2f, 0.1f,
                0.2f, 0.5f, 0.3f,
                0.1f, 0.3f, 0.6f,
                0.5f, 0.3f, 0.2f}, 4, 3);
        Tensor y = Tensor.vector(0, 1, 2, 1);
        // class 0: 1; class 1: positives 0.5, 0.3 vs negatives 0.2, 0.3 -> 3.5/4; class 2: 1
        assertEquals((1 + 0.875 + 1) / 3, m("auc", p, y, PROBABILITY), 1e-12);
    }

    @Test
    void classLogitsAreScoredThroughSoftmax() {
        // Raw column 1 ranks the negative sample higher (5.5 > 1), its softmax ranks it lower (0.62 < 0.73).
        Tensor z = Tensor.of(new float[]{0, 1, 5, 5.5f}, 2, 2);
        assertEquals(1.0, m("auc", z, Tensor.vector(1, 0), CLASS_LOGITS), 1e-12);
    }

    @Test
    void unknownMetric() {
        assertTrue(assertThrows(DlmException.class, () -> m("mape", col(1), col(1), VALUE)).getMessage()
                .contains("unknown metric mape"));
    }
}
