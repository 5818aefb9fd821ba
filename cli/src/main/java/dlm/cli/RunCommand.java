package dlm.cli;

import dlm.runtime.CompiledModel;
import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import dlm.runtime.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run a model in inference mode; write each output as DIR/<output>.npy, or all of them into one FILE.npz.")
final class RunCommand implements Callable<Integer> {
    @Mixin ModelOptions model;
    @Option(names = "--weights", required = true, paramLabel = "W.safetensors") Path weights;
    @Option(names = "--input", required = true, paramLabel = "NAME=X.npy|X.npz") List<String> inputs;
    @Option(names = "--out", required = true, paramLabel = "DIR|FILE.npz") Path out;
    @Option(names = "--strict", defaultValue = "true", arity = "1", description = "every weight must be present and match (default: ${DEFAULT-VALUE})") boolean strict;

    @Override public Integer call() throws IOException {
        Map<String, Tensor> x = NamedFiles.read(inputs, "--input");
        try (CompiledModel m = model.build()) {
            WeightsFile.load(m, weights, strict, true);
            Map<String, Tensor> y = m.predict(x);
            if (out.toString().endsWith(".npz")) {
                dlm.runtime.io.Npz.write(out, y);
                System.out.println("wrote " + out + " " + y.keySet());
                return 0;
            }
            createDir(out);
            for (var e : y.entrySet()) {
                Path f = out.resolve(e.getKey() + ".npy");
                Npy.write(f, e.getValue());
                System.out.println("wrote " + f + " " + java.util.Arrays.toString(e.getValue().shape()));
            }
        }
        return 0;
    }

    static void createDir(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DlmException(dir + ": cannot create directory: " + e.getMessage());
        }
    }
}
