package dlm.cli;

import dlm.runtime.DlmException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train examples/tumor.dlm on the bundled Wisconsin breast cancer table and print its metrics.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--backend", defaultValue = "jvm", description = "jvm or interp (default: ${DEFAULT-VALUE})") String backend;
    @Option(names = "--epochs", defaultValue = "60") int epochs;

    @Override public Integer call() {
        Path home = Path.of(System.getProperty("dlm.home", "."));
        Path model = home.resolve("examples/tumor.dlm"), data = home.resolve("data/breast_cancer_wisconsin.csv");
        if (!Files.exists(model) || !Files.exists(data))
            throw new DlmException("demo files not found under " + home.toAbsolutePath() + " (run it from the dlm folder)");
        System.out.println("Training " + home.relativize(model) + " on " + home.relativize(data)
                + " (569 tumors, 30 measurements each; 20% held out for validation)");
        return Main.run("train", model.toString(), "--data", data.toString(),
                "--target", "malignant", "--epochs", String.valueOf(epochs), "--batch", "32", "--val", "0.2",
                "--standardize", "--monitor", "val_loss", "--backend", backend, "--seed", "0");
    }
}
