package dlm.cli;

import dlm.runtime.CompiledModel;
import dlm.runtime.Tensor;
import dlm.runtime.io.Safetensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "grad", mixinStandardHelpOptions = true,
        description = "Compute the loss and the gradient of every trainable parameter, in training mode, without updating anything; "
                + "write them as safetensors (the loss as 'loss', gradients under the parameters' names).")
final class GradCommand implements Callable<Integer> {
    @Mixin ModelOptions model;
    @Option(names = "--weights", required = true, paramLabel = "W.safetensors") Path weights;
    @Option(names = "--input", required = true, paramLabel = "NAME=X.npy") List<String> inputs;
    @Option(names = "--target", required = true, paramLabel = "NAME=Y.npy") List<String> targets;
    @Option(names = "--out", required = true, paramLabel = "G.safetensors") Path out;

    @Override public Integer call() {
        Map<String, Tensor> x = NamedFiles.read(inputs, "--input");
        Map<String, Tensor> y = NamedFiles.read(targets, "--target");
        try (CompiledModel m = model.build()) {
            WeightsFile.load(m, weights, true, false);
            Map<String, Tensor> g = m.gradients(x, y);
            Safetensors.write(out, g);
            System.out.printf("loss %.6f; wrote %d gradients to %s%n", g.get("loss").item(), g.size() - 1, out);
        }
        return 0;
    }
}
