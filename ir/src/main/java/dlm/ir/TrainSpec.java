package dlm.ir;

import java.util.List;

/**
 * What the train block says beyond the loss (which is the graph output {@link Graph#LOSS}):
 * optimizer, metrics, and which layers learn.
 */
public record TrainSpec(Optimizer optimizer, List<String> metrics, List<String> freeze, List<String> trainable,
                        String predictionOutput, String targetName, Prediction prediction) {
    public TrainSpec {
        metrics = List.copyOf(metrics);
        freeze = List.copyOf(freeze);
        trainable = List.copyOf(trainable);
    }

    /**
     * What the loss reads from {@code predictionOutput} (a model output, or null when the loss
     * reads an inner value): metrics threshold probabilities at 0.5, logits at 0, and take the
     * arg-max over classes.
     */
    public enum Prediction { PROBABILITY, LOGITS, CLASS_LOGITS, VALUE }

    public sealed interface Optimizer {}
    /** PyTorch's SGD: weight decay added to the gradient, momentum buffer without dampening. */
    public record Sgd(double lr, double momentum, double weightDecay) implements Optimizer {}
    /** PyTorch's Adam with Keras' learning-rate decay: lr / (1 + decay * step), step counted from 0. */
    public record Adam(double lr, double beta1, double beta2, double eps, double decay) implements Optimizer {}

    /** Whether the parameter (e.g. {@code head.weight}) of a layer is updated. */
    public boolean isTrainable(String paramName) {
        String layer = paramName.contains(".") ? paramName.substring(0, paramName.lastIndexOf('.')) : paramName;
        if (!trainable.isEmpty()) return trainable.stream().anyMatch(p -> matches(p, layer));
        return freeze.stream().noneMatch(p -> matches(p, layer));
    }

    /** {@code name} matches the layer and everything inside it; {@code prefix*} matches by prefix. */
    public static boolean matches(String pattern, String layer) {
        if (pattern.endsWith("*")) return layer.startsWith(pattern.substring(0, pattern.length() - 1));
        return layer.equals(pattern) || layer.startsWith(pattern + ".");
    }
}
