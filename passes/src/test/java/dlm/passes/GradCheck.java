package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.Verifier;
import dlm.ir.interp.Interpreter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checks autodiff against central finite differences in double precision. A case builds a tiny
 * graph whose trainable parameters are the values to differentiate, ending in some value out;
 * the loss is sum(r * out) with a random r, so every element of out's gradient matters. The
 * graph is lowered for training, differentiated, and each gradient element compared with
 * (L(p + h) - L(p - h)) / 2h.
 */
final class GradCheck {
    static final double H = 1e-6;
    /** Relative error bound; the denominator has a floor so near-zero gradients compare absolutely. */
    static final double TOL = 1e-5;
    static final double FLOOR = 1e-3;
    static final int BATCH = 3;

    /** Largest relative error seen by any check in this JVM (reported by the test summary). */
    static double worst = 0;

    final Graph g = new Graph("check");
    final Map<String, double[]> feeds = new HashMap<>();
    final Map<String, double[]> state = new HashMap<>();
    final Random rnd;
    final Emit e = new Emit(g);

    GradCheck(long seed) { rnd = new Random(seed); }

    /** A trainable parameter with values uniform in [lo, hi). */
    Value param(String name, double lo, double hi, int... dims) {
        return leaf(new Op.Param(name, Op.ParamKind.WEIGHT, Op.Init.ZEROS, 0), name, state, lo, hi, Shape.of(dims));
    }

    /** A buffer: fixed, not differentiated. */
    Value buffer(String name, double lo, double hi, int... dims) {
        return leaf(new Op.Param(name, Op.ParamKind.BUFFER, Op.Init.ZEROS, 0), name, state, lo, hi, Shape.of(dims));
    }

    /** An input with the batch dimension in front of the given sample dimensions. */
    Value input(String name, double lo, double hi, int... sample) {
        return leaf(new Op.Input(name), name, feeds, lo, hi, Shape.batched(Shape.of(sample).dims()));
    }

    /** Integer ids in [0, classes) of a concrete shape (no batch dimension). */
    Value ids(String name, int classes, int... dims) {
        Shape s = Shape.of(dims);
        Value v = g.addLeaf(new Op.Input(name), new Type(DType.I32, s));
        double[] d = new double[(int) s.numel(BATCH)];
        for (int i = 0; i < d.length; i++) d[i] = rnd.nextInt(classes);
        feeds.put(name, d);
        return v;
    }

    private Value leaf(Op.Leaf op, String name, Map<String, double[]> into, double lo, double hi, Shape s) {
        Value v = g.addLeaf(op, Type.f32(s));
        double[] d = new double[(int) s.numel(BATCH)];
        for (int i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * rnd.nextDouble();
        into.put(name, d);
        return v;
    }

    Value op(Op op, Value... in) { return g.add(op, in); }

    /** Adds loss = sum(r * out), lowers, differentiates and compares every gradient. */
    void check(Value out) {
        Value r = leaf(new Op.Input("r"), "r", feeds, -1, 1, out.shape());
        g.output(Graph.LOSS, e.reduceAll(Op.ReduceFn.SUM, e.mul(r, out)));
        compare();
    }

    void compare() {
        Graph lowered = new LowerLayers(LowerLayers.Mode.TRAIN).run(g);
        Graph diffed = new Autodiff().run(lowered);
        Verifier.verify(lowered);
        Verifier.verify(diffed);
        Map<String, double[]> analytic = new Interpreter(diffed).withSeed(7).run(BATCH, feeds, new HashMap<>(state));
        List<Node> params = g.trainableParams();
        assertTrue(!params.isEmpty(), "a gradient check needs a trainable parameter");
        for (Node p : params) {
            String name = ((Op.Param) p.op()).name();
            double[] grad = analytic.get(Autodiff.gradName(name));
            double[] w = state.get(name);
            double norm = 0;
            for (int i = 0; i < w.length; i++) {
                double num = (lossWith(lowered, name, i, +H) - lossWith(lowered, name, i, -H)) / (2 * H);
                double err = Math.abs(grad[i] - num) / Math.max(FLOOR, Math.max(Math.abs(grad[i]), Math.abs(num)));
                worst = Math.max(worst, err);
                if (err > TOL) fail("d loss / d " + name + "[" + i + "]: autodiff " + grad[i] + ", finite differences " + num + " (relative error " + err + ")");
                norm += grad[i] * grad[i];
            }
            // a gradient that is zero everywhere would pass against a constant loss: refuse it
            assertTrue(Math.sqrt(norm) > 1e-3, "gradient of " + name + " is (nearly) zero: the check would prove nothing");
        }
    }

    private double lossWith(Graph lowered, String name, int i, double delta) {
        Map<String, double[]> s = new HashMap<>(state);
        double[] w = s.get(name).clone();
        w[i] += delta;
        s.put(name, w);
        return new Interpreter(lowered).withSeed(7).run(BATCH, feeds, s).get(Graph.LOSS)[0];
    }

    void train(TrainSpec spec) { g.setTrain(spec); }

    static TrainSpec freezing(String... layers) {
        return new TrainSpec(new TrainSpec.Sgd(0.1, 0, 0), List.of(), List.of(layers), List.of(), null, null, TrainSpec.Prediction.VALUE);
    }
}
