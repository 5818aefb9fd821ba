package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Verifier;
import dlm.ir.interp.Interpreter;
import dlm.ir.text.IrParser;
import dlm.ir.text.IrPrinter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The lower pass: before/after in textual IR, and values against hand-written PyTorch formulas. */
class LowerLayersTest {
    static final String LAYERNORM_DROPOUT = """
            graph m {
              %0 = input(name="x") : f32[N, 4]
              %1 = param(name="ln.weight", kind=weight, init=ones, fan_in=0) : f32[4]
              %2 = param(name="ln.bias", kind=weight, init=zeros, fan_in=0) : f32[4]
              %3 = layer_norm(%0, %1, %2, eps=1.0E-5) : f32[N, 4]
              %4 = dropout(%3, rate=0.5) : f32[N, 4]
              output y = %4
            }
            """;

    static final String LAYERNORM_PRIMITIVES = """
              %0 = input(name="x") : f32[N, 4]
              %1 = param(name="ln.weight", kind=weight, init=ones, fan_in=0) : f32[4]
              %2 = param(name="ln.bias", kind=weight, init=zeros, fan_in=0) : f32[4]
              %3 = reduce(%0, fn=mean, axes=[1], keep_dims=true) : f32[N, 1]
              %4 = binary(%0, %3, fn=sub) : f32[N, 4]
              %5 = unary(%4, fn=square, alpha=0.0) : f32[N, 4]
              %6 = reduce(%5, fn=mean, axes=[1], keep_dims=true) : f32[N, 1]
              %7 = fill(value=1.0E-5) : f32[]
              %8 = binary(%6, %7, fn=add) : f32[N, 1]
              %9 = unary(%8, fn=rsqrt, alpha=0.0) : f32[N, 1]
              %10 = binary(%4, %9, fn=mul) : f32[N, 4]
              %11 = binary(%10, %1, fn=mul) : f32[N, 4]
              %12 = binary(%11, %2, fn=add) : f32[N, 4]
            """;

    @Test void layerNormAndDropoutForTraining() {
        String expected = "graph m {\n" + LAYERNORM_PRIMITIVES + """
                  %13 = dropout_mask(%12, rate=0.5) : f32[N, 4]
                  %14 = binary(%12, %13, fn=mul) : f32[N, 4]
                  output y = %14
                }
                """;
        assertEquals(expected, lower(LAYERNORM_DROPOUT, LowerLayers.Mode.TRAIN));
    }

    @Test void layerNormAndDropoutForInference() {
        String expected = "graph m {\n" + LAYERNORM_PRIMITIVES + """
                  output y = %12
                }
                """;
        assertEquals(expected, lower(LAYERNORM_DROPOUT, LowerLayers.Mode.INFER));
    }

