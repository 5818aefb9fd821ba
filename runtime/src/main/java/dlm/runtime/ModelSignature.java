package dlm.runtime;

import java.util.List;

/**
 * What a compiled model takes and gives.
 *
 * @param name             the model's name in the .dlm file
 * @param inputs           one per {@code input} statement, in declaration order
 * @param targets          one per {@code target} in the train block (empty when the model cannot train)
 * @param outputs          one per {@code output}, in declaration order
 * @param metrics          Keras metric names from the train block ({@code accuracy, auc, ...})
 * @param predictionOutput the output the loss reads (what metrics are computed on); null if none
 * @param targetName       the target the loss compares against; null if none
 * @param prediction       how {@code predictionOutput} is to be interpreted
 */
public record ModelSignature(String name, List<TensorSpec> inputs, List<TensorSpec> targets,
                             List<TensorSpec> outputs, List<String> metrics, String predictionOutput,
                             String targetName, Prediction prediction) {
    public ModelSignature {
        inputs = List.copyOf(inputs);
        targets = List.copyOf(targets);
        outputs = List.copyOf(outputs);
        metrics = List.copyOf(metrics);
    }

    public TensorSpec input(String n) {
        return find(inputs, n);
    }

    public TensorSpec target(String n) {
        return find(targets, n);
    }

    public TensorSpec output(String n) {
        return find(outputs, n);
    }

    private static TensorSpec find(List<TensorSpec> specs, String n) {
        for (TensorSpec s : specs) if (s.name().equals(n)) return s;
        return null;
    }
}
