package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.UnaryFn;
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
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.TestFactory;

/**
 * Bias, activation and residual as the epilogue of a MatMul or Conv2d: the planned kernel
 * holds the chain, and the results with the epilogue (-Ddlm.epilogue=true), without it and
 * from the interpreter agree, on odd sizes that reach every product path (few rows, packed
 * GEMM over several row blocks on two threads, batched and per-image convolution).
 */
class EpilogueTest {
    private static final double RTOL = 1e-4, ATOL = 1e-5;

    private static <T> T withEpilogue(boolean on, java.util.function.Supplier<T> body) {
        String old = System.getProperty("dlm.epilogue");
        System.setProperty("dlm.epilogue", String.valueOf(on));
        try {
            return body.get();
        } finally {
            if (old == null) System.clearProperty("dlm.epilogue");
            else System.setProperty("dlm.epilogue", old);
        }
    }

    /** The kernel holding the product that makes value v, from explain. */
    private static Explanation.Kernel kernelOf(Graph g, int batch, Value product) {
        Explanation e = withEpilogue(true, () -> JvmCompiler.explain(g, batch, n -> true, true));
        String name = product + " = ";
        return e.kernels().stream().filter(k -> k.ops().stream().anyMatch(o -> o.startsWith(name))).findFirst().orElseThrow();
    }

    /** Runs g with the epilogue on and off (2 threads) and on the interpreter; compares everything. */
    private static void agree(Differential d, int threads) {
        Map<String, double[]> refState = new HashMap<>(d.state);
        Map<String, double[]> ref = new Interpreter(d.g).run(d.batch, d.feeds, refState);
        for (boolean on : new boolean[]{true, false}) {
            CompiledGraph cg = withEpilogue(on, () -> JvmCompiler.compile(d.g, d.batch));
            Differential.verify(cg.classBytes());
            Map<String, float[]> state = Differential.toFloat(d.state);
            Map<String, float[]> got;
            try (RunContext ctx = new RunContext(threads)) {
                got = cg.run(Differential.toFloat(d.feeds), state, ctx);
            }
            for (String name : ref.keySet())
                Differential.assertClose((on ? "epilogue " : "no epilogue ") + name, ref.get(name), got.get(name), RTOL, ATOL);
            for (String name : d.g.updates().keySet())
                Differential.assertClose((on ? "epilogue " : "no epilogue ") + "update " + name, refState.get(name), state.get(name), RTOL, ATOL);
        }
    }

    private static Value add(Differential d, Value a, Value b) { return d.op(new Op.Binary(BinaryFn.ADD), a, b); }

    private static Value act(Differential d, UnaryFn fn, Value x) { return d.op(new Op.Unary(fn, fn == UnaryFn.LEAKY_RELU ? 0.1 : 0), x); }

    /** A dense layer x[rows, in] W^T + b, then the tail; checks the chain is one kernel of `ops` ops. */
    private static DynamicTest dense(String name, int batch, int in, int out, int threads, int ops, Function<Differential, Function<Value, Value>> tail) {
        return DynamicTest.dynamicTest(name + " at batch " + batch, () -> {
            Differential d = new Differential(name.hashCode(), batch);
            Value x = d.input(-1, 1, in);
            Value p = d.op(new Op.MatMul(false, true), x, d.param(-0.3, 0.3, out, in));
            Value y = tail.apply(d).apply(p);
            d.g.output("y", y);
            assertEquals(ops, kernelOf(d.g, batch, p).ops().size(), kernelOf(d.g, batch, p).toString());
            agree(d, threads);
        });
    }

    @TestFactory Stream<DynamicTest> denseLayers() {
        List<DynamicTest> t = new ArrayList<>();
        for (int batch : new int[]{1, 3, 37, 150}) {
            int threads = batch >= 150 ? 2 : 1; // 150 x 67 x 213: split over two threads, two row blocks of the packed GEMM
            for (UnaryFn fn : new UnaryFn[]{UnaryFn.RELU, UnaryFn.LEAKY_RELU, UnaryFn.SIGMOID, UnaryFn.TANH, UnaryFn.GELU})
                t.add(dense("bias " + fn, batch, 213, 67, threads, 3, d -> p -> act(d, fn, add(d, p, d.param(-1, 1, 67)))));
            t.add(dense("bias only, bias first", batch, 213, 67, threads, 2, d -> p -> add(d, d.param(-1, 1, 1, 67), p)));
            t.add(dense("relu, no bias", batch, 31, 9, 1, 2, d -> p -> act(d, UnaryFn.RELU, p)));
            t.add(dense("bias, residual, relu", batch, 213, 67, threads, 4,
                    d -> p -> act(d, UnaryFn.RELU, add(d, add(d, p, d.param(-1, 1, 67)), d.input(-1, 1, 67)))));
            t.add(dense("bias, tanh, residual", batch, 213, 67, threads, 4,
                    d -> p -> add(d, d.input(-1, 1, 67), act(d, UnaryFn.TANH, add(d, p, d.param(-1, 1, 67))))));
            // the chain stops at a multiplication: the rest stays a loop
            t.add(dense("bias, relu, then a mul", batch, 31, 9, 1, 3,
                    d -> p -> d.op(new Op.Binary(BinaryFn.MUL), act(d, UnaryFn.RELU, add(d, p, d.param(-1, 1, 9))), d.param(-1, 1, 9))));
        }
        return t.stream();
    }