    @Test void batchNormForTrainingUpdatesRunningStatistics() {
        String in = """
                graph m {
                  %0 = input(name="x") : f32[N, 3]
                  %1 = param(name="bn.weight", kind=weight, init=ones, fan_in=0) : f32[3]
                  %2 = param(name="bn.bias", kind=weight, init=zeros, fan_in=0) : f32[3]
                  %3 = param(name="bn.running_mean", kind=buffer, init=zeros, fan_in=0) : f32[3]
                  %4 = param(name="bn.running_var", kind=buffer, init=ones, fan_in=0) : f32[3]
                  %5 = batch_norm(%0, %1, %2, %3, %4, eps=1.0E-5, momentum=0.1) : f32[N, 3]
                  output y = %5
                }
                """;
        String expected = """
                graph m {
                  %0 = input(name="x") : f32[N, 3]
                  %1 = param(name="bn.weight", kind=weight, init=ones, fan_in=0) : f32[3]
                  %2 = param(name="bn.bias", kind=weight, init=zeros, fan_in=0) : f32[3]
                  %3 = param(name="bn.running_mean", kind=buffer, init=zeros, fan_in=0) : f32[3]
                  %4 = param(name="bn.running_var", kind=buffer, init=ones, fan_in=0) : f32[3]
                  %5 = reduce(%0, fn=mean, axes=[0], keep_dims=true) : f32[1, 3]
                  %6 = binary(%0, %5, fn=sub) : f32[N, 3]
                  %7 = unary(%6, fn=square, alpha=0.0) : f32[N, 3]
                  %8 = reduce(%7, fn=mean, axes=[0], keep_dims=true) : f32[1, 3]
                  %9 = fill(value=1.0E-5) : f32[]
                  %10 = binary(%8, %9, fn=add) : f32[1, 3]
                  %11 = unary(%10, fn=rsqrt, alpha=0.0) : f32[1, 3]
                  %12 = reshape(%5, dims=[3]) : f32[3]
                  %13 = reduce(%0, fn=var_unbiased, axes=[0], keep_dims=false) : f32[3]
                  %14 = fill(value=0.9) : f32[]
                  %15 = binary(%14, %3, fn=mul) : f32[3]
                  %16 = fill(value=0.1) : f32[]
                  %17 = binary(%16, %12, fn=mul) : f32[3]
                  %18 = binary(%15, %17, fn=add) : f32[3]
                  %19 = binary(%14, %4, fn=mul) : f32[3]
                  %20 = binary(%16, %13, fn=mul) : f32[3]
                  %21 = binary(%19, %20, fn=add) : f32[3]
                  %22 = binary(%6, %11, fn=mul) : f32[N, 3]
                  %23 = binary(%22, %1, fn=mul) : f32[N, 3]
                  %24 = binary(%23, %2, fn=add) : f32[N, 3]
                  output y = %24
                  update bn.running_mean = %18
                  update bn.running_var = %21
                }
                """;
        assertEquals(expected, lower(in, LowerLayers.Mode.TRAIN));
    }

    private static String lower(String text, LowerLayers.Mode mode) {
        Graph before = IrParser.parse(text);
        Graph after = new LowerLayers(mode).run(before);
        Verifier.verify(after);
        assertEquals(text, IrPrinter.print(before), "the pass must not change its input");
        return IrPrinter.print(after);
    }

    // ------------------------------------------------------------------ values

    private static final Random RND = new Random(5);

