package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.text.IrPrinter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineTest {
    static final TrainSpec SPEC = new TrainSpec(new TrainSpec.Sgd(0.1, 0.9, 0), List.of(), List.of(), List.of(), null, null, TrainSpec.Prediction.VALUE);

    /** x [N, 3] * w -> dropout -> mse with y. */
    private static Graph model() {
        Graph g = new Graph("m");
        g.setTrain(SPEC);
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(3))));
        Value w = g.addLeaf(new Op.Param("s.weight", Op.ParamKind.WEIGHT, Op.Init.ONES, 0), Type.f32(3));
        Value h = g.add(new Op.Dropout(0.2), g.add(new Op.Binary(Op.BinaryFn.MUL), x, w));
        Value y = g.addLeaf(new Op.Target("y"), Type.f32(Shape.batched(List.of(3))));
        g.output(Graph.LOSS, g.add(new Op.Loss(Op.LossFn.MSE), h, y));
        return g;
    }

    @Test void pipelinesAreDeclaredInOrder() {
        assertEquals(List.of("lower", "autodiff", "optimizer", "channels-last", "fold", "simplify", "cse", "dce"), Pipelines.training(SPEC).names());
        assertEquals(List.of("lower", "autodiff", "channels-last", "fold", "simplify", "cse", "dce"), Pipelines.gradients().names());
        assertEquals(List.of("lower", "channels-last", "fold", "simplify", "cse", "dce"), Pipelines.inference().names());
    }

    @Test void observersSeeTheGraphAfterEveryPassAndTheInputIsUntouched() {
        Graph g = model();
        String before = IrPrinter.print(g);
        List<String> seen = new ArrayList<>();
        Graph out = Pipelines.training(SPEC).observe((name, graph) -> seen.add(name + ":" + graph.size())).run(g);
        assertEquals(before, IrPrinter.print(g));
        assertEquals(8, seen.size());
        assertTrue(seen.get(7).equals("dce:" + out.size()), seen.toString());
        Map<String, String> trace = Pipelines.training(SPEC).trace(g);
        assertEquals(Pipelines.training(SPEC).names(), List.copyOf(trace.keySet()));
        assertTrue(trace.get("autodiff").contains("output \"grad:s.weight\"") || trace.get("autodiff").contains("output grad:s.weight"),
                trace.get("autodiff"));
    }

    @Test void skippingTheOptimizerLeavesGradientsAndNoUpdates() {
        Graph g = Pipelines.training(SPEC).skip("optimizer").run(model());
        assertTrue(g.outputs().containsKey("grad:s.weight"));
        assertTrue(g.updates().isEmpty());
        assertEquals("[lower, autodiff, (optimizer), channels-last, fold, simplify, cse, dce]", Pipelines.training(SPEC).skip("optimizer").toString());
    }

    @Test void skippingAnUnknownPassIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Pipelines.training(SPEC).skip("fusion"));
    }

    @Test void inferenceLowersDropoutAway() {
        Graph g = Pipelines.inference().run(model());
        assertTrue(g.nodesOf(Op.DropoutMask.class).isEmpty());
        assertTrue(g.nodesOf(Op.Dropout.class).isEmpty());
        assertTrue(g.updates().isEmpty());
    }

    @Test void aPassThatBreaksAnInvariantIsNamed() {
        Pass broken = new Pass() {
            public String name() { return "broken"; }
            public Graph run(Graph g) {
                Graph out = GraphRewriter.copy(g);
                Value v = out.addLeaf(new Op.Fill(1), Type.f32(2));
                out.update("s.weight", v); // wrong type for the param
                return out;
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Pipeline.of(broken).run(model()));
        assertTrue(e.getMessage().contains("broken"), e.getMessage());
    }
}
