package dlm.cli;

import dlm.api.Dlm;
import dlm.api.ModeGraphs;
import dlm.codegen.jvm.Explanation;
import dlm.codegen.jvm.JvmCompiler;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.passes.ChannelsLast;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = "Show how the JVM backend compiles a model: the kernels of the inference graph (batch 1) and of the "
                + "training graph, the ops in each, why each kernel ends where it does, and the arena size.")
final class ExplainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .dlm file") Path file;
    @Option(names = "--model", paramLabel = "NAME", description = "the model to use when the file holds several") String model;
    @Option(names = "--batch", paramLabel = "N", defaultValue = "32", description = "batch size of the training graph (default: ${DEFAULT-VALUE})") int batch;
    @Option(names = "--no-fuse", description = "as compiled with -Ddlm.fuse=false: one kernel per op") boolean noFuse;
    @Option(names = "--skip-pass", paramLabel = "PASS", description = "leave this optimization pass out (repeatable)") List<String> skip;

    @Override public Integer call() {
        Graph g = Dlm.compile(file).model(model);
        ModeGraphs graphs = new ModeGraphs(g, skip == null ? List.of() : skip);
        boolean fuse = !noFuse && !"false".equalsIgnoreCase(System.getProperty("dlm.fuse", "true"));
        // as a model compiles them: predictions and training steps write their updates in place
        print("inference", JvmCompiler.explain(graphs.inference(), 1, name -> !name.equals(Graph.LOSS) && !name.startsWith("grad:"), fuse, true));
        if (graphs.trainable()) {
            Graph t = graphs.training();
            System.out.println();
            print("training", JvmCompiler.explain(t, batch, name -> true, fuse, true));
            List<String> computed = new ArrayList<>(), frozen = new ArrayList<>();
            for (Node n : t.params()) {
                Op.Param p = (Op.Param) n.op();
                if (p.kind() != Op.ParamKind.WEIGHT) continue;
                (t.updates().containsKey(p.name()) ? computed : frozen).add(p.name());
            }
            System.out.println("gradients computed for: " + (computed.isEmpty() ? "(none)" : String.join(", ", computed)));
            if (!frozen.isEmpty()) System.out.println("frozen (no gradient kernels): " + frozen.size() + " weights, e.g. "
                    + String.join(", ", frozen.subList(0, Math.min(4, frozen.size()))));
        }
        boolean skipped = skip != null && skip.contains("channels-last");
        ChannelsLast layout = new ChannelsLast();
        System.out.println("# inference layout: " + (skipped ? "NCHW: the channels-last pass is skipped" : layout.decide(graphs.inference()).reason()));
        if (graphs.trainable())
            System.out.println("# training layout: " + (skipped ? "NCHW: the channels-last pass is skipped" : layout.decide(graphs.training()).reason()));
        return 0;
    }

    private static void print(String what, Explanation e) {
        System.out.printf("# %s graph of %s at batch %d: %d kernels (%d fused loops), arena %,d bytes (state %,d, work %,d)%s%n",
                what, e.graph(), e.batch(), e.kernelCount(), e.fusedCount(), e.arenaBytes(), e.stateBytes(),
                e.arenaBytes() - e.stateBytes(), e.fused() ? "" : ", fusion off");
        int i = 0;
        for (Explanation.Kernel k : e.kernels()) {
            System.out.printf("k%-4d %s%n", i++, k.ops().getFirst());
            for (String op : k.ops().subList(1, k.ops().size())) System.out.printf("      %s%n", op);
            for (String s : k.stores()) System.out.printf("      stores %s%n", s);
            if (k.split()) System.out.printf("      split over the kernel threads, a range of its outer axis each%n");
            System.out.printf("      | %s%n", k.boundary());
        }
        System.out.printf("# %s: %d kernels, arena %,d bytes%n", what, e.kernelCount(), e.arenaBytes());
    }
}
