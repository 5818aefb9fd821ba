package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.Op.ReduceFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.TrainSpec;
import dlm.ir.Value;
import dlm.ir.interp.Interpreter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The optimizer step against torch.optim's update rules written out by hand, on a tiny model
 * whose gradient is known in closed form: loss = sum(c * w^2) + k * s^2 + sum(frozen * w),
 * so dL/dw = 2 c w + frozen and dL/ds = 2 k s.
 */
class OptimizerUpdateTest {
    static final double[] W0 = {0.5, -1.25, 2.0}, C = {0.3, 1.1, -0.7}, FROZEN = {0.2, -0.4, 0.9};
    static final double S0 = -0.8, K = 1.5;

    private static Graph model(TrainSpec spec) {
        GradCheck c = new GradCheck(1);
        Value w = c.param("fc.weight", 0, 1, 3);
        Value s = c.param("fc.bias", 0, 1);
        Value frozen = c.param("frozen.weight", 0, 1, 3);
        Value cc = c.buffer("c", 0, 1, 3);
        Emit e = c.e;
        Value loss = e.add(e.add(e.reduceAll(ReduceFn.SUM, e.mul(cc, e.unary(UnaryFn.SQUARE, w))),
                e.mul(e.scalar(K), e.unary(UnaryFn.SQUARE, s))), e.reduceAll(ReduceFn.SUM, e.mul(frozen, w)));
        c.g.output(Graph.LOSS, loss);
        c.g.setTrain(spec);
        return c.g;
    }

    private static TrainSpec spec(TrainSpec.Optimizer opt) {
        return new TrainSpec(opt, List.of(), List.of("frozen"), List.of(), null, null, TrainSpec.Prediction.VALUE);
    }

    private static Map<String, double[]> initialState() {
        Map<String, double[]> st = new HashMap<>();
        st.put("fc.weight", W0.clone());
        st.put("fc.bias", new double[] {S0});
        st.put("frozen.weight", FROZEN.clone());
        st.put("c", C.clone());
        return st;
    }

    /** Runs `steps` training steps of the compiled-to-IR update and returns the state. */
    private static Map<String, double[]> train(TrainSpec spec, int steps) {
        Graph g = Pipelines.training(spec).run(model(spec));
        Map<String, double[]> st = initialState();
        // optimizer state starts at zero, as Interpreter.initParams gives it
        Interpreter.initParams(g, 0).forEach(st::putIfAbsent);
        for (int i = 0; i < steps; i++) new Interpreter(g).run(1, Map.of(), st);
        return st;
    }

    @Test void sgdWithMomentumAndWeightDecay() {
        double lr = 0.1, mom = 0.9, wd = 0.01;
        TrainSpec spec = spec(new TrainSpec.Sgd(lr, mom, wd));
        double[] w = W0.clone(), bufW = new double[3];
        double s = S0, bufS = 0;
        for (int step = 1; step <= 3; step++) {
            for (int i = 0; i < 3; i++) {
                double g = 2 * C[i] * w[i] + FROZEN[i] + wd * w[i];
                bufW[i] = step == 1 ? g : mom * bufW[i] + g; // torch: the first buffer is the gradient itself
                w[i] -= lr * bufW[i];
            }
            double gs = 2 * K * s + wd * s;
            bufS = step == 1 ? gs : mom * bufS + gs;
            s -= lr * bufS;
            if (step == 1 || step == 3) {
                Map<String, double[]> st = train(spec, step);
                for (int i = 0; i < 3; i++) assertEquals(w[i], st.get("fc.weight")[i], 1e-12, "fc.weight after " + step);
                assertEquals(s, st.get("fc.bias")[0], 1e-12, "fc.bias after " + step);
                for (int i = 0; i < 3; i++) assertEquals(bufW[i], st.get("sgd.momentum.fc.weight")[i], 1e-12);
                assertEquals(FROZEN[0], st.get("frozen.weight")[0], "frozen parameters are not updated");
            }
        }
    }

    @Test void plainSgdHasNoState() {
        Graph g = Pipelines.training(spec(new TrainSpec.Sgd(0.5, 0, 0))).run(model(spec(new TrainSpec.Sgd(0.5, 0, 0))));
        assertTrue(g.params().stream().noneMatch(n -> ((Op.Param) n.op()).kind() == Op.ParamKind.STATE));
        Map<String, double[]> st = train(spec(new TrainSpec.Sgd(0.5, 0, 0)), 1);
        assertEquals(W0[1] - 0.5 * (2 * C[1] * W0[1] + FROZEN[1]), st.get("fc.weight")[1], 1e-12);
    }

    @Test void adamWithKerasDecay() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, decay = 0.5;
        TrainSpec spec = spec(new TrainSpec.Adam(lr, b1, b2, eps, decay));
        double[] w = W0.clone(), m = new double[3], v = new double[3];
        double s = S0, ms = 0, vs = 0;
        for (int t = 1; t <= 3; t++) {
            double lrT = lr / (1 + decay * (t - 1)); // Keras: decay by the number of steps already done
            double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
            for (int i = 0; i < 3; i++) {
                double g = 2 * C[i] * w[i] + FROZEN[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                w[i] -= lrT * (m[i] / bc1) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps); // torch: eps after the sqrt
            }
            double gs = 2 * K * s;
            ms = b1 * ms + (1 - b1) * gs;
            vs = b2 * vs + (1 - b2) * gs * gs;
            s -= lrT * (ms / bc1) / (Math.sqrt(vs) / Math.sqrt(bc2) + eps);
            if (t == 1 || t == 3) {
                Map<String, double[]> st = train(spec, t);
                for (int i = 0; i < 3; i++) assertEquals(w[i], st.get("fc.weight")[i], 1e-12, "fc.weight after " + t);
                assertEquals(s, st.get("fc.bias")[0], 1e-12, "fc.bias after " + t);
                for (int i = 0; i < 3; i++) {
                    assertEquals(m[i], st.get("adam.m.fc.weight")[i], 1e-12);
                    assertEquals(v[i], st.get("adam.v.fc.weight")[i], 1e-12);
                }
                assertEquals(t, st.get(OptimizerUpdate.STEP)[0]);
                assertEquals(FROZEN[2], st.get("frozen.weight")[2]);
                assertFalse(st.containsKey("adam.m.frozen.weight"), "no optimizer state for frozen parameters");
            }
        }
    }

    @Test void gradientOutputsAreDroppedUnlessKept() {
        TrainSpec spec = spec(new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0));
        Graph dropped = Pipelines.training(spec).run(model(spec));
        assertEquals(List.of(Graph.LOSS), List.copyOf(dropped.outputs().keySet()));
        assertTrue(dropped.updates().keySet().containsAll(List.of("fc.weight", "fc.bias", "adam.m.fc.weight", "adam.v.fc.weight", OptimizerUpdate.STEP)));
        assertFalse(dropped.updates().containsKey("frozen.weight"));

        Graph kept = new OptimizerUpdate(spec.optimizer(), true).run(Pipelines.gradients().run(model(spec)));
        assertEquals(List.of(Graph.LOSS, "grad:fc.weight", "grad:fc.bias"), List.copyOf(kept.outputs().keySet()));
    }
}
