package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dlm.codegen.jvm.kernels.Simd;
import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.interp.Interpreter;
import dlm.passes.Pipelines;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fused loops in vector form (VectorInner): a channel bias broadcast over [N, C, H, W] with its
 * activation, its gradient with the bias gradient sum_to [C, 1, 1] kept in a register, and a
 * dense bias [F] over [N, F] whose gradient accumulates along the innermost axis. Odd sizes
 * (batch 37, 5 channels of 7 x 9, 301 features: every row ends in a scalar tail) and big
 * enough to take the vector form. The fused code, the unfused code and the interpreter agree
 * on the loss, the gradients and the update; the suite runs again with -Ddlm.simd=false,
 * where the same loops stay scalar.
 */
class VectorLoopTest {
    private static final int BATCH = 37;
    private static final TrainSpec.Optimizer SGD = new TrainSpec.Sgd(0.05, 0.9, 1e-4);

    private static Value param(Graph g, String name, int... dims) {
        return g.addLeaf(new Op.Param(name, Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, 3), Type.f32(dims));
    }

    /** act(x + b) against a target of the same shape, MSE. */
    private static Graph biasActivation(String name, List<Integer> sample, int[] bias, Op.UnaryFn act) {
        Graph g = new Graph(name);
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(sample)));
        Value pre = g.add(new Op.Binary(Op.BinaryFn.ADD), x, param(g, "b", bias));
        Value out = g.add(new Op.Unary(act, 0.1), pre);
        Value y = g.addLeaf(new Op.Target("y"), Type.f32(Shape.batched(sample)));
        g.output("out", out);
        g.output(Graph.LOSS, g.add(new Op.Loss(Op.LossFn.MSE), out, y));
        g.setTrain(new TrainSpec(SGD, List.of(), List.of(), List.of(), "out", "y", TrainSpec.Prediction.VALUE));
        return g;
    }

    /** max(x * s, x - b) / (square(x) + 2) with s and b channel-broadcast: binary ops, a square and a constant in one loop. */
    private static Graph arithmetic() {
        Graph g = new Graph("arith");
        List<Integer> sample = List.of(5, 7, 9);
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(sample)));
        Value s = param(g, "s", 5, 1, 1), b = param(g, "b", 5, 1, 1);
        Value a = g.add(new Op.Binary(Op.BinaryFn.MAX), g.add(new Op.Binary(Op.BinaryFn.MUL), x, s), g.add(new Op.Binary(Op.BinaryFn.SUB), x, b));
        Value sq = g.add(new Op.Unary(Op.UnaryFn.SQUARE, 0), x);
        Value out = g.add(new Op.Binary(Op.BinaryFn.DIV), a, g.add(new Op.Binary(Op.BinaryFn.ADD), sq, g.addLeaf(new Op.Fill(2), Type.f32())));
        Value y = g.addLeaf(new Op.Target("y"), Type.f32(Shape.batched(sample)));
        g.output("out", out);
        g.output(Graph.LOSS, g.add(new Op.Loss(Op.LossFn.MSE), out, y));
        g.setTrain(new TrainSpec(SGD, List.of(), List.of(), List.of(), "out", "y", TrainSpec.Prediction.VALUE));
        return g;
    }

    private static void agree(Graph src) {
        for (Graph g : List.of(Pipelines.training(src.train().orElseThrow()).run(src), Pipelines.gradients().run(src))) {
            CompiledGraph fused = JvmCompiler.compile(g, BATCH, StateLayout.of(g), n -> true, true);
            CompiledGraph plain = JvmCompiler.compile(g, BATCH, StateLayout.of(g), n -> true, false);
            Differential.verify(fused.classBytes());
            // the vector form is taken exactly when the Vector API is on: this test covers the loops it claims to
            assertEquals(Simd.ENABLED, ClassDefiner.text(fused.classBytes()).contains("jdk/incubator/vector/FloatVector.fromArray"), g.name() + " vector form");
            SplittableRandom r = new SplittableRandom(5);
            Map<String, double[]> ref = Interpreter.initParams(g, 3);
            Map<String, float[]> a = Differential.toFloat(ref), b = Differential.toFloat(ref);
            Map<String, double[]> feeds = new HashMap<>();
            fused.feeds().forEach((name, p) -> {
                double[] v = new double[p.size()];
                // float-exact values, some exact zeros and negative zeros: relu's and max's edge cases
                for (int i = 0; i < v.length; i++) v[i] = i % 17 == 0 ? (i % 34 == 0 ? 0.0 : -0.0) : (float) r.nextDouble(-1, 1);
                feeds.put(name, v);
            });
            try (RunContext ctx = new RunContext(1)) {
                for (int step = 0; step < 2; step++) {
                    Map<String, double[]> want = new Interpreter(g).run(BATCH, feeds, ref);
                    Map<String, float[]> gotFused = fused.run(Differential.toFloat(feeds), a, ctx);
                    Map<String, float[]> gotPlain = plain.run(Differential.toFloat(feeds), b, ctx);
                    assertFalse(want.isEmpty());
                    for (String k : want.keySet()) {
                        Differential.assertClose(g.name() + " fused " + k, want.get(k), gotFused.get(k), Differential.RTOL, Differential.ATOL);
                        Differential.assertClose(g.name() + " unfused " + k, want.get(k), gotPlain.get(k), Differential.RTOL, Differential.ATOL);
                    }
                    // elementwise results (no sum in them) are the same floats in vector and scalar form (at the
                    // first step: the sums of the gradients round differently, so the updated state differs after it)
                    if (step == 0) assertArrayEquals(gotPlain.get("out"), gotFused.get("out"), g.name() + " out, fused vs unfused");
                    for (String k : g.updates().keySet()) {
                        Differential.assertClose(g.name() + " fused update " + k, ref.get(k), a.get(k), Differential.RTOL, Differential.ATOL);
                        Differential.assertClose(g.name() + " unfused update " + k, ref.get(k), b.get(k), Differential.RTOL, Differential.ATOL);
                    }
                }
            }
        }
    }

    @Test void channelBiasReluAndItsGradientAgree() {
        agree(biasActivation("conv_bias_relu", List.of(5, 7, 9), new int[]{5, 1, 1}, Op.UnaryFn.RELU));
    }

    @Test void channelBiasLeakyReluAgrees() {
        agree(biasActivation("conv_bias_leaky", List.of(5, 7, 9), new int[]{5, 1, 1}, Op.UnaryFn.LEAKY_RELU));
    }

    @Test void denseBiasReluAgrees() {
        // the bias gradient sum_to [301] moves along the innermost axis: accumulated in the arena, vector by vector
        agree(biasActivation("dense_bias_relu", List.of(301), new int[]{301}, Op.UnaryFn.RELU));
    }

    @Test void binaryOpsWithBroadcastsAgree() {
        agree(arithmetic());
    }
}
