package dlm.api;

import dlm.ir.Graph;
import dlm.passes.Pipeline;
import dlm.passes.Pipelines;
import dlm.runtime.DlmException;

import java.util.List;

/**
 * One model's graph as written, and the graphs derived from it for inference, for training
 * (forward, backward, optimizer update) and for gradients without an update. Derived lazily:
 * a model that only predicts never pays for autodiff.
 */
public final class ModeGraphs {
    private final Graph source;
    private final List<String> skipPasses;
    private Graph inference, training, gradients;

    public ModeGraphs(Graph source) { this(source, List.of()); }

    /** With passes left out by name (to bisect a miscompilation); a name no pipeline has is an error. */
    public ModeGraphs(Graph source, List<String> skipPasses) {
        this.source = source;
        this.skipPasses = List.copyOf(skipPasses);
        for (String p : skipPasses) {
            boolean known = Pipelines.inference().names().contains(p)
                    || (source.train().isPresent() && Pipelines.training(source.train().get()).names().contains(p));
            if (!known) throw new DlmException("no pass named '" + p + "'; passes: "
                    + (source.train().isPresent() ? Pipelines.training(source.train().get()).names() : Pipelines.inference().names()));
        }
    }

    public Graph source() { return source; }

    public boolean trainable() { return source.train().isPresent(); }

    public Graph inference() {
        if (inference == null) {
            // predicting needs no labels: drop the loss before the passes, so its nodes go too
            Graph forward = source.withTrain(source.train().orElse(null));
            forward.removeOutput(Graph.LOSS);
            inference = skipping(Pipelines.inference()).run(forward);
        }
        return inference;
    }

    public Graph training() {
        if (training == null) training = skipping(Pipelines.training(source.train().orElseThrow())).run(source);
        return training;
    }

    public Graph gradients() {
        if (gradients == null) gradients = skipping(Pipelines.gradients()).run(source);
        return gradients;
    }

    /** The graph that declares every piece of state (optimizer state included when trainable). */
    public Graph stateOwner() { return trainable() ? training() : inference(); }

    private Pipeline skipping(Pipeline p) {
        List<String> here = skipPasses.stream().filter(p.names()::contains).toList();
        return here.isEmpty() ? p : p.skip(here.toArray(String[]::new));
    }
}
