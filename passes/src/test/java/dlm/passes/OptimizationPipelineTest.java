package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.text.IrParser;
import dlm.ir.text.IrPrinter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * fold, simplify, cse and dce in the real pipelines, on a model read from textual IR (a frozen
 * layer, batchnorm, dropout, cross-entropy): same outputs and updates with and without them,
 * fewer nodes with them, and each pass alone is safe on what autodiff and the optimizer emit.
 */
class OptimizationPipelineTest {
    static final String[] CLEANUP = {"fold", "simplify", "cse", "dce"};

    static Graph mlp(String optimizer) throws IOException {
        try (InputStream in = OptimizationPipelineTest.class.getResourceAsStream("mlp_train.ir")) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return IrParser.parse(optimizer == null ? text : text.replaceFirst("optimizer=adam\\([^)]*\\)", "optimizer=" + optimizer));
        }
    }

    static List<Pipeline> pipelines(Graph g) {
        return List.of(Pipelines.training(g.train().orElseThrow()), Pipelines.gradients(), Pipelines.inference());
    }

    @Test void sameResultsAndFewerNodesInEveryPipeline() throws IOException {
        for (String opt : new String[] {null, "sgd(lr=0.1, momentum=0.9, weight_decay=0.01)"}) {
            Graph g = mlp(opt);
            for (Pipeline p : pipelines(g)) {
                Graph without = p.skip(CLEANUP).run(g), with = p.run(g);
                // the lowered inference graph of this model has nothing to remove; the backward
                // graph and the optimizer step always do (a constant negated, repeated step counters)
                boolean backward = p.names().contains("autodiff");
                assertTrue(backward ? with.size() < without.size() : with.size() == without.size(),
                        p + ": " + without.size() + " -> " + with.size() + " nodes");
                SameResults.assertSame(without, with, 11);
            }
        }
    }

    @Test void eachPassAloneKeepsResults() throws IOException {
        Graph g = mlp(null);
        for (Pipeline p : pipelines(g)) {
            Graph base = p.skip(CLEANUP).run(g);
            for (Pass pass : List.of(new ConstantFolding(), new AlgebraicSimplification(), new CommonSubexpressionElimination(), new DeadCodeElimination()))
                SameResults.assertSame(base, pass.run(base), 12);
        }
    }

    @Test void nothingDeadAndNoDuplicateConstantsAreLeft() throws IOException {
        Graph g = mlp(null);
        Graph train = Pipelines.training(g.train().orElseThrow()).run(g);
        // dce ran last: a second run finds nothing, and one fill per (value, type) remains
        assertEquals(IrPrinter.print(train), IrPrinter.print(new DeadCodeElimination().run(train)));
        List<Node> fills = train.nodesOf(Op.Fill.class);
        assertEquals(fills.size(), fills.stream().map(n -> n.op() + " " + n.out().type()).distinct().count(), IrPrinter.print(train));
        // the frozen layer has no gradient and so no update
        assertTrue(!train.updates().containsKey("frozen.weight") && train.updates().containsKey("fc.weight"));
    }

    @Test void theCleanupPassesCanBeSkippedByName() throws IOException {
        Graph g = mlp(null);
        Pipeline p = Pipelines.training(g.train().orElseThrow());
        assertEquals(p.skip("fold", "simplify", "cse", "dce").run(g).size(), p.skip(CLEANUP).run(g).size());
        for (String name : CLEANUP) {
            Graph skipped = p.skip(name).run(g);
            SameResults.assertSame(p.run(g), skipped, 13);
        }
    }
}
