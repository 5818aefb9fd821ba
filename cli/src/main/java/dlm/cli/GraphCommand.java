package dlm.cli;

import dlm.api.Dlm;
import dlm.ir.Graph;
import dlm.passes.DotWriter;
import dlm.passes.Pipeline;
import dlm.passes.Pipelines;
import dlm.runtime.DlmException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "graph", mixinStandardHelpOptions = true,
        description = "Draw a model's graph as Graphviz DOT (as written, or with --grad the training graph, with --infer the inference graph); "
                + "also as SVG next to it when Graphviz's 'dot' is on the PATH.")
final class GraphCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE") Path file;
    @Option(names = "--model", paramLabel = "NAME") String model;
    @ArgGroup(exclusive = true) Mode mode;
    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT.dot") Path out;
    @Option(names = "--skip-pass", paramLabel = "PASS", description = "leave this pass out (repeatable)") List<String> skip;

    static final class Mode {
        @Option(names = "--grad", description = "the training graph: forward, backward and optimizer update") boolean grad;
        @Option(names = "--infer", description = "the inference graph") boolean infer;
    }

    @Override public Integer call() {
        Graph g = Dlm.compile(file).model(model);
        Pipeline p = null;
        if (mode != null && mode.grad) {
            if (g.train().isEmpty()) throw new DlmException(g.name() + " has no train block: there is no training graph");
            p = Pipelines.training(g.train().get());
        } else if (mode != null && mode.infer) {
            p = Pipelines.inference();
        }
        if (p != null) {
            try {
                if (skip != null) p = p.skip(skip.toArray(String[]::new));
            } catch (IllegalArgumentException e) {
                throw new DlmException(e.getMessage());
            }
            g = p.run(g);
        } else if (skip != null) {
            throw new DlmException("--skip-pass needs --grad or --infer: the graph as written runs no pass");
        }
        String dot = DotWriter.write(g, p == null ? n -> null : kernelsOf(g));
        try {
            Files.writeString(out, dot, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DlmException(out + ": cannot write: " + e.getMessage());
        }
        System.out.printf("wrote %s (%d nodes)%n", out, g.size());
        Path svg = svgPath(out);
        switch (svg(out, svg)) {
            case WROTE -> System.out.printf("wrote %s%n", svg);
            case NO_DOT -> System.out.println("no svg: Graphviz 'dot' is not on the PATH");
        }
        return 0;
    }

    /**
     * The JVM backend's kernels (batch 1) as DOT clusters: nodes fused into one loop are drawn
     * together. Library calls and single-op kernels stay unclustered.
     */
    static java.util.function.Function<dlm.ir.Node, String> kernelsOf(Graph g) {
        dlm.codegen.jvm.Explanation e = dlm.codegen.jvm.JvmCompiler.explain(g, 1);
        java.util.Map<Integer, String> kernelOfValue = new java.util.HashMap<>();
        java.util.regex.Pattern id = java.util.regex.Pattern.compile("^\\s*%(\\d+)\\b");
        for (int k = 0; k < e.kernels().size(); k++) {
            var ops = e.kernels().get(k).ops();
            if (ops.size() < 2) continue;
            for (String op : ops) {
                var m = id.matcher(op);
                if (m.find()) kernelOfValue.put(Integer.parseInt(m.group(1)), "k" + k);
            }
        }
        return n -> kernelOfValue.get(n.out().id());
    }

    enum Svg { WROTE, NO_DOT }

    static Path svgPath(Path dot) {
        String name = dot.getFileName().toString();
        String base = name.endsWith(".dot") || name.endsWith(".gv") ? name.substring(0, name.lastIndexOf('.')) : name;
        return dot.resolveSibling(base + ".svg");
    }

    /** Runs {@code dot -Tsvg} when it can be started; its failure is an error, its absence is not. */
    static Svg svg(Path dotFile, Path svgFile) {
        Process proc;
        try {
            proc = new ProcessBuilder("dot", "-Tsvg", "-o", svgFile.toString(), dotFile.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return Svg.NO_DOT;
        }
        try {
            String msg = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!proc.waitFor(10, TimeUnit.MINUTES)) {
                proc.destroyForcibly();
                throw new DlmException("dot did not finish drawing " + dotFile);
            }
            if (proc.exitValue() != 0) throw new DlmException("dot failed on " + dotFile + ": " + msg);
        } catch (IOException | InterruptedException e) {
            throw new DlmException("dot failed on " + dotFile + ": " + e.getMessage());
        }
        return Svg.WROTE;
    }
}
