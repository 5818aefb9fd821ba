package dlm.cli;

import dlm.api.Dlm;
import dlm.api.ModeGraphs;
import dlm.api.Signatures;
import dlm.codegen.jvm.JvmModel;
import dlm.codegen.jvm.aot.AotCompiler;
import dlm.ir.Graph;
import dlm.runtime.DlmException;
import dlm.runtime.ModelSignature;
import dlm.runtime.io.Safetensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Compile a model ahead of time to a self-contained jar: generated classes, the runtime they need and the weights.",
                "Run it with: java --add-modules jdk.incubator.vector -jar MODEL.jar predict|train|info ... (see docs/AOT.md)"})
final class CompileCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .dlm file") Path file;
    @Option(names = "--model", paramLabel = "NAME", description = "the model to compile when the file holds several") String model;
    @Option(names = "--weights", paramLabel = "W.safetensors", description = "weights to put in the jar (default: the initial weights from --seed)") Path weights;
    @Option(names = {"-o", "--output"}, required = true, paramLabel = "MODEL.jar") Path output;
    @Option(names = "--batch", defaultValue = "64", description = "batch size compiled for prediction besides 1 (default: ${DEFAULT-VALUE})") int batch;
    @Option(names = "--train-batch", defaultValue = "32", description = "batch size compiled for training; 0 leaves training out (default: ${DEFAULT-VALUE})") int trainBatch;
    @Option(names = "--class", paramLabel = "NAME", description = "fully qualified name of the typed class (default: dlm.models.<Model>)") String javaClass;
    @Option(names = "--seed", defaultValue = "0", description = "seed for the initial weights and dropout (default: ${DEFAULT-VALUE})") long seed;

    @Override public Integer call() {
        if (batch < 1) throw new DlmException("--batch must be at least 1");
        if (trainBatch < 0) throw new DlmException("--train-batch must be 0 or more");
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) throw new DlmException(output + ": directory " + parent + " does not exist");
        Graph g = Dlm.compile(file).model(model);
        ModeGraphs graphs = new ModeGraphs(g);
        ModelSignature sig = Signatures.of(g);
        var w = weights == null ? null : Safetensors.load(weights);
        AotCompiler.Result r = AotCompiler.compile(output, sig, new JvmModel.Graphs() {
            @Override public Graph inference() { return graphs.inference(); }
            @Override public Graph training() { return graphs.training(); }
            @Override public Graph gradients() { return graphs.gradients(); }
            @Override public Graph stateOwner() { return graphs.stateOwner(); }
        }, w, seed, new AotCompiler.Options(new int[]{batch}, graphs.trainable() ? trainBatch : 0, javaClass));
        long classes = r.entries().stream().filter(n -> n.endsWith(".class")).count();
        System.out.printf("wrote %s (%,d bytes, %d classes): model %s as %s, weights %s%n", r.jar(), r.bytes(), classes, sig.name(),
                r.javaClass(), weights == null ? "from seed " + seed : weights.toString());
        System.out.println("run: java --add-modules jdk.incubator.vector -jar " + r.jar() + " predict --input NAME=X.npy --out DIR");
        return 0;
    }
}
