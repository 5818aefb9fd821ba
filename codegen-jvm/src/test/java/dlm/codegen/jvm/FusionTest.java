package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.passes.Pipelines;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Elementwise fusion: fused and unfused code compute the same values (the differential tests
 * compare the fused default with the interpreter), and fusion leaves fewer kernels.
 */
class FusionTest {
    private static final RunContext CTX = new RunContext(1);

    /** Runs the graph fused and unfused for two steps from the same random state and feeds; returns both kernel counts. */
    private static int[] sameResults(Graph g, int batch) {
        Map<String, float[]> stateA = new HashMap<>(), stateB = new HashMap<>(), feeds = new HashMap<>();
        CompiledGraph fused = JvmCompiler.compile(g, batch, StateLayout.of(g), n -> true, true);
        CompiledGraph plain = JvmCompiler.compile(g, batch, StateLayout.of(g), n -> true, false);
        SplittableRandom r = new SplittableRandom(7);
        fused.state().slots().forEach((name, s) -> {
            float[] v = new float[s.size()];
            for (int i = 0; i < v.length; i++) v[i] = (float) (name.startsWith("adam.v") ? r.nextDouble(0, 0.01) : name.equals("optimizer.step") ? 3 : r.nextDouble(-0.5, 0.5));
            stateA.put(name, v);
            stateB.put(name, v.clone());
        });
        fused.feeds().forEach((name, p) -> {
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) v[i] = name.equals("y") ? r.nextInt(5) : (float) r.nextDouble(-1, 1);
            feeds.put(name, v);
        });
        for (int step = 0; step < 2; step++) {
            Map<String, float[]> a = fused.run(feeds, stateA, CTX), b = plain.run(feeds, stateB, CTX);
            assertEquals(b.keySet(), a.keySet());
            for (String k : a.keySet()) close(g.name() + " output " + k, b.get(k), a.get(k));
            for (String k : stateA.keySet()) close(g.name() + " state " + k, stateB.get(k), stateA.get(k));
        }
        int kf = JvmCompiler.explain(g, batch, n -> true, true).kernelCount(), kp = JvmCompiler.explain(g, batch, n -> true, false).kernelCount();
        assertTrue(kf < kp, g.name() + ": fused " + kf + " kernels, unfused " + kp);
        return new int[]{kf, kp};
    }

    private static void close(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++)
            if (Math.abs(want[i] - got[i]) > 1e-6 + 1e-5 * Math.abs(want[i]))
                throw new AssertionError(what + "[" + i + "]: unfused " + want[i] + ", fused " + got[i]);
    }

    @Test void broadcastingChainIsOneLoop() {
        Graph g = new Graph("chain");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(4, 5))));
        Value p = g.addLeaf(new Op.Param("p", Op.ParamKind.WEIGHT, Op.Init.ZEROS, 0), Type.f32(5));
        Value one = g.addLeaf(new Op.Fill(1.0), Type.f32(Shape.SCALAR));
        Value a = g.add(new Op.Binary(Op.BinaryFn.MUL), x, p);
        Value s = g.add(new Op.Unary(Op.UnaryFn.SIGMOID, 0), g.add(new Op.Binary(Op.BinaryFn.ADD), a, one));
        Value d = g.add(new Op.UnaryGrad(Op.UnaryFn.TANH, 0), s, x);
        g.output("y", g.add(new Op.Binary(Op.BinaryFn.SUB), d, g.add(new Op.Unary(Op.UnaryFn.SQUARE, 0), x)));
        int[] k = sameResults(g, 3);
        assertEquals(1, k[0], "fused kernels");
        assertEquals(7, k[1], "unfused kernels (the fill is one)");
        // only the output needs floats besides the input: the four intermediates stay in locals
        long fusedArena = JvmCompiler.explain(g, 3, n -> true, true).arenaBytes();
        long plainArena = JvmCompiler.explain(g, 3, n -> true, false).arenaBytes();
        assertTrue(fusedArena < plainArena, fusedArena + " vs " + plainArena);
    }

    @Test void adamUpdateOfAParameterIsOneLoopStoringMVAndP() {
        Graph g = Pipelines.training(TestModels.mlp(TestModels.ADAM, 0).train().orElseThrow()).run(TestModels.mlp(TestModels.ADAM, 0));
        int[] k = sameResults(g, 4);
        Explanation e = JvmCompiler.explain(g, 4, n -> true, true);
        assertTrue(e.kernels().stream().anyMatch(kk -> kk.stores().containsAll(List.of(
                "%" + g.updates().get("adam.m.fc1.weight").id() + ": update of adam.m.fc1.weight",
                "%" + g.updates().get("adam.v.fc1.weight").id() + ": update of adam.v.fc1.weight",
                "%" + g.updates().get("fc1.weight").id() + ": update of fc1.weight"))), e.kernels().toString());
        assertTrue(k[0] * 2 < k[1], "fused " + k[0] + " unfused " + k[1]);
    }

    @Test void sgdMomentumTrainingStep() {
        Graph src = TestModels.mlp(TestModels.SGD, 0);
        sameResults(Pipelines.training(src.train().orElseThrow()).run(src), 5);
    }

    @Test void convNetTrainingAndInference() {
        Graph src = TestModels.convNet(TestModels.ADAM);
        sameResults(Pipelines.training(src.train().orElseThrow()).run(src), 3);
        Graph inf = Pipelines.inference().run(src);
        inf.removeOutput(Graph.LOSS);
        JvmCompiler.compile(inf, 2, StateLayout.of(inf), n -> true, true); // compiles and verifies
    }
}
