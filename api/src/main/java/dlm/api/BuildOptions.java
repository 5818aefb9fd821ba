package dlm.api;

import dlm.ir.TrainSpec;
import dlm.runtime.DlmException;

import java.util.List;

/**
 * How to build a model: backend, seed, and overrides of the train block for a stage of
 * transfer learning (train only a new head, then unfreeze everything at a lower rate).
 *
 * @param backend      where it runs
 * @param seed         weight initialization, dropout masks
 * @param trainable    when not null, replaces the train block's {@code trainable} list (empty: all layers) and clears {@code freeze}
 * @param freeze       when not null, replaces the train block's {@code freeze} list and clears {@code trainable}
 * @param learningRate when not null, replaces the optimizer's learning rate
 * @param skipPasses   passes left out by name (see {@code dlm.passes.Pipelines}), to bisect a miscompilation
 */
public record BuildOptions(Backend backend, long seed, List<String> trainable, List<String> freeze, Double learningRate,
                           List<String> skipPasses) {
    public BuildOptions {
        skipPasses = skipPasses == null ? List.of() : List.copyOf(skipPasses);
    }

    public static BuildOptions defaults() { return new BuildOptions(Backend.JVM, 0, null, null, null, List.of()); }

    public BuildOptions withBackend(Backend b) { return new BuildOptions(b, seed, trainable, freeze, learningRate, skipPasses); }
    public BuildOptions withSeed(long s) { return new BuildOptions(backend, s, trainable, freeze, learningRate, skipPasses); }
    public BuildOptions withTrainable(String... layers) { return new BuildOptions(backend, seed, List.of(layers), null, learningRate, skipPasses); }
    public BuildOptions withFreeze(String... layers) { return new BuildOptions(backend, seed, null, List.of(layers), learningRate, skipPasses); }
    public BuildOptions withLearningRate(double lr) { return new BuildOptions(backend, seed, trainable, freeze, lr, skipPasses); }
    public BuildOptions withSkipPasses(List<String> names) { return new BuildOptions(backend, seed, trainable, freeze, learningRate, names); }

    /** The train block with these overrides applied. */
    TrainSpec apply(TrainSpec t, String model) {
        if (trainable == null && freeze == null && learningRate == null) return t;
        if (t == null) throw new DlmException(model + " has no train block: trainable layers and learning rate do not apply");
        TrainSpec.Optimizer opt = t.optimizer();
        if (learningRate != null) {
            if (!(learningRate > 0)) throw new DlmException("learning rate must be positive, got " + learningRate);
            opt = switch (opt) {
                case TrainSpec.Sgd s -> new TrainSpec.Sgd(learningRate, s.momentum(), s.weightDecay());
                case TrainSpec.Adam a -> new TrainSpec.Adam(learningRate, a.beta1(), a.beta2(), a.eps(), a.decay());
            };
        }
        List<String> tr = trainable != null ? trainable : freeze != null ? List.of() : t.trainable();
        List<String> fr = freeze != null ? freeze : trainable != null ? List.of() : t.freeze();
        return new TrainSpec(opt, t.metrics(), fr, tr, t.predictionOutput(), t.targetName(), t.prediction());
    }
}
