package dlm.runtime.train;

/**
 * The batch size for evaluating (predicting over) a whole dataset. Each distinct batch size
 * makes the compiled backends generate and warm up another graph, so a set of 10,000 samples
 * in batches of 256 pays for two graphs (256 and the remainder 16) while batches of 250 need
 * one. Throughput of lenet5 predict is flat from 128 to 2,000 samples per batch on the
 * 2-core machine measured, so a batch near the requested size that divides the set evenly is
 * as fast per sample and saves the second graph.
 */
public final class EvalBatch {
    private EvalBatch() {}

    /** Batches of at least this many samples per step when the caller trains with fewer. */
    public static final int MIN_EFFICIENT = 256;

    /** The evaluation batch for {@code n} samples when the model trains with {@code trainBatch}. */
    public static int forTraining(int n, int trainBatch) {
        return forSize(n, Math.max(trainBatch, MIN_EFFICIENT));
    }

    /**
     * At most {@code max}: the largest divisor of {@code n} in [max/2, max] when there is one
     * (a single graph), else the size of {@code ceil(n / max)} nearly equal batches (the
     * remainder batch as large as it can be).
     */
    public static int forSize(int n, int max) {
        if (max < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + max);
        if (n <= max) return Math.max(n, 1);
        for (int b = max; b >= (max + 1) / 2; b--)
            if (n % b == 0) return b;
        int batches = (n + max - 1) / max;
        return (n + batches - 1) / batches;
    }
}
