package dlm.ir;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class VerifierTest {
    private static Graph base() {
        Graph g = new Graph("g");
        g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(3))));
        g.addLeaf(new Op.Param("w", Op.ParamKind.WEIGHT, Op.Init.ZEROS, 0), Type.f32(2, 3));
        return g;
    }
    private static Value x(Graph g) { return g.nodes().get(0).out(); }
    private static Value w(Graph g) { return g.nodes().get(1).out(); }

    private static void rejects(Graph g, String... fragments) {
        VerifyException e = assertThrows(VerifyException.class, () -> Verifier.verify(g));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
    }

    @Test void acceptsAValidGraphWithEveryOp() { Verifier.verify(AllOps.graph()); }

    @Test void rejectsAWrongType() {
        Graph g = base();
        g.addTyped(new Op.MatMul(false, true), List.of(x(g), w(g)), Type.f32(Shape.batched(List.of(3))));
        rejects(g, "typed f32[N, 3] but mat_mul infers f32[N, 2]", "%2 = mat_mul(%0, %1, trans_a=false, trans_b=true)");
    }

    @Test void rejectsInputsThatDoNotFit() {
        Graph g = base();
        g.addTyped(new Op.MatMul(false, false), List.of(x(g), w(g)), Type.f32(Shape.batched(List.of(3))));
        rejects(g, "do not fit mat_mul", "inner dimensions differ");
    }

    @Test void rejectsWrongArity() {
        Graph g = base();
        g.addTyped(new Op.Binary(Op.BinaryFn.ADD), List.of(x(g)), x(g).type());
        rejects(g, "binary takes 2 inputs, got 1");
        Graph h = base();
        h.addTyped(new Op.Concat(0), List.of(), Type.f32(1));
        rejects(h, "concat takes at least one inputs, got 0");
    }

    @Test void rejectsAValueOfAnotherGraph() {
        Graph other = new Graph("other");
        other.addLeaf(new Op.Fill(1), Type.f32());
        other.addLeaf(new Op.Fill(1), Type.f32());
        other.addLeaf(new Op.Fill(1), Type.f32());
        Value foreign = other.addLeaf(new Op.Fill(1), Type.f32(Shape.batched(List.of(3))));
        Graph g = base();
        g.addTyped(new Op.Unary(Op.UnaryFn.RELU, 0), List.of(foreign), foreign.type());
        rejects(g, "uses %3 before its definition");
    }

    @Test void rejectsDuplicateNames() {
        Graph g = base();
        g.addLeaf(new Op.Target("x"), Type.f32(Shape.batched(List.of(1))));
        rejects(g, "input or target name 'x' is already used by %0");
        Graph h = base();
        h.addLeaf(new Op.Param("w", Op.ParamKind.BUFFER, Op.Init.ZEROS, 0), Type.f32(1));
        rejects(h, "param name 'w' is already used by %1");
    }

    @Test void rejectsAParamWithABatchAxis() {
        Graph g = base();
        g.addLeaf(new Op.Param("v", Op.ParamKind.STATE, Op.Init.ZEROS, 0), Type.f32(Shape.batched(List.of(1))));
        rejects(g, "param 'v' has a batch dimension");
    }

    @Test void rejectsBadUpdates() {
        Graph g = base();
        g.update("x", x(g));
        rejects(g, "update of 'x', which is not a param");
        Graph h = base();
        h.update("w", h.add(new Op.Reduce(Op.ReduceFn.SUM, List.of(1), false), w(h)));
        rejects(h, "update of 'w' has type f32[2] but the param is f32[2, 3]");
    }

    @Test void rejectsALeafWithInputs() {
        Graph g = base();
        g.addTyped(new Op.Fill(0), List.of(x(g)), Type.f32());
        rejects(g, "fill is a leaf but has 1 inputs");
    }
}
