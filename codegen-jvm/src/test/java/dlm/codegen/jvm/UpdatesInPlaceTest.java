package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.Graph;
import dlm.ir.interp.Interpreter;
import dlm.runtime.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Training graphs compiled with updates in place write new state over the old during the run;
 * the state after each committed step must be the same, bit for bit, as when every update is
 * copied by the commit, and a gradient run (never committed) must leave the state alone.
 */
class UpdatesInPlaceTest {

    private static Graph model(String name) {
        return switch (name) {
            case "mlp-adam" -> TestModels.mlp(TestModels.ADAM, 0);
            case "mlp-sgd" -> TestModels.mlp(TestModels.SGD, 0);
            default -> TestModels.convNet(TestModels.ADAM); // batch norm: running statistics are state too
        };
    }

    private static int[] xShape(String name, int batch) {
        return name.startsWith("mlp") ? new int[] {batch, 13} : new int[] {batch, 3, 9, 9};
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp-adam", "mlp-sgd", "conv-bn-adam"})
    void stateAfterEachStepIsTheSameAsWithCopies(String name) {
        int batch = 4;
        Graph train = TestModels.graphs(model(name)).training();
        StateLayout layout = StateLayout.of(train);
        CompiledGraph copying = JvmCompiler.compile(train, batch, layout, n -> true, true, false);
        CompiledGraph inPlace = JvmCompiler.compile(train, batch, layout, n -> true, true, true);
        assertTrue(commitCopies(inPlace) < commitCopies(copying),
                "in place: " + commitCopies(inPlace) + " copies in commit, copying: " + commitCopies(copying));
        // dlm explain plans the arena as the model compiles it
        assertEquals(4L * inPlace.arenaSize(), JvmCompiler.explain(train, batch, n -> true, true, true).arenaBytes());
        assertEquals(4L * copying.arenaSize(), JvmCompiler.explain(train, batch, n -> true, true, false).arenaBytes());
        assertTrue(inPlace.arenaSize() < copying.arenaSize(), "new values over the old state need no work floats");

        Map<String, float[]> s1 = initialState(train), s2 = initialState(train);
        SplittableRandom r = new SplittableRandom(5);
        try (RunContext ctx = new RunContext(2)) {
            for (int step = 0; step < 3; step++) {
                Map<String, float[]> feeds = new HashMap<>();
                feeds.put("x", TestModels.random(r, xShape(name, batch)).data());
                feeds.put("y", TestModels.classes(r, 5, batch).data());
                ctx.seed(step);
                Map<String, float[]> o1 = copying.run(feeds, s1, ctx);
                ctx.seed(step);
                Map<String, float[]> o2 = inPlace.run(feeds, s2, ctx);
                assertArrayEquals(o1.get(Graph.LOSS), o2.get(Graph.LOSS), "loss at step " + step);
                for (String k : s1.keySet()) assertArrayEquals(s1.get(k), s2.get(k), k + " after step " + step);
            }
        }
    }

    @Test
    void gradientRunsLeaveTheStateAsItWas() {
        SplittableRandom r = new SplittableRandom(9);
        try (JvmModel jvm = TestModels.jvm(model("conv-bn-adam"), 3)) {
            Map<String, Tensor> x = Map.of("x", TestModels.random(r, xShape("conv", 3)));
            Map<String, Tensor> y = Map.of("y", TestModels.classes(r, 5, 3));
            jvm.trainStep(x, y);
            Map<String, float[]> before = copy(jvm.stateDict());
            Map<String, Tensor> g1 = jvm.gradients(x, y);
            Map<String, float[]> g1Copy = copy(g1);
            Map<String, Tensor> g2 = jvm.gradients(x, y);
            Map<String, float[]> after = copy(jvm.stateDict());
            assertEquals(before.keySet(), after.keySet());
            for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), k);
            for (String k : g1Copy.keySet()) assertArrayEquals(g1Copy.get(k), g2.get(k).data(), "gradient " + k);
        }
    }

    @Test
    void aRejectedStepLeavesTheStateAsItWas() {
        SplittableRandom r = new SplittableRandom(4);
        try (JvmModel jvm = TestModels.jvm(model("mlp-adam"), 5)) {
            Map<String, Tensor> x = Map.of("x", TestModels.random(r, 4, 13));
            jvm.trainStep(x, Map.of("y", TestModels.classes(r, 5, 4)));
            Map<String, float[]> before = copy(jvm.stateDict());
            var e = org.junit.jupiter.api.Assertions.assertThrows(dlm.runtime.DlmException.class,
                    () -> jvm.trainStep(x, Map.of("y", TestModels.classes(r, 5, 3))));
            assertTrue(e.getMessage().contains("batch size"), e.getMessage());
            e = org.junit.jupiter.api.Assertions.assertThrows(dlm.runtime.DlmException.class,
                    () -> jvm.trainStep(Map.of("x", TestModels.random(r, 4, 12)), Map.of("y", TestModels.classes(r, 5, 4))));
            assertTrue(e.getMessage().contains("'x'"), e.getMessage());
            Map<String, float[]> after = copy(jvm.stateDict());
            for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), k);
        }
    }

    private static Map<String, float[]> initialState(Graph g) {
        Map<String, float[]> out = new HashMap<>();
        Interpreter.initParams(g, 11).forEach((k, v) -> {
            float[] f = new float[v.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) v[i];
            out.put(k, f);
        });
        return out;
    }

    private static Map<String, float[]> copy(Map<String, Tensor> ts) {
        Map<String, float[]> out = new HashMap<>();
        ts.forEach((k, t) -> out.put(k, t.data().clone()));
        return out;
    }

    /** Calls of System.arraycopy in the generated commit method. */
    private static int commitCopies(CompiledGraph cg) {
        String text = cg.bytecodeText();
        int from = text.indexOf("commit([F)V");
        int to = text.indexOf("// access flags", from + 1);
        String commit = text.substring(from, to < 0 ? text.length() : to);
        return commit.split("java/lang/System.arraycopy", -1).length - 1;
    }
}
