package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dlm.codegen.jvm.rt.RunContext;
import dlm.frontend.Frontend;
import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.interp.Interpreter;
import dlm.passes.Pipelines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Big elementwise loops split over the kernel threads (LoopSplit, rt.RangeSplit): one, two and
 * three threads give the same floats, bit for bit, and agree with the interpreter. Odd sizes:
 * [11, 7, 1001] is split by its 11 outer positions (a channel broadcast keeps the nest 3-deep)
 * or as 77077 flat elements (77077 = 9634 vectors of 8 and a tail of 5). The examples train two
 * steps each, so the second runs on state the first wrote; their Adam updates and gradient loops
 * overwrite inputs in place, which a split must not race on. The suite runs again with
 * -Ddlm.simd=false, where the ranges hold the scalar loop.
 */
class LoopSplitTest {
    private static final int BATCH = 11;
    private static final List<Integer> SAMPLE = List.of(7, 1001);

    private static Value param(Graph g, String name, int... dims) {
        return g.addLeaf(new Op.Param(name, Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, 3), Type.f32(dims));
    }

    private static Op.Binary bin(Op.BinaryFn fn) { return new Op.Binary(fn); }

    /** relu(x * s + c) with s and c broadcast along the 7 channels: a 3-deep nest split by its outer axis. */
    private static Graph channelScale() {
        Graph g = new Graph("channel_scale");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(SAMPLE)));
        Value pre = g.add(bin(Op.BinaryFn.ADD), g.add(bin(Op.BinaryFn.MUL), x, param(g, "s", 7, 1)), param(g, "c", 7, 1));
        g.output("out", g.add(new Op.Unary(Op.UnaryFn.RELU, 0), pre));
        return g;
    }

    /**
     * Same-shaped operands, one flat loop: max(x * 2, x - z) / (square(x) + 2), which has a
     * vector form, or tanh(x) * z - x, which has not (scalar whatever -Ddlm.simd says).
     */
    private static Graph flat(boolean vector) {
        Graph g = new Graph(vector ? "flat_vector" : "flat_scalar");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(SAMPLE)));
        Value z = g.addLeaf(new Op.Input("z"), Type.f32(Shape.batched(SAMPLE)));
        Value two = g.addLeaf(new Op.Fill(2), Type.f32());
        if (vector) {
            Value a = g.add(bin(Op.BinaryFn.MAX), g.add(bin(Op.BinaryFn.MUL), x, two), g.add(bin(Op.BinaryFn.SUB), x, z));
            g.output("out", g.add(bin(Op.BinaryFn.DIV), a, g.add(bin(Op.BinaryFn.ADD), g.add(new Op.Unary(Op.UnaryFn.SQUARE, 0), x), two)));
        } else {
            Value m = g.add(bin(Op.BinaryFn.MUL), g.add(new Op.Unary(Op.UnaryFn.TANH, 0), x), z);
            g.output("out", g.add(bin(Op.BinaryFn.SUB), m, x));
        }
        return g;
    }

    @Test void channelBroadcastNestSplitsLikeOneThread() { sameOnAnyTeam(channelScale(), BATCH, 1); }

    @Test void flatVectorLoopSplitsLikeOneThread() { sameOnAnyTeam(flat(true), BATCH, 1); }

    @Test void flatScalarLoopSplitsLikeOneThread() { sameOnAnyTeam(flat(false), BATCH, 1); }

    @ParameterizedTest(name = "{0} b{1}")
    @CsvSource({"keras_mlp, 129", "lenet5, 15"}) // [129, 512] and [15, 6, 28, 28] loops pass the split threshold
    void examplesTrainLikeOneThread(String name, int batch) throws Exception {
        Path file = Path.of("..", "examples", name + ".dlm");
        assumeTrue(Files.exists(file), file + " is not there");
        Graph source = Frontend.compile(file).models().getFirst();
        sameOnAnyTeam(Pipelines.training(source.train().orElseThrow()).run(source), batch, 1);
    }

    @Test void explainSaysWhichLoopsAreSplit() {
        Graph g = flat(true);
        assertTrue(JvmCompiler.explain(g, BATCH, n -> true, true).kernels().stream().anyMatch(Explanation.Kernel::split));
        assertTrue(JvmCompiler.explain(g, 3, n -> true, true).kernels().stream().noneMatch(Explanation.Kernel::split));
    }

    /**
     * A warmed-up split run allocates nothing on the calling thread: the task is RunContext's, the
     * bounds are ints. Measured again after more warm-up (up to 10 rounds) when a round allocates:
     * on a busy machine C2 may not have compiled the vector loop yet, and interpreted Vector API code
     * boxes; an allocation of the split itself would show in every round.
     */
    @Test void warmSplitRunAllocatesNothing() {
        Graph g = channelScale();
        CompiledGraph cg = JvmCompiler.compile(g, BATCH, StateLayout.of(g), n -> true, true);
        float[] arena = new float[cg.arenaSize()];
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId(), perRun = Long.MAX_VALUE;
        try (RunContext ctx = new RunContext(2)) {
            for (int round = 0; round < 10 && perRun > 16; round++) {
                for (int i = 0; i < 2000; i++) cg.run(arena, ctx);
                long before = threads.getThreadAllocatedBytes(id);
                for (int i = 0; i < 200; i++) cg.run(arena, ctx);
                perRun = (threads.getThreadAllocatedBytes(id) - before) / 200;
            }
        }
        assertTrue(perRun <= 16, "a split run allocates " + perRun + " bytes");
    }

    @Test void smallLoopsAreNotSplit() { // 3 x 7007 elements
        Graph g = flat(true);
        CompiledGraph cg = JvmCompiler.compile(g, 3, StateLayout.of(g), n -> true, true);
        assertEquals(0, rangeMethods(cg), "a loop below the threshold stays on the calling thread");
    }

    /**
     * Runs g for two steps on teams of 1, 2 and 3 threads from the same state: every output and
     * every updated state array equal bit for bit; each close to the interpreter's.
     */
    private static void sameOnAnyTeam(Graph g, int batch, int minSplit) {
        CompiledGraph cg = JvmCompiler.compile(g, batch, StateLayout.of(g), n -> true, true);
        Differential.verify(cg.classBytes());
        assertTrue(rangeMethods(cg) >= minSplit, g.name() + ": " + rangeMethods(cg) + " split loops, want " + minSplit + " or more");
        Map<String, double[]> ref = Interpreter.initParams(g, 3);
        List<Map<String, float[]>> states = new ArrayList<>();
        int[] teams = {1, 2, 3};
        for (int ignored : teams) states.add(Differential.toFloat(ref));
        SplittableRandom r = new SplittableRandom(7);
        List<RunContext> ctxs = new ArrayList<>();
        try {
            for (int t : teams) ctxs.add(new RunContext(t));
            for (int step = 0; step < 2; step++) {
                Map<String, double[]> feeds = feeds(g, cg, r);
                Map<String, double[]> want = new Interpreter(g).run(batch, feeds, ref);
                Map<String, float[]> one = null;
                for (int i = 0; i < teams.length; i++) {
                    Map<String, float[]> got = cg.run(Differential.toFloat(feeds), states.get(i), ctxs.get(i));
                    String what = g.name() + " step " + step + " threads " + teams[i] + " ";
                    if (i == 0) {
                        one = got;
                        for (String k : want.keySet()) Differential.assertClose(what + k, want.get(k), got.get(k), 1e-3, 1e-4);
                        for (String k : g.updates().keySet()) ExamplesTest.assertWeightsClose(what + "update " + k, ref.get(k), states.get(0).get(k));
                        continue;
                    }
                    for (String k : one.keySet()) assertArrayEquals(one.get(k), got.get(k), what + k + " vs one thread");
                    for (String k : g.updates().keySet()) assertArrayEquals(states.get(0).get(k), states.get(i).get(k), what + "update " + k + " vs one thread");
                }
            }
        } finally {
            for (RunContext c : ctxs) c.close();
        }
    }

    /** Random feeds with some exact zeros: class ids (I32 leaves) below 10, other targets in [0, 1), inputs in [-1, 1). */
    private static Map<String, double[]> feeds(Graph g, CompiledGraph cg, SplittableRandom r) {
        Map<String, DType> types = new HashMap<>();
        java.util.Set<String> targets = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.Input i) types.put(i.name(), n.out().dtype());
            if (n.op() instanceof Op.Target t) { types.put(t.name(), n.out().dtype()); targets.add(t.name()); }
        }
        Map<String, double[]> feeds = new HashMap<>();
        cg.feeds().forEach((name, p) -> {
            double[] v = new double[p.size()];
            boolean ids = types.get(name) == DType.I32;
            double low = targets.contains(name) ? 0 : -1; // a cross-entropy target is a probability
            for (int i = 0; i < v.length; i++)
                v[i] = ids ? r.nextInt(10) : i % 13 == 0 ? 0.0 : (float) r.nextDouble(low, 1);
            feeds.put(name, v);
        });
        return feeds;
    }

    private static final Pattern RANGE = Pattern.compile("static op\\w+_range\\(\\[FII\\)V");

    /** How many loops the class splits (its op..._range methods). */
    private static int rangeMethods(CompiledGraph cg) {
        Matcher m = RANGE.matcher(ClassDefiner.text(cg.classBytes()));
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
