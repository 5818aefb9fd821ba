package dlm.runtime.train;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * How to train. Build from {@link #defaults()} and the {@code with...} methods.
 *
 * @param epochs       passes over the training data
 * @param batchSize    samples per step; the last partial batch is kept (PyTorch's default)
 * @param shuffle      reshuffle the training order every epoch
 * @param seed         seed of the shuffling (SplittableRandom)
 * @param standardize  z-score float inputs with the training split's statistics
 * @param monitor      "val_loss", "val_accuracy", "loss", ...; null means val_loss when there is
 *                     validation data, else loss. Names ending in "loss" are minimized, others maximized
 * @param checkpoint   where to save the best weights (safetensors), or null
 * @param loss         loss for host-side evaluation; null means the one matching the signature's prediction
 * @param progress     where to print progress, or null for silence
 * @param interactive  redraw a progress line with '\r' during the epoch; null means only when
 *                     {@code progress} is System.out or System.err and a console is attached
 */
public record FitOptions(int epochs, int batchSize, boolean shuffle, long seed, boolean standardize,
                         String monitor, Path checkpoint, String loss, PrintStream progress, Boolean interactive) {
    public FitOptions {
        if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }

    public static FitOptions defaults() {
        return new FitOptions(10, 32, true, 0, false, null, null, null, null, null);
    }

    public FitOptions withEpochs(int v) {
        return new FitOptions(v, batchSize, shuffle, seed, standardize, monitor, checkpoint, loss, progress, interactive);
    }

    public FitOptions withBatchSize(int v) {
        return new FitOptions(epochs, v, shuffle, seed, standardize, monitor, checkpoint, loss, progress, interactive);
    }

    public FitOptions withShuffle(boolean v, long seed) {
        return new FitOptions(epochs, batchSize, v, seed, standardize, monitor, checkpoint, loss, progress, interactive);
    }

    public FitOptions withStandardize(boolean v) {
        return new FitOptions(epochs, batchSize, shuffle, seed, v, monitor, checkpoint, loss, progress, interactive);
    }

    public FitOptions withMonitor(String v) {
        return new FitOptions(epochs, batchSize, shuffle, seed, standardize, v, checkpoint, loss, progress, interactive);
    }

    public FitOptions withCheckpoint(Path v) {
        return new FitOptions(epochs, batchSize, shuffle, seed, standardize, monitor, v, loss, progress, interactive);
    }

    public FitOptions withLoss(String v) {
        return new FitOptions(epochs, batchSize, shuffle, seed, standardize, monitor, checkpoint, v, progress, interactive);
    }

    public FitOptions withProgress(PrintStream v) {
        return new FitOptions(epochs, batchSize, shuffle, seed, standardize, monitor, checkpoint, loss, v, interactive);
    }

    public FitOptions withInteractive(Boolean v) {
        return new FitOptions(epochs, batchSize, shuffle, seed, standardize, monitor, checkpoint, loss, progress, v);
    }
}