    @TestFactory Stream<DynamicTest> otherProducts() {
        List<DynamicTest> t = new ArrayList<>();
        t.add(DynamicTest.dynamicTest("shared weights over a leading axis", () -> {
            Differential d = new Differential(11, 3);
            Value p = d.op(new Op.MatMul(false, false), d.input(-1, 1, 5, 17), d.param(-1, 1, 17, 11));
            d.g.output("y", act(d, UnaryFn.SIGMOID, add(d, p, d.param(-1, 1, 11))));
            assertEquals(3, kernelOf(d.g, 3, p).ops().size());
            agree(d, 1);
        }));
        t.add(DynamicTest.dynamicTest("batched product, transposed", () -> {
            Differential d = new Differential(12, 3);
            Value p = d.op(new Op.MatMul(true, false), d.input(-1, 1, 7, 5), d.input(-1, 1, 7, 9));
            d.g.output("y", act(d, UnaryFn.RELU, add(d, p, d.param(-1, 1, 9))));
            assertEquals(3, kernelOf(d.g, 3, p).ops().size());
            agree(d, 1);
        }));
        // stride, dilation, groups, pads (top, left, bottom, right), input [C, H, W], filters, kernel
        int[][] convs = {
            {1, 1, 1, 1, 1, 1, 1, 3, 9, 7, 5, 3, 3},  // batched im2col
            {2, 1, 1, 0, 1, 1, 0, 2, 9, 8, 3, 3, 3},  // batched, strided
            {1, 1, 3, 1, 0, 1, 0, 6, 5, 7, 9, 3, 1},  // grouped: per image
            {1, 1, 1, 0, 0, 0, 0, 5, 6, 7, 4, 1, 1},  // pointwise: per image
        };
        for (int[] c : convs) {
            Op.Conv2d op = new Op.Conv2d(c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
            for (int batch : new int[]{1, 5}) {
                t.add(DynamicTest.dynamicTest("conv " + java.util.Arrays.toString(c) + " bias relu at batch " + batch, () -> {
                    Differential d = new Differential(batch * 100 + c[2], batch);
                    Value p = d.op(op, d.input(-1, 1, c[7], c[8], c[9]), d.param(-1, 1, c[10], c[7] / c[2], c[11], c[12]));
                    Value b = d.op(new Op.Reshape(List.of(c[10], 1, 1)), d.param(-1, 1, c[10]));
                    d.g.output("y", act(d, UnaryFn.RELU, add(d, p, b)));
                    assertEquals(3, kernelOf(d.g, batch, p).ops().size());
                    agree(d, 1);
                }));
                t.add(DynamicTest.dynamicTest("conv " + java.util.Arrays.toString(c) + " bias residual gelu at batch " + batch, () -> {
                    Differential d = new Differential(batch * 100 + c[2] + 7, batch);
                    Value p = d.op(op, d.input(-1, 1, c[7], c[8], c[9]), d.param(-1, 1, c[10], c[7] / c[2], c[11], c[12]));
                    Value b = d.op(new Op.Reshape(List.of(1, c[10], 1, 1)), d.param(-1, 1, c[10]));
                    int oh = (c[8] + c[3] + c[5] - c[1] * (c[11] - 1) - 1) / c[0] + 1, ow = (c[9] + c[4] + c[6] - c[1] * (c[12] - 1) - 1) / c[0] + 1;
                    Value r = d.input(-1, 1, c[10], oh, ow);
                    d.g.output("y", act(d, UnaryFn.GELU, add(d, add(d, p, b), r)));
                    assertEquals(4, kernelOf(d.g, batch, p).ops().size());
                    agree(d, 1);
                }));
            }
        }
        return t.stream();
    }

    /** x[2, 9, 9] -> conv 3x3 + bias -> relu -> dense 5 (+ bias), cross-entropy on class ids. */
    private static Graph convTraining(Differential d, UnaryFn activation) {
        Graph g = d.g;
        Value x = d.input(-1, 1, 2, 9, 9);
        Value c = d.op(new Op.Conv2d(1, 1, 1, 0, 0, 0, 0), x, d.param(-0.3, 0.3, 3, 2, 3, 3));
        Value h = act(d, activation, add(d, c, d.op(new Op.Reshape(List.of(3, 1, 1)), d.param(-0.3, 0.3, 3))));
        Value flat = d.op(new Op.Reshape(List.of(-1, 3 * 7 * 7)), h);
        Value logits = add(d, d.op(new Op.MatMul(false, true), flat, d.param(-0.3, 0.3, 5, 147)), d.param(-0.3, 0.3, 5));
        Value y = g.addLeaf(new Op.Target("y"), new Type(DType.I32, Shape.batched(List.of())));
        double[] ids = new double[d.batch];
        for (int i = 0; i < ids.length; i++) ids[i] = d.rnd.nextInt(5);
        d.feeds.put("y", ids);
        g.output("logits", logits);
        g.output(Graph.LOSS, d.op(new Op.Loss(Op.LossFn.CROSS_ENTROPY), logits, y));
        g.setTrain(new TrainSpec(new TrainSpec.Sgd(0.05, 0.9, 1e-4), List.of(), List.of(), List.of(), "logits", "y", TrainSpec.Prediction.CLASS_LOGITS));
        return g;
    }

    /**
     * GELU's gradient reads its input, so the epilogue stores it besides the output; relu's
     * gradient reads relu's output, so the output is all it stores.
     */
    @ParameterizedTest
    @CsvSource({"GELU, 2", "RELU, 1"})
    void trainingStepStoresWhatTheGradientReadsAndAgrees(UnaryFn activation, int stores) {
        Differential d = new Differential(5, 7);
        Graph train = Pipelines.training(convTraining(d, activation).train().orElseThrow()).run(d.g);
        Explanation e = withEpilogue(true, () -> JvmCompiler.explain(train, 7, n -> true, true));
        Explanation.Kernel conv = e.kernels().stream().filter(k -> k.ops().getFirst().contains("conv2d(")).findFirst().orElseThrow();
        assertEquals(3, conv.ops().size(), conv.toString());
        assertEquals(stores, conv.stores().size(), activation + ": " + conv.stores());
        Map<String, double[]> feeds = new HashMap<>(d.feeds);
        Map<String, double[]> state = new HashMap<>();
        for (var s : StateLayout.of(train).slots().entrySet())
            state.put(s.getKey(), d.state.containsKey(s.getKey()) ? d.state.get(s.getKey()) : new double[s.getValue().size()]);
        Map<String, double[]> refState = new HashMap<>(state);
        Map<String, double[]> ref = new Interpreter(train).run(7, feeds, refState);
        for (boolean on : new boolean[]{true, false}) {
            CompiledGraph cg = withEpilogue(on, () -> JvmCompiler.compile(train, 7));
            Map<String, float[]> st = Differential.toFloat(state);
            Map<String, float[]> got;
            try (RunContext ctx = new RunContext(2)) {
                got = cg.run(Differential.toFloat(feeds), st, ctx);
            }
            for (String name : ref.keySet()) Differential.assertClose(on + " " + name, ref.get(name), got.get(name), RTOL, ATOL);
            for (String name : train.updates().keySet()) Differential.assertClose(on + " update " + name, refState.get(name), st.get(name), RTOL, ATOL);
        }
    }

    @Test void productWithTwoReadersKeepsItsLoopAndSaysWhy() {
        Differential d = new Differential(3, 4);
        Value p = d.op(new Op.MatMul(false, true), d.input(-1, 1, 6), d.param(-1, 1, 5, 6));
        d.g.output("y", act(d, UnaryFn.RELU, add(d, p, d.param(-1, 1, 5))));
        d.g.output("p", p);
        Explanation.Kernel k = kernelOf(d.g, 4, p);
        assertEquals(1, k.ops().size());
        assertTrue(k.boundary().contains("no epilogue: product " + p + " is an output"), k.boundary());
        agree(d, 1);
    }

    @Test void offByDefaultOnByProperty() {
        Differential d = new Differential(4, 4);
        Value p = d.op(new Op.MatMul(false, true), d.input(-1, 1, 6), d.param(-1, 1, 5, 6));
        d.g.output("y", act(d, UnaryFn.RELU, add(d, p, d.param(-1, 1, 5))));
        String old = System.getProperty("dlm.epilogue");
        System.clearProperty("dlm.epilogue");
        try {
            Explanation e = JvmCompiler.explain(d.g, 4, n -> true, true);
            assertTrue(e.kernels().stream().anyMatch(k -> k.ops().size() == 1 && k.ops().getFirst().startsWith(p + " = ")), e.kernels().toString());
        } finally {
            if (old != null) System.setProperty("dlm.epilogue", old);
        }
        assertEquals(3, kernelOf(d.g, 4, p).ops().size());
    }
}
