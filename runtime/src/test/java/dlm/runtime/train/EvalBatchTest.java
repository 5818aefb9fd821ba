package dlm.runtime.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class EvalBatchTest {
    @Test
    void fashionMnistSizesSplitEvenly() {
        assertEquals(250, EvalBatch.forTraining(10_000, 128), "test set: 40 batches of 250, not 39 of 256 and one of 16");
        assertEquals(250, EvalBatch.forTraining(12_000, 128), "20% validation split");
        assertEquals(500, EvalBatch.forTraining(10_000, 500), "a training batch above 256 is kept when it divides");
    }

    @Test
    void smallSetsAreOneBatch() {
        assertEquals(100, EvalBatch.forTraining(100, 32));
        assertEquals(1, EvalBatch.forSize(1, 256));
        assertEquals(1, EvalBatch.forSize(0, 256), "an empty set still gets a legal batch size");
    }

    @Test
    void withoutADivisorTheRemainderBatchIsAsLargeAsPossible() {
        // 10,007 is prime: 40 batches of at most 256 samples -> 39 of 251 and one of 218.
        assertEquals(251, EvalBatch.forSize(10_007, 256));
    }

    @Test
    void neverAboveTheLimitAndAlwaysCoveringTheSetInAsFewBatchesAsTheLimitAllows() {
        for (int n = 1; n <= 3000; n += 7)
            for (int max : new int[]{1, 2, 3, 16, 100, 256, 1000}) {
                int b = EvalBatch.forSize(n, max);
                assertTrue(b >= 1 && b <= max, n + "/" + max + " -> " + b);
                int batches = (n + b - 1) / b, fewest = (n + max - 1) / max;
                // a divisor in [max/2, max] may need up to twice the fewest batches, never more
                assertTrue(batches <= 2 * fewest, n + "/" + max + " -> " + b + ": " + batches + " batches, fewest " + fewest);
                if (n % b != 0) assertEquals(fewest, batches, n + "/" + max + " -> " + b);
            }
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThrows(IllegalArgumentException.class, () -> EvalBatch.forSize(10, 0));
    }
}
