package dlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dlm.api.Dlm;
import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.interp.Interpreter;
import dlm.passes.Pipeline;
import dlm.passes.Pipelines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * fold, simplify, cse and dce on the example models: every example still goes through every
 * pipeline and verifies, and on lenet5 and resnet_mini (no dropout) one training step gives the
 * same loss and the same new weights, optimizer state and running statistics with and without
 * them, with fewer nodes.
 */
class OptimizationPassesTest {
    static final String[] CLEANUP = {"fold", "simplify", "cse", "dce"};

    static List<Pipeline> pipelines(Graph g) {
        return g.train().isPresent()
                ? List.of(Pipelines.inference(), Pipelines.gradients(), Pipelines.training(g.train().get()))
                : List.of(Pipelines.inference());
    }

    @Test void everyExampleGoesThroughEveryPipelineAndNeverGrows() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(CliTest.root().resolve("examples"))) {
            files = s.filter(p -> p.toString().endsWith(".dlm")).sorted().toList();
        }
        assertTrue(files.size() >= 10, files.toString());
        for (Path f : files)
            for (Graph g : Dlm.compile(f).models())
                for (Pipeline p : pipelines(g)) {
                    // Pipeline.run verifies the graph after every pass
                    int with = p.run(g).size(), without = p.skip(CLEANUP).run(g).size();
                    assertTrue(with <= without, f.getFileName() + " " + p + ": " + without + " -> " + with);
                }
    }

    @Test void lenet5TrainingStepIsTheSameWithFewerNodes() { sameStep("lenet5"); }

    @Test void resnetMiniTrainingStepIsTheSameWithFewerNodes() { sameStep("resnet_mini"); }

    private static void sameStep(String example) {
        Graph g = Dlm.compile(Path.of(CliTest.example(example))).model(null);
        assertTrue(g.nodesOf(Op.Dropout.class).isEmpty(), "a dropout-free model: masks would differ by nothing but still");
        Pipeline p = Pipelines.training(g.train().orElseThrow());
        Graph with = p.run(g), without = p.skip(CLEANUP).run(g);
        System.out.printf("%s training graph: %d nodes without fold/simplify/cse/dce, %d with%n", example, without.size(), with.size());
        assertTrue(with.size() < without.size(), without.size() + " -> " + with.size());

        int batch = 2;
        SplittableRandom r = new SplittableRandom(42);
        Map<String, double[]> feeds = new HashMap<>();
        for (Node n : without.nodes()) {
            String name = switch (n.op()) {
                case Op.Input i -> i.name();
                case Op.Target t -> t.name();
                default -> null;
            };
            if (name == null) continue;
            double[] d = new double[(int) n.out().shape().numel(batch)];
            for (int i = 0; i < d.length; i++) d[i] = n.out().dtype() == DType.I32 ? r.nextInt(10) : r.nextDouble(-1, 1);
            feeds.put(name, d);
        }
        Map<String, double[]> s1 = Interpreter.initParams(without, 7), s2 = new HashMap<>();
        // non-zero optimizer state, so momentum terms matter too
        s1.replaceAll((k, v) -> { double[] c = v.clone(); for (int i = 0; i < c.length; i++) if (c[i] == 0) c[i] = r.nextDouble(0, 0.1); return c; });
        s1.forEach((k, v) -> s2.put(k, v.clone()));
        assertEquals(s1.keySet(), Interpreter.initParams(with, 7).keySet(), "the same state");
        Map<String, double[]> o1 = new Interpreter(without).run(batch, feeds, s1);
        Map<String, double[]> o2 = new Interpreter(with).run(batch, feeds, s2);
        assertEquals(o1.keySet(), o2.keySet());
        o1.forEach((k, v) -> same(example + " output " + k, v, o2.get(k)));
        s1.forEach((k, v) -> same(example + " state " + k, v, s2.get(k)));
        assertTrue(Double.isFinite(o1.get(Graph.LOSS)[0]) && o1.get(Graph.LOSS)[0] > 0, "a real loss");
    }

    /** Exactly equal: the passes remove work, they do not reorder arithmetic (0.0 == -0.0). */
    private static void same(String what, double[] a, double[] b) {
        assertEquals(a.length, b.length, what);
        for (int i = 0; i < a.length; i++)
            if (!(a[i] == b[i] || Double.isNaN(a[i]) && Double.isNaN(b[i]))) fail(what + "[" + i + "]: " + a[i] + " without, " + b[i] + " with");
    }
}