    private static double[] random(int n, double lo, double hi) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = lo + (hi - lo) * RND.nextDouble();
        return d;
    }

    /** An image batchnorm [N=3, C=2, H=2, W=3] and its state; freeze optionally. */
    private static Map<String, double[]> runBatchNorm(LowerLayers.Mode mode, boolean frozen, double[] x, Map<String, double[]> state, double[] y) {
        GradCheck c = new GradCheck(1);
        var xv = c.g.addLeaf(new Op.Input("x"), dlm.ir.Type.f32(dlm.ir.Shape.batched(List.of(2, 2, 3))));
        var out = c.op(new Op.BatchNorm(1e-5, 0.1), xv, c.param("bn.weight", 0, 1, 2), c.param("bn.bias", 0, 1, 2),
                c.buffer("bn.running_mean", 0, 1, 2), c.buffer("bn.running_var", 0, 1, 2));
        c.g.output("y", out);
        if (frozen) c.train(GradCheck.freezing("bn"));
        Graph lowered = new LowerLayers(mode).run(c.g);
        assertTrue(lowered.nodesOf(Op.BatchNorm.class).isEmpty());
        assertEquals(mode == LowerLayers.Mode.TRAIN && !frozen ? 2 : 0, lowered.updates().size(), "running statistics updates");
        double[] r = new Interpreter(lowered).run(3, Map.of("x", x), state).get("y");
        System.arraycopy(r, 0, y, 0, r.length);
        return state;
    }

    private static Map<String, double[]> bnState() {
        Map<String, double[]> s = new HashMap<>();
        s.put("bn.weight", new double[] {1.5, -0.5});
        s.put("bn.bias", new double[] {0.25, 2});
        s.put("bn.running_mean", new double[] {0.1, -0.2});
        s.put("bn.running_var", new double[] {0.8, 1.3});
        return s;
    }

    @Test void batchNormTrainingUsesBatchStatisticsAndUpdatesBuffers() {
        double[] x = random(36, -2, 2), y = new double[36];
        Map<String, double[]> s = runBatchNorm(LowerLayers.Mode.TRAIN, false, x, bnState(), y);
        Map<String, double[]> s0 = bnState();
        for (int ch = 0; ch < 2; ch++) {
            double sum = 0, n = 18;
            for (int b = 0; b < 3; b++) for (int i = 0; i < 6; i++) sum += x[b * 12 + ch * 6 + i];
            double mean = sum / n, ss = 0;
            for (int b = 0; b < 3; b++) for (int i = 0; i < 6; i++) ss += Math.pow(x[b * 12 + ch * 6 + i] - mean, 2);
            double var = ss / n, unbiased = ss / (n - 1);
            for (int b = 0; b < 3; b++) for (int i = 0; i < 6; i++) {
                int k = b * 12 + ch * 6 + i;
                assertEquals((x[k] - mean) / Math.sqrt(var + 1e-5) * s0.get("bn.weight")[ch] + s0.get("bn.bias")[ch], y[k], 1e-12);
            }
            assertEquals(0.9 * s0.get("bn.running_mean")[ch] + 0.1 * mean, s.get("bn.running_mean")[ch], 1e-12);
            assertEquals(0.9 * s0.get("bn.running_var")[ch] + 0.1 * unbiased, s.get("bn.running_var")[ch], 1e-12);
        }
    }

    @Test void frozenBatchNormUsesRunningStatisticsInTrainingAsInInference() {
        double[] x = random(36, -2, 2), train = new double[36], infer = new double[36];
        Map<String, double[]> s = runBatchNorm(LowerLayers.Mode.TRAIN, true, x, bnState(), train);
        runBatchNorm(LowerLayers.Mode.INFER, false, x, bnState(), infer);
        Map<String, double[]> s0 = bnState();
        for (int k = 0; k < 36; k++) {
            int ch = (k / 6) % 2;
            double expected = (x[k] - s0.get("bn.running_mean")[ch]) / Math.sqrt(s0.get("bn.running_var")[ch] + 1e-5)
                    * s0.get("bn.weight")[ch] + s0.get("bn.bias")[ch];
            assertEquals(expected, train[k], 1e-12);
            assertEquals(expected, infer[k], 1e-12);
        }
        assertEquals(s0.get("bn.running_mean")[0], s.get("bn.running_mean")[0]);
    }

    @Test void dropoutMasksInTrainingAndIsTheIdentityInInference() {
        GradCheck c = new GradCheck(3);
        var x = c.input("x", 0.5, 1.5, 1000);
        c.g.output("y", c.op(new Op.Dropout(0.3), x));
        double[] xs = c.feeds.get("x");

        Graph infer = new LowerLayers(LowerLayers.Mode.INFER).run(c.g);
        assertTrue(infer.nodesOf(Op.DropoutMask.class).isEmpty());
        assertTrue(infer.nodesOf(Op.Dropout.class).isEmpty());
        assertEquals(infer.outputs().get("y"), infer.inputs().get(0).out(), "inference dropout is the input itself");
        assertArrayEquals(xs, new Interpreter(infer).run(GradCheck.BATCH, c.feeds, new HashMap<>()).get("y"));

        Graph train = new LowerLayers(LowerLayers.Mode.TRAIN).run(c.g);
        assertEquals(1, train.nodesOf(Op.DropoutMask.class).size());
        double[] y = new Interpreter(train).withSeed(11).run(GradCheck.BATCH, c.feeds, new HashMap<>()).get("y");
        int zeros = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] == 0) zeros++;
            else assertEquals(xs[i] / 0.7, y[i], 1e-12, "kept values are scaled by 1/(1-rate)");
        }
        double frac = zeros / (double) y.length;
        assertTrue(frac > 0.27 && frac < 0.33, "dropped fraction " + frac);
    }

    private static void assertArrayEquals(double[] a, double[] b) { org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, 0); }

    // ------------------------------------------------------------------ losses against their torch formulas

    private static double loss(Op.LossFn fn, GradCheck c, dlm.ir.Value p, dlm.ir.Value y) {
        c.g.output(Graph.LOSS, c.op(new Op.Loss(fn), p, y));
        Graph lowered = new LowerLayers(LowerLayers.Mode.TRAIN).run(c.g);
        assertTrue(lowered.nodesOf(Op.Loss.class).isEmpty());
        return new Interpreter(lowered).run(GradCheck.BATCH, c.feeds, c.state).get(Graph.LOSS)[0];
    }

    @Test void binaryCrossEntropyClampsLogsAtMinus100() {
        GradCheck c = new GradCheck(4);
        var p = c.buffer("p", 0.05, 0.95, 2, 3);
        var y = c.buffer("y", 0, 1, 2, 3);
        double[] pv = c.state.get("p"), yv = c.state.get("y");
        pv[0] = 0; pv[1] = 1; // log 0 = -inf: torch clamps to -100
        double sum = 0;
        for (int i = 0; i < 6; i++)
            sum += -(yv[i] * Math.max(Math.log(pv[i]), -100) + (1 - yv[i]) * Math.max(Math.log(1 - pv[i]), -100));
        assertEquals(sum / 6, loss(Op.LossFn.BINARY_CROSS_ENTROPY, c, p, y), 1e-12);
    }

    @Test void binaryCrossEntropyGradientIsFiniteAtZeroAndOne() {
        GradCheck c = new GradCheck(9);
        var p = c.param("p", 0.05, 0.95, 2, 3);
        var y = c.buffer("y", 0, 1, 2, 3);
        c.state.get("p")[0] = 0;
        c.state.get("p")[1] = 1;
        c.g.output(Graph.LOSS, c.op(new Op.Loss(Op.LossFn.BINARY_CROSS_ENTROPY), p, y));
        Graph g = new Autodiff().run(new LowerLayers(LowerLayers.Mode.TRAIN).run(c.g));
        double[] grad = new Interpreter(g).run(1, c.feeds, c.state).get("grad:p");
        double[] pv = c.state.get("p"), yv = c.state.get("y");
        for (int i = 0; i < 6; i++) // torch: (p - y) / max(p (1 - p), 1e-12), over the mean's n
            assertEquals((pv[i] - yv[i]) / Math.max(pv[i] * (1 - pv[i]), 1e-12) / 6, grad[i], 1e-9 * Math.abs(grad[i]) + 1e-12);
    }

    @Test void binaryCrossEntropyWithLogitsIsStableForLargeLogits() {
        GradCheck c = new GradCheck(5);
        var z = c.buffer("z", -3, 3, 2, 3);
        var y = c.buffer("y", 0, 1, 2, 3);
        double[] zv = c.state.get("z"), yv = c.state.get("y");
        zv[0] = 800; zv[1] = -800;
        double sum = 0;
        for (int i = 0; i < 6; i++) {
            double sig = 1 / (1 + Math.exp(-zv[i]));
            // the naive form overflows at |z| = 800; compare with it only where it is finite
            double l = Math.abs(zv[i]) < 100 ? -(yv[i] * Math.log(sig) + (1 - yv[i]) * Math.log(1 - sig))
                    : Math.max(zv[i], 0) - zv[i] * yv[i];
            sum += l;
        }
        assertEquals(sum / 6, loss(Op.LossFn.BINARY_CROSS_ENTROPY_WITH_LOGITS, c, z, y), 1e-9);
    }

    @Test void crossEntropyWithClassIdsAndWithProbabilities() {
        GradCheck c = new GradCheck(6);
        var z = c.buffer("z", -3, 3, 4, 5);
        var ids = c.ids("y", 5, 4);
        double[] zv = c.state.get("z"), idv = c.feeds.get("y");
        double expectIds = 0;
        double[][] logSoftmax = new double[4][5];
        for (int b = 0; b < 4; b++) {
            double lse = 0;
            for (int k = 0; k < 5; k++) lse += Math.exp(zv[b * 5 + k]);
            for (int k = 0; k < 5; k++) logSoftmax[b][k] = zv[b * 5 + k] - Math.log(lse);
            expectIds += -logSoftmax[b][(int) idv[b]];
        }
        assertEquals(expectIds / 4, loss(Op.LossFn.CROSS_ENTROPY, c, z, ids), 1e-12);

        GradCheck d = new GradCheck(6);
        var z2 = d.buffer("z", -3, 3, 4, 5);
        d.state.put("z", zv);
        var probs = d.buffer("y", 0, 1, 4, 5);
        double[] pv = d.state.get("y");
        double expectProbs = 0;
        for (int b = 0; b < 4; b++) for (int k = 0; k < 5; k++) expectProbs += -pv[b * 5 + k] * logSoftmax[b][k];
        assertEquals(expectProbs / 4, loss(Op.LossFn.CROSS_ENTROPY, d, z2, probs), 1e-12);
    }

    @Test void mseAveragesOverAllElements() {
        GradCheck c = new GradCheck(7);
        var p = c.input("p", -2, 2, 5);
        var y = c.input("y", -2, 2, 5);
        double[] pv = c.feeds.get("p"), yv = c.feeds.get("y");
        double sum = 0;
        for (int i = 0; i < pv.length; i++) sum += (pv[i] - yv[i]) * (pv[i] - yv[i]);
        assertEquals(sum / pv.length, loss(Op.LossFn.MSE, c, p, y), 1e-12);
    }

    // ------------------------------------------------------------------ lstm against a direct implementation

    @Test void lstmMatchesTorchEquationsWithGatesInTorchOrder() {
        int n = GradCheck.BATCH, t = 3, f = 2, h = 2;
        for (boolean seq : new boolean[] {false, true}) {
            GradCheck c = new GradCheck(8);
            var x = c.input("x", -1, 1, t, f);
            var out = c.op(new Op.Lstm(h, seq), x, c.param("l.weight_ih_l0", -1, 1, 4 * h, f), c.param("l.weight_hh_l0", -1, 1, 4 * h, h),
                    c.param("l.bias_ih_l0", -1, 1, 4 * h), c.param("l.bias_hh_l0", -1, 1, 4 * h));
            c.g.output("h", out);
            double[] got = new Interpreter(new LowerLayers(LowerLayers.Mode.INFER).run(c.g)).run(n, c.feeds, c.state).get("h");
            double[] xv = c.feeds.get("x"), wih = c.state.get("l.weight_ih_l0"), whh = c.state.get("l.weight_hh_l0"),
                    bih = c.state.get("l.bias_ih_l0"), bhh = c.state.get("l.bias_hh_l0");
            for (int b = 0; b < n; b++) {
                double[] hs = new double[h], cs = new double[h];
                for (int s = 0; s < t; s++) {
                    double[] gates = new double[4 * h];
                    for (int r = 0; r < 4 * h; r++) {
                        double v = bih[r] + bhh[r];
                        for (int k = 0; k < f; k++) v += wih[r * f + k] * xv[(b * t + s) * f + k];
                        for (int k = 0; k < h; k++) v += whh[r * h + k] * hs[k];
                        gates[r] = v;
                    }
                    for (int u = 0; u < h; u++) {
                        double i = sig(gates[u]), fg = sig(gates[h + u]), g = Math.tanh(gates[2 * h + u]), o = sig(gates[3 * h + u]);
                        cs[u] = fg * cs[u] + i * g;
                        hs[u] = o * Math.tanh(cs[u]);
                    }
                    if (seq) for (int u = 0; u < h; u++) assertEquals(hs[u], got[(b * t + s) * h + u], 1e-12);
                }
                if (!seq) for (int u = 0; u < h; u++) assertEquals(hs[u], got[b * h + u], 1e-12);
            }
            assertFalse(got.length == 0);
        }
    }

    private static double sig(double v) { return 1 / (1 + Math.exp(-v)); }
}
