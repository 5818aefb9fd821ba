package example;

import dlm.api.BuildOptions;
import dlm.api.Dlm;
import dlm.runtime.CompiledModel;
import dlm.runtime.Dataset;
import dlm.runtime.io.Csv;
import dlm.runtime.train.FitOptions;
import dlm.runtime.train.History;
import dlm.runtime.train.Trainer;

import java.nio.file.Path;

/**
 * Embeds dlm in an application: compile examples/tumor.dlm at run time, train it on the
 * Wisconsin table, save the weights, then load them into a fresh model and screen a case.
 *
 * <pre>java --add-modules jdk.incubator.vector example.TumorScreening DLM_FOLDER OUT.safetensors</pre>
 */
public final class TumorScreening {
    public static void main(String[] args) {
        Path home = Path.of(args.length > 0 ? args[0] : ".");
        Path weights = Path.of(args.length > 1 ? args[1] : "tumor.safetensors");

        Csv.Table table = Csv.read(home.resolve("data/breast_cancer_wisconsin.csv"), "malignant", false);
        Dataset.Split split = table.toDataset("x", "malignant").split(0.2, 0);

        var program = Dlm.compile(home.resolve("examples/tumor.dlm"));
        History history;
        try (CompiledModel model = program.build(null, BuildOptions.defaults())) {
            history = Trainer.fit(model, split.train(), split.validation(),
                    FitOptions.defaults().withEpochs(40).withStandardize(true).withCheckpoint(weights));
        }
        var best = history.epochs().get(history.bestEpoch() - 1).values();
        System.out.printf("best epoch %d: validation accuracy %.3f, auc %.3f%n",
                history.bestEpoch(), best.get("val_accuracy"), best.get("val_auc"));

        // A second model (say, in another service) loads the saved weights and screens one case.
        try (CompiledModel model = program.build(null, BuildOptions.defaults())) {
            model.loadWeights(weights, true);
            float[] firstCase = history.standardizer().apply(split.validation()).input("x").slice(0, 1).data();
            float p = model.predict(firstCase)[0];
            System.out.printf("first validation case: p(malignant) = %.3f, label %s%n", p,
                    split.validation().target("malignant").data()[0] == 1 ? "malignant" : "benign");
        }
    }
}
