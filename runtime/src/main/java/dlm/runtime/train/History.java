package dlm.runtime.train;

import java.util.List;
import java.util.Map;

/**
 * What {@link Trainer#fit} observed.
 *
 * @param epochs        one entry per epoch
 * @param monitor       the monitored quantity (e.g. "val_loss")
 * @param bestEpoch     1-based epoch with the best monitored value, 0 if none
 * @param bestValue     that value (NaN if none)
 * @param standardizer  the statistics used when standardizing, else null
 */
public record History(List<Epoch> epochs, String monitor, int bestEpoch, double bestValue, Standardizer standardizer) {
    public History {
        epochs = List.copyOf(epochs);
    }

    /**
     * One epoch: {@code values} holds "loss" and each metric for the training data, and
     * "val_loss", "val_&lt;metric&gt;" for the validation data, in that order. {@code seconds}
     * is the epoch's wall time, {@code stepSeconds} the part of it spent inside the model's
     * training steps (the rest is batching, metrics, validation and checkpointing).
     */
    public record Epoch(int epoch, Map<String, Double> values, double seconds, double stepSeconds) {
        /** Share of the epoch spent outside the training steps, 0..1. */
        public double outsideStepShare() {
            return seconds > 0 ? Math.max(0, seconds - stepSeconds) / seconds : 0;
        }
    }

    /** One quantity over the epochs, e.g. {@code series("val_accuracy")}. */
    public double[] series(String key) {
        double[] out = new double[epochs.size()];
        for (int i = 0; i < out.length; i++) out[i] = epochs.get(i).values().getOrDefault(key, Double.NaN);
        return out;
    }

    public Epoch last() {
        return epochs.isEmpty() ? null : epochs.getLast();
    }
}
