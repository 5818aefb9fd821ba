package dlm.ir.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Type;
import dlm.ir.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Whole-graph runs: batch resolution, feeds, state, updates, errors. */
class RunTest {
    /** y = x W^T + b with an SGD-like update w <- w - 0.5 * 1 (a Fill), batch symbolic. */
    private static Graph dense() {
        Graph g = new Graph("dense");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(3))));
        Value w = g.addLeaf(new Op.Param("fc.weight", Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, 3), Type.f32(2, 3));
        Value b = g.addLeaf(new Op.Param("fc.bias", Op.ParamKind.WEIGHT, Op.Init.ZEROS, 3), Type.f32(2));
        Value y = g.add(new Op.Binary(Op.BinaryFn.ADD), g.add(new Op.MatMul(false, true), x, w), b);
        g.output("y", y);
        Value half = g.addLeaf(new Op.Fill(0.5), Type.f32(2, 3));
        g.update("fc.weight", g.add(new Op.Binary(Op.BinaryFn.SUB), w, half));
        return g;
    }

    @Test void runsWithBatchAndWritesUpdates() {
        Map<String, double[]> state = new HashMap<>(Map.of("fc.weight", new double[]{1, 0, 0, 0, 1, 1}, "fc.bias", new double[]{10, 20}));
        Map<String, double[]> out = new Interpreter(dense()).run(2, Map.of("x", new double[]{1, 2, 3, 4, 5, 6}), state);
        assertArrayEquals(new double[]{11, 25, 14, 31}, out.get("y"));
        assertArrayEquals(new double[]{0.5, -0.5, -0.5, -0.5, 0.5, 0.5}, state.get("fc.weight"));
        assertArrayEquals(new double[]{10, 20}, state.get("fc.bias"));
    }

    @Test void missingAndWrongFeedsNameTheValue() {
        Graph g = dense();
        Map<String, double[]> state = Interpreter.initParams(g, 0);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> new Interpreter(g).run(2, Map.of(), state));
        assertTrue(missing.getMessage().contains("'x'") && missing.getMessage().contains("[N, 3]"), missing.getMessage());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> new Interpreter(g).run(2, Map.of("x", new double[5]), state));
        assertTrue(wrong.getMessage().contains("'x'") && wrong.getMessage().contains("[2, 3]") && wrong.getMessage().contains("got 5"), wrong.getMessage());
        Map<String, double[]> noBias = new HashMap<>(state);
        noBias.remove("fc.bias");
        IllegalArgumentException noState = assertThrows(IllegalArgumentException.class, () -> new Interpreter(g).run(1, Map.of("x", new double[3]), noBias));
        assertTrue(noState.getMessage().contains("param 'fc.bias'") && noState.getMessage().contains("[2]"), noState.getMessage());
    }

    @Test void unusedLeavesNeedNoFeed() {
        Graph g = dense();
        g.addLeaf(new Op.Target("label"), new Type(DType.I32, Shape.batched(List.of())));
        Map<String, double[]> out = new Interpreter(g).run(1, Map.of("x", new double[3]), Interpreter.initParams(g, 0));
        assertArrayEquals(new double[]{0, 0}, out.get("y"));
    }

    @Test void layerOpsAreRefused() {
        Graph g = new Graph("d");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(4))));
        g.output("y", g.add(new Op.Dropout(0.5), x));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Interpreter(g).run(1, Map.of("x", new double[4]), new HashMap<>()));
        assertTrue(e.getMessage().contains("dropout") && e.getMessage().contains("run the lower pass first"), e.getMessage());
    }

    @Test void dropoutMasksRepeatForASeed() {
        Graph g = new Graph("d");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(64))));
        g.output("m", g.add(new Op.DropoutMask(0.5), x));
        Map<String, double[]> feed = Map.of("x", new double[128]);
        Interpreter in = new Interpreter(g).withSeed(7);
        double[] a = in.run(2, feed, new HashMap<>()).get("m"), b = in.run(2, feed, new HashMap<>()).get("m");
        assertArrayEquals(a, b);
        double[] c = new Interpreter(g).withSeed(8).run(2, feed, new HashMap<>()).get("m");
        assertTrue(!java.util.Arrays.equals(a, c));
    }

    @Test void runsAGraphReadFromText() {
        Graph g = dlm.ir.text.IrParser.parse("""
                graph mlp {
                  %x = input(name="x") : f32[N, 2]
                  %w = param(name="fc.weight", kind=weight, init=ones, fan_in=2) : f32[3, 2]
                  %h = mat_mul(%x, %w, trans_a=false, trans_b=true)
                  %s = reduce(%h, fn=sum, axes=[1], keep_dims=true)
                  %y = binary(%h, %s, fn=div)
                  output y = %y
                }
                """);
        // ones weights: every unit of a row is x0 + x1, so each row is [1/3, 1/3, 1/3]
        double[] y = new Interpreter(g).run(2, Map.of("x", new double[]{1, 2, -4, 0.5}), Interpreter.initParams(g, 0)).get("y");
        double third = 1.0 / 3;
        assertArrayEquals(new double[]{third, third, third, third, third, third}, y, 1e-15);
    }

    @Test void initParams() {
        Graph g = new Graph("p");
        g.addLeaf(new Op.Param("a.weight", Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, 4), Type.f32(50, 40));
        g.addLeaf(new Op.Param("a.bias", Op.ParamKind.WEIGHT, Op.Init.ONES, 0), Type.f32(5));
        g.addLeaf(new Op.Param("b.weight", Op.ParamKind.WEIGHT, Op.Init.NORMAL, 0), Type.f32(100, 100));
        g.addLeaf(new Op.Param("m", Op.ParamKind.STATE, Op.Init.ZEROS, 0), Type.f32());
        Map<String, double[]> p = Interpreter.initParams(g, 42);
        assertEquals(2000, p.get("a.weight").length);
        double lo = 0, hi = 0;
        for (double v : p.get("a.weight")) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        assertTrue(lo >= -0.5 && hi < 0.5 && lo < -0.45 && hi > 0.45, lo + " " + hi);
        assertArrayEquals(new double[]{1, 1, 1, 1, 1}, p.get("a.bias"));
        double mean = 0, sq = 0;
        for (double v : p.get("b.weight")) { mean += v; sq += v * v; }
        assertEquals(0, mean / 10000, 0.04);
        assertEquals(1, sq / 10000, 0.05);
        assertArrayEquals(new double[]{0}, p.get("m"));
        assertArrayEquals(p.get("b.weight"), Interpreter.initParams(g, 42).get("b.weight"));
        assertTrue(!java.util.Arrays.equals(p.get("b.weight"), Interpreter.initParams(g, 43).get("b.weight")));
    }
}
