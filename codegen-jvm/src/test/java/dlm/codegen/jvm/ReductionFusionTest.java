package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.interp.Interpreter;
import dlm.passes.Pipelines;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Reductions fused with the elementwise loop that computes what they reduce, and softmax-family
 * ops as row loops: the fused code, the unfused code and the interpreter agree on the loss,
 * the outputs, the gradients and the updated state (odd sizes: 7 classes, batch 5), and the
 * plan puts the expected ops in one kernel.
 */
class ReductionFusionTest {
    private static final int CLASSES = 7, BATCH = 5;
    private static final TrainSpec.Optimizer SGD = new TrainSpec.Sgd(0.05, 0.9, 1e-4);

    // ------------------------------------------------------------------ models

    private static Value dense(Graph g, String name, Value x, int in, int out) {
        Value w = g.addLeaf(new Op.Param(name + ".weight", Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, in), Type.f32(out, in));
        Value b = g.addLeaf(new Op.Param(name + ".bias", Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, in), Type.f32(out));
        return g.add(new Op.Binary(Op.BinaryFn.ADD), g.add(new Op.MatMul(false, true), x, w), b);
    }

    /** x[11] -> dense 9 -> relu -> dense out; the given loss against target y (class ids when classIds). */
    private static Graph model(String name, int out, Op.LossFn loss, boolean classIds, boolean softmaxHead) {
        Graph g = new Graph(name);
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(11))));
        Value h = g.add(new Op.Unary(Op.UnaryFn.RELU, 0), dense(g, "fc1", x, 11, 9));
        Value logits = dense(g, "fc2", h, 9, out);
        Value y = classIds ? g.addLeaf(new Op.Target("y"), new Type(DType.I32, Shape.batched(List.of())))
                : g.addLeaf(new Op.Target("y"), Type.f32(Shape.batched(List.of(out))));
        g.output("logits", logits);
        Value pred = softmaxHead ? g.add(new Op.Softmax(1), logits) : logits;
        if (softmaxHead) g.output("probs", pred);
        g.output(Graph.LOSS, g.add(new Op.Loss(loss), pred, y));
        g.setTrain(new TrainSpec(SGD, List.of(), List.of(), List.of(), "logits", "y",
                classIds ? TrainSpec.Prediction.CLASS_LOGITS : TrainSpec.Prediction.VALUE));
        return g;
    }

    private static Graph softmaxClassifier() { return model("softmax_ce", CLASSES, Op.LossFn.CROSS_ENTROPY, true, false); }

    private static Graph mseRegressor() { return model("mse", 3, Op.LossFn.MSE, false, false); }

    // ------------------------------------------------------------------ running

    private static Map<String, double[]> randomFeeds(CompiledGraph cg, SplittableRandom r) {
        Map<String, double[]> feeds = new HashMap<>();
        cg.feeds().forEach((name, p) -> {
            double[] v = new double[p.size()];
            boolean ids = cg.graph().targets().stream().anyMatch(n -> ((Op.Target) n.op()).name().equals(name) && n.out().dtype() == DType.I32);
            // class ids below 5, the smallest class count of these models
            for (int i = 0; i < v.length; i++) v[i] = ids ? r.nextInt(5) : r.nextDouble(-1, 1);
            feeds.put(name, v);
        });
        return feeds;
    }

    /**
     * Runs g fused, unfused and on the interpreter for two steps from the same state and feeds:
     * both compiled runs must match the interpreter, and each other tightly.
     */
    private static void agree(Graph g, int batch) {
        CompiledGraph fused = JvmCompiler.compile(g, batch, StateLayout.of(g), n -> true, true);
        CompiledGraph plain = JvmCompiler.compile(g, batch, StateLayout.of(g), n -> true, false);
        Differential.verify(fused.classBytes());
        SplittableRandom r = new SplittableRandom(11);
        Map<String, double[]> ref = Interpreter.initParams(g, 3);
        Map<String, float[]> a = Differential.toFloat(ref), b = Differential.toFloat(ref);
        Map<String, double[]> feeds = randomFeeds(fused, r);
        try (RunContext ctx = new RunContext(1)) {
            for (int step = 0; step < 2; step++) {
                Map<String, double[]> want = new Interpreter(g).run(batch, feeds, ref);
                Map<String, float[]> gotFused = fused.run(Differential.toFloat(feeds), a, ctx);
                Map<String, float[]> gotPlain = plain.run(Differential.toFloat(feeds), b, ctx);
                assertFalse(want.isEmpty());
                for (String k : want.keySet()) {
                    Differential.assertClose(g.name() + " fused " + k, want.get(k), gotFused.get(k), Differential.RTOL, Differential.ATOL);
                    close(g.name() + " " + k, gotPlain.get(k), gotFused.get(k));
                }
                for (String k : g.updates().keySet()) {
                    Differential.assertClose(g.name() + " fused update " + k, ref.get(k), a.get(k), Differential.RTOL, Differential.ATOL);
                    close(g.name() + " update " + k, b.get(k), a.get(k));
                }
            }
        }
    }

    /** The tolerance FusionTest uses between fused and unfused code. */
    private static void close(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++)
            if (Math.abs(want[i] - got[i]) > 1e-6 + 1e-5 * Math.abs(want[i]))
                throw new AssertionError(what + "[" + i + "]: unfused " + want[i] + ", fused " + got[i]);
    }

    private static Graph training(Graph src) { return Pipelines.training(src.train().orElseThrow()).run(src); }

    private static Graph gradients(Graph src) { return Pipelines.gradients().run(src); }

    /** Each kernel of the fused plan as the op names of its nodes, e.g. [log_softmax, mul, reduce]. */
    private static List<List<String>> plan(Graph g, int batch) {
        Map<String, Value> outs = new HashMap<>(g.outputs());
        List<List<String>> r = new ArrayList<>();
        for (Fusion.Kernel k : Fusion.plan(g, outs, Schedule.of(g, outs), batch, true))
            if (k.code()) r.add(k.nodes().stream().map(n -> name(n.op())).toList());
        return r;
    }

    private static String name(Op op) {
        return switch (op) {
            case Op.Binary b -> b.fn().name().toLowerCase();
            case Op.Unary u -> u.fn().name().toLowerCase();
            case Op.UnaryGrad u -> u.fn().name().toLowerCase() + "_grad";
            default -> op.opName();
        };
    }

    /** Some kernel holds these ops one after the other (a product's epilogue may take the ops before them). */
    private static void hasKernel(List<List<String>> plan, List<String> ops) {
        assertTrue(plan.stream().anyMatch(k -> java.util.Collections.indexOfSubList(k, ops) >= 0),
                "no kernel with " + ops + " in " + plan.stream().map(Object::toString).collect(Collectors.joining("\n")));
    }

    // ------------------------------------------------------------------ numbers

    @Test void softmaxCrossEntropyClassifierAgrees() {
        agree(training(softmaxClassifier()), BATCH);
        agree(gradients(softmaxClassifier()), BATCH);
        agree(gradients(softmaxClassifier()), 1);
    }

    @Test void crossEntropyWithProbabilityTargetsAgrees() {
        Graph src = model("soft_targets", CLASSES, Op.LossFn.CROSS_ENTROPY, false, false);
        agree(training(src), BATCH);
        agree(gradients(src), 3);
    }

    @Test void softmaxHeadWithMseAgrees() {
        // softmax's own gradient (not log_softmax's) in a row loop
        Graph src = model("softmax_mse", CLASSES, Op.LossFn.MSE, false, true);
        agree(training(src), BATCH);
        agree(gradients(src), BATCH);
        assertTrue(plan(gradients(src), BATCH).stream().anyMatch(k -> k.size() > 1 && k.contains("softmax_grad")), plan(gradients(src), BATCH).toString());
    }

    @Test void mseRegressorAgrees() {
        agree(training(mseRegressor()), BATCH);
        agree(gradients(mseRegressor()), BATCH);
    }

    @Test void batchnormTrainingAgrees() {
        Graph src = TestModels.convNet(SGD);
        agree(training(src), 3);
        agree(gradients(src), 3);
    }

    // ------------------------------------------------------------------ plans

    @Test void crossEntropyForwardIsOneRowLoop() {
        List<List<String>> p = plan(training(softmaxClassifier()), BATCH);
        // bias add, log_softmax, the product with the one-hot target and the per-row sum
        hasKernel(p, List.of("add", "log_softmax", "mul", "reduce"));
        // the backward: broadcast of the row sums' gradient, times the target, log_softmax recomputed from the
        // stored logits for log_softmax_grad, and the bias gradient
        hasKernel(p, List.of("reduce_grad", "mul", "log_softmax", "log_softmax_grad", "sum_to"));
    }

    @Test void crossEntropyStoresNoClassSizedIntermediate() {
        Graph g = training(softmaxClassifier());
        Map<String, Value> outs = new HashMap<>(g.outputs());
        List<Fusion.Kernel> ks = Fusion.plan(g, outs, Schedule.of(g, outs), BATCH, true);
        Fusion.Kernel fwd = ks.stream().filter(k -> k.nodes().stream().anyMatch(n -> n.op() instanceof Op.LogSoftmax)).findFirst().orElseThrow();
        Node product = fwd.nodes().stream().filter(n -> n.op() instanceof Op.Binary b && b.fn() == Op.BinaryFn.MUL).findFirst().orElseThrow();
        // the [N, classes] product is read by the row sum (in the loop) and by reduce_grad for its shape only
        assertTrue(fwd.internal().contains(product.out()), fwd.toString());
        // the log-probabilities: the backward loop computes them again from the logits, an output stored anyway
        Node logp = fwd.nodes().stream().filter(n -> n.op() instanceof Op.LogSoftmax).findFirst().orElseThrow();
        assertTrue(fwd.internal().contains(logp.out()), fwd.toString());
        Fusion.Kernel bwd = ks.stream().filter(k -> k.nodes().stream().anyMatch(n -> n.op() instanceof Op.LogSoftmaxGrad)).findFirst().orElseThrow();
        assertTrue(bwd.nodes().contains(logp) && bwd.internal().contains(logp.out()), bwd.toString());
        long stored = 0;
        for (Fusion.Kernel k : List.of(fwd, bwd))
            for (Node n : k.nodes()) if (!k.internal().contains(n.out()) && n.out().shape().rank() == 2) stored++;
        // the logits (an output) and the gradient of the logits (read by two matrix products)
        assertEquals(2, stored, fwd + "\n" + bwd);
    }

    @Test void mseIsOneLoopWithItsMean() {
        List<List<String>> p = plan(training(mseRegressor()), BATCH);
        hasKernel(p, List.of("sub", "square", "reduce"));
    }

    @Test void biasGradientSumsInsideTheReluGradientLoop() {
        List<List<String>> p = plan(training(mseRegressor()), BATCH);
        hasKernel(p, List.of("relu_grad", "sum_to"));
    }

    @Test void batchnormVarianceIsOneLoop() {
        List<List<String>> p = plan(training(TestModels.convNet(SGD)), 3);
        // (x - mean)^2 and its mean over batch, height and width in one loop
        assertTrue(p.stream().anyMatch(k -> k.containsAll(List.of("sub", "square", "reduce")) && !k.contains("var_unbiased")), p.toString());
    }

    @Test void fusionOffKeepsOneKernelPerOp() {
        Graph g = training(softmaxClassifier());
        Map<String, Value> outs = new HashMap<>(g.outputs());
        for (Fusion.Kernel k : Fusion.plan(g, outs, Schedule.of(g, outs), BATCH, false)) assertEquals(1, k.nodes().size());
    }

    @Test void everyKernelSaysWhyItEnds() {
        for (Graph g : List.of(training(softmaxClassifier()), training(mseRegressor()), training(TestModels.convNet(SGD)))) {
            Explanation e = JvmCompiler.explain(g, BATCH, n -> true, true);
            for (Explanation.Kernel k : e.kernels()) assertFalse(k.boundary().isBlank(), g.name() + ": " + k.ops());
            assertTrue(e.kernelCount() < JvmCompiler.explain(g, BATCH, n -> true, false).kernelCount());
        }
    }
}
