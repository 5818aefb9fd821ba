package dlm.cli;

import dlm.runtime.CompiledModel;
import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.train.EvalBatch;
import dlm.runtime.train.FitOptions;
import dlm.runtime.train.History;
import dlm.runtime.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model on a CSV table or an IDX directory (MNIST layout).")
final class TrainCommand implements Callable<Integer> {
    @Mixin ModelOptions model;
    @Option(names = "--data", required = true, paramLabel = "CSV|DIR") Path data;
    @Option(names = "--target", paramLabel = "NAME", description = "CSV column holding the target (default: the train block's target name)") String target;
    @Option(names = "--no-header", description = "the CSV has no header; its last column is the target") boolean noHeader;
    @Option(names = "--epochs", defaultValue = "10") int epochs;
    @Option(names = "--batch", defaultValue = "32") int batch;
    @Option(names = "--val", paramLabel = "FRACTION", description = "share of the data held out for validation (default: 0.2 for CSV, 0 for IDX, whose test set is evaluated at the end)") Double val;
    @Option(names = "--standardize", description = "z-score the features with the training split's mean and standard deviation") boolean standardize;
    @Option(names = "--monitor", paramLabel = "METRIC", description = "metric that picks the best checkpoint, e.g. val_loss, val_accuracy") String monitor;
    @Option(names = "--save", paramLabel = "FILE.safetensors", description = "save the best weights here") Path save;
    @Option(names = "--init", paramLabel = "FILE.safetensors", description = "start from these weights") Path init;
    @Option(names = "--strict", defaultValue = "true", arity = "1", description = "with --init: every weight must be present (default: ${DEFAULT-VALUE}); false allows a partial load, e.g. for a new head") boolean strict;

    @Option(names = "--trainable", split = ",", paramLabel = "LAYER", description = "train only these layers (names or PREFIX*), replacing the train block's lists; 'all' unfreezes everything") List<String> trainable;
    @Option(names = "--freeze", split = ",", paramLabel = "LAYER", description = "freeze these layers, replacing the train block's lists") List<String> freeze;
    @Option(names = "--lr", paramLabel = "RATE", description = "learning rate, replacing the optimizer's") Double lr;

    private dlm.api.BuildOptions buildOptions() {
        if (trainable != null && freeze != null) throw new DlmException("give --trainable or --freeze, not both");
        dlm.api.BuildOptions o = dlm.api.BuildOptions.defaults();
        if (trainable != null) o = trainable.equals(List.of("all")) ? o.withTrainable() : o.withTrainable(trainable.toArray(String[]::new));
        if (freeze != null) o = o.withFreeze(freeze.toArray(String[]::new));
        if (lr != null) o = o.withLearningRate(lr);
        return o;
    }

    @Override public Integer call() {
        if (epochs < 1) throw new DlmException("--epochs must be at least 1");
        if (batch < 1) throw new DlmException("--batch must be at least 1");
        if (save != null && save.getParent() != null && !java.nio.file.Files.isDirectory(save.getParent()))
            throw new DlmException(save + ": directory " + save.getParent() + " does not exist");
        try (CompiledModel m = model.build(buildOptions())) {
            if (init != null) {
                var report = WeightsFile.load(m, init, strict, true);
                // a partial load (--strict false) says what it did load, not only what it left out
                System.out.println("init: " + (report.clean() ? "" : "loaded " + report.loaded().size() + " tensors; ") + report.describe());
            }
            TrainingData td = TrainingData.load(data, m.signature(), target, !noHeader);
            double fraction = val != null ? val : td.test() == null ? 0.2 : 0.0;
            if (fraction < 0 || fraction >= 1) throw new DlmException("--val must be in [0, 1), got " + fraction);
            Dataset train = td.train(), validation = null;
            if (fraction > 0) {
                Dataset.Split split = td.train().split(fraction, model.seed);
                train = split.train();
                validation = split.validation();
            }
            System.out.printf("%s on the %s backend: %d training samples%s%n", m.signature().name(), model.backend, train.size(),
                    validation == null ? "" : ", " + validation.size() + " for validation");
            FitOptions opts = FitOptions.defaults().withEpochs(epochs).withBatchSize(batch).withShuffle(true, model.seed)
                    .withStandardize(standardize).withMonitor(monitor).withCheckpoint(save).withProgress(System.out);
            History h = Trainer.fit(m, train, validation, opts);
            report(h);
            if (td.test() != null) {
                Dataset test = h.standardizer() == null ? td.test() : h.standardizer().apply(td.test());
                Map<String, Double> r = Trainer.evaluate(m, test, EvalBatch.forTraining(test.size(), batch));
                System.out.println("test: " + format(r));
            }
            if (save != null) System.out.println("saved best weights (epoch " + (h.bestEpoch()) + ") to " + save);
        }
        return 0;
    }

    static void report(History h) {
        System.out.printf("best %s %.4f at epoch %d%n", h.monitor(), h.bestValue(), h.bestEpoch());
        if (h.bestEpoch() < 1) return;
        Map<String, Double> best = h.epochs().get(h.bestEpoch() - 1).values();
        Map<String, Double> val = new java.util.LinkedHashMap<>();
        best.forEach((k, v) -> { if (k.startsWith("val_")) val.put(k.substring(4), v); });
        if (!val.isEmpty()) System.out.println("validation at epoch " + h.bestEpoch() + ": " + format(val));
    }

    static String format(Map<String, Double> r) {
        StringBuilder sb = new StringBuilder();
        r.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "  ").append(k).append(' ').append(String.format("%.4f", v)));
        return sb.toString();
    }
}
