package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The backward sweep visits only what lies between a trainable parameter and the loss. */
class AutodiffPruningTest {
    /** x [N, 4] -> fc1 (5) -> relu -> fc2 (2) -> mse with y. */
    private static Graph mlp(String... frozen) {
        Graph g = new Graph("mlp");
        g.setTrain(new TrainSpec(new TrainSpec.Sgd(0.1, 0, 0), List.of(), List.of(frozen), List.of(), "p", "y", TrainSpec.Prediction.VALUE));
        Emit e = new Emit(g);
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(4))));
        Value h = e.unary(Op.UnaryFn.RELU, e.add(e.op(new Op.MatMul(false, true), x, weight(g, "fc1.weight", 5, 4)), weight(g, "fc1.bias", 5)));
        Value p = e.add(e.op(new Op.MatMul(false, true), h, weight(g, "fc2.weight", 2, 5)), weight(g, "fc2.bias", 2));
        Value y = g.addLeaf(new Op.Target("y"), Type.f32(Shape.batched(List.of(2))));
        g.output("p", p);
        g.output(Graph.LOSS, g.add(new Op.Loss(Op.LossFn.MSE), p, y));
        return g;
    }

    private static Value weight(Graph g, String name, int... dims) {
        return g.addLeaf(new Op.Param(name, Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, dims[dims.length - 1]), Type.f32(dims));
    }

    private static List<Node> backward(Graph lowered, Graph diffed) { return diffed.nodes().subList(lowered.size(), diffed.size()); }

    @Test void frozenLayerGetsNoGradientNodes() {
        Graph lowered = new LowerLayers(LowerLayers.Mode.TRAIN).run(mlp("fc1"));
        Graph diffed = new Autodiff().run(lowered);
        // seed 1, reduce_grad (mean), unary_grad (square), sum_to (fc2.bias), matmul (fc2.weight):
        // nothing for h, the relu, fc1 or x
        assertEquals(5, diffed.size() - lowered.size(), "backward nodes");
        assertEquals(List.of(Graph.LOSS, "p", "grad:fc2.weight", "grad:fc2.bias").stream().sorted().toList(),
                diffed.outputs().keySet().stream().sorted().toList());
        Value w1 = diffed.param("fc1.weight").orElseThrow().out();
        for (Node n : backward(lowered, diffed)) {
            assertFalse(n.inputs().contains(w1), "backward node reads the frozen weight: " + n);
            assertFalse(n.op() instanceof Op.UnaryGrad u && u.fn() == Op.UnaryFn.RELU, "relu below the frozen boundary is differentiated");
        }
    }

    @Test void inputsAndTargetsGetNoGradient() {
        Graph lowered = new LowerLayers(LowerLayers.Mode.TRAIN).run(mlp());
        Graph diffed = new Autodiff().run(lowered);
        assertTrue(diffed.outputs().containsKey("grad:fc1.weight"));
        Type xType = lowered.inputs().get(0).out().type();
        for (Node n : backward(lowered, diffed)) {
            // a value of x's type in the backward graph could only be dL/dx
            assertFalse(n.out().type().equals(xType), "gradient computed for the input x: " + n);
            assertFalse(n.op() instanceof Op.Unary u && u.fn() == Op.UnaryFn.NEG, "gradient computed for the target y (the negation in sub)");
        }
        int frozenCount = new Autodiff().run(new LowerLayers(LowerLayers.Mode.TRAIN).run(mlp("fc1"))).size();
        assertTrue(diffed.size() > frozenCount);
    }

    @Test void everyTrainableParamHasAGradientEvenIfTheLossIgnoresIt() {
        Graph g = mlp();
        weight(g, "unused.weight", 3);
        Graph diffed = new Autodiff().run(new LowerLayers(LowerLayers.Mode.TRAIN).run(g));
        Value grad = diffed.outputs().get("grad:unused.weight");
        assertTrue(diffed.producer(grad).op() instanceof Op.Fill f && f.value() == 0);
        assertEquals(Shape.of(3), grad.shape());
    }
}
