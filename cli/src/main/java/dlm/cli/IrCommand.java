package dlm.cli;

import dlm.api.Dlm;
import dlm.ir.Graph;
import dlm.ir.text.IrPrinter;
import dlm.passes.ChannelsLast;
import dlm.passes.Pipeline;
import dlm.passes.Pipelines;
import dlm.runtime.DlmException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "ir", mixinStandardHelpOptions = true,
        description = "Print a model's IR as written; with --grad the training graph (forward, backward, optimizer update) too.")
final class IrCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Option(names = "--model", paramLabel = "NAME") String model;
    @Option(names = "--grad", description = "also print the training graph") boolean grad;
    @Option(names = "--infer", description = "also print the inference graph") boolean infer;
    @Option(names = "--after-each", description = "print the IR after every pass") boolean afterEach;
    @Option(names = "--after", paramLabel = "PASS", description = "print the IR after this pass") String after;
    @Option(names = "--skip-pass", paramLabel = "PASS", description = "leave this pass out (repeatable)") List<String> skip;

    @Override public Integer call() {
        Graph g = Dlm.compile(file).model(model);
        System.out.print(IrPrinter.print(g));
        if (infer) show("inference", Pipelines.inference(), g);
        if (grad) {
            if (g.train().isEmpty()) throw new DlmException(g.name() + " has no train block: there is no training graph");
            show("training", Pipelines.training(g.train().get()), g);
        }
        return 0;
    }

    private void show(String what, Pipeline p, Graph g) {
        if (skip != null) {
            try {
                p = p.skip(skip.toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                throw new DlmException(e.getMessage());
            }
        }
        if (after != null && !p.names().contains(after))
            throw new DlmException("no pass named '" + after + "'; the " + what + " passes are " + p.names());
        Map<String, String> trace = new java.util.LinkedHashMap<>();
        Graph[] layout = new Graph[1];
        p.collect(IrPrinter::print, trace).observe((name, graph) -> { if (name.equals("channels-last")) layout[0] = graph; }).run(g);
        String last = null;
        for (var e : trace.entrySet()) {
            // the layout pass says why it chose NHWC or NCHW for this graph
            String why = e.getKey().equals("channels-last") ? " (" + new ChannelsLast().decide(layout[0]).reason() + ")" : "";
            if (afterEach || e.getKey().equals(after)) System.out.printf("%n# %s graph after %s%s%n%s", what, e.getKey(), why, e.getValue());
            last = e.getValue();
        }
        if (!afterEach && after == null && last != null) System.out.printf("%n# %s graph%n%s", what, last);
    }
}
