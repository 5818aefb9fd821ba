package dlm.api;

import dlm.ir.Graph;
import dlm.passes.Pipelines;

/**
 * One model's graph as written, and the graphs derived from it for inference, for training
 * (forward, backward, optimizer update) and for gradients without an update. Derived lazily:
 * a model that only predicts never pays for autodiff.
 */
public final class ModeGraphs {
    private final Graph source;
    private Graph inference, training, gradients;

    public ModeGraphs(Graph source) { this.source = source; }

    public Graph source() { return source; }

    public boolean trainable() { return source.train().isPresent(); }

    public Graph inference() {
        if (inference == null) {
            inference = Pipelines.inference().run(source);
            // predicting needs no labels: the loss is not an inference output
            inference.removeOutput(Graph.LOSS);
        }
        return inference;
    }

    public Graph training() {
        if (training == null) training = Pipelines.training(source.train().orElseThrow()).run(source);
        return training;
    }

    public Graph gradients() {
        if (gradients == null) gradients = Pipelines.gradients().run(source);
        return gradients;
    }

    /** The graph that declares every piece of state (optimizer state included when trainable). */
    public Graph stateOwner() { return trainable() ? training() : inference(); }
}
