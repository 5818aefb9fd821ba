package dlm.cli;

import dlm.api.Dlm;
import dlm.api.Program;
import dlm.api.Signatures;
import dlm.ir.Graph;
import dlm.runtime.ModelSignature;
import dlm.runtime.TensorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Parse and check .dlm files; print each model's inputs, outputs and trainable parameter count.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE") List<Path> files;

    @Override public Integer call() {
        for (Path f : files) {
            Program p = Dlm.compile(f);
            // a file of defs only checks, but say so rather than print nothing
            if (p.models().isEmpty()) System.out.printf("%s: no model in this file%n", f);
            for (Graph g : p.models()) {
                ModelSignature s = Signatures.of(g);
                System.out.printf("%s: model %s%n", f, g.name());
                System.out.printf("  inputs:  %s%n", specs(s.inputs()));
                System.out.printf("  outputs: %s%n", specs(s.outputs()));
                if (!s.targets().isEmpty()) System.out.printf("  targets: %s%n", specs(s.targets()));
                long all = g.weightCount();
                long trainable = g.trainableParams().stream().mapToLong(n -> n.out().shape().numel(1)).sum();
                // frozen layers (transfer learning) still count in the model's size; say how many train
                if (trainable == all) System.out.printf("  parameters: %,d%n", all);
                else System.out.printf("  parameters: %,d (%,d trainable)%n", all, trainable);
            }
        }
        return 0;
    }

    static String specs(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }
}
