package dlm.passes;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;

/**
 * Appends the optimizer step as IR: for every trainable parameter p with an output
 * {@code grad:p} (from {@link Autodiff}), the new value of p becomes a graph update, and so does
 * the optimizer state, held in {@code Param} leaves of kind STATE that start at zero. Being
 * ordinary IR, the update is fused and compiled like the rest of the step.
 */
public final class OptimizerUpdate implements Pass {
    public static final String STEP = "optimizer.step";

    private final TrainSpec.Optimizer optimizer; // null: the graph's train spec decides
    private final boolean keepGradients;

    /** Uses the optimizer of the graph's train spec and drops the gradient outputs. */
    public OptimizerUpdate() { this(null, false); }

    public OptimizerUpdate(TrainSpec.Optimizer optimizer, boolean keepGradients) {
        this.optimizer = optimizer;
        this.keepGradients = keepGradients;
    }

    @Override public String name() { return "optimizer"; }

    @Override public Graph run(Graph src) {
        TrainSpec.Optimizer opt = optimizer != null ? optimizer
                : src.train().orElseThrow(() -> new IllegalArgumentException("no optimizer: the graph has no train spec")).optimizer();
        Graph g = GraphRewriter.copy(src);
        Emit e = new Emit(g);
        // Adam's step counter is shared by all parameters: t = steps done before this one
        Value stepsDone = null;
        if (opt instanceof TrainSpec.Adam) {
            stepsDone = state(g, STEP, Shape.SCALAR);
            g.update(STEP, e.add(stepsDone, e.scalar(1)));
        }
        for (Node p : g.trainableParams()) {
            String name = ((Op.Param) p.op()).name();
            Value grad = g.outputs().get(Autodiff.gradName(name));
            if (grad == null) throw new IllegalArgumentException("no gradient output for " + name + ": run autodiff first");
            Value w = p.out();
            Value next = switch (opt) {
                case TrainSpec.Sgd s -> sgd(g, e, s, name, w, grad);
                case TrainSpec.Adam a -> adam(g, e, a, name, w, grad, stepsDone);
            };
            g.update(name, next);
            if (!keepGradients) g.removeOutput(Autodiff.gradName(name));
        }
        return g;
    }

    /**
     * torch.optim.SGD: g += wd * p; buf = momentum * buf + g (the first step's buf = g equals
     * this from buf = 0, as there is no dampening); p -= lr * buf.
     */
    private static Value sgd(Graph g, Emit e, TrainSpec.Sgd s, String name, Value w, Value grad) {
        Value d = s.weightDecay() != 0 ? e.add(grad, e.mul(e.scalar(s.weightDecay()), w)) : grad;
        if (s.momentum() != 0) {
            String bufName = "sgd.momentum." + name;
            Value buf = e.add(e.mul(e.scalar(s.momentum()), state(g, bufName, w.shape())), d);
            g.update(bufName, buf);
            d = buf;
        }
        return e.sub(w, e.mul(e.scalar(s.lr()), d));
    }

    /**
     * torch.optim.Adam with Keras' decay, t = stepsDone + 1: lr_t = lr / (1 + decay * stepsDone);
     * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
     * p -= lr_t * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
     */
    private static Value adam(Graph g, Emit e, TrainSpec.Adam a, String name, Value w, Value grad, Value stepsDone) {
        Value t = e.add(stepsDone, e.scalar(1));
        String mName = "adam.m." + name, vName = "adam.v." + name;
        Value m = e.add(e.mul(e.scalar(a.beta1()), state(g, mName, w.shape())), e.mul(e.scalar(1 - a.beta1()), grad));
        Value v = e.add(e.mul(e.scalar(a.beta2()), state(g, vName, w.shape())),
                e.mul(e.scalar(1 - a.beta2()), e.unary(UnaryFn.SQUARE, grad)));
        g.update(mName, m);
        g.update(vName, v);
        // beta^t = exp(t ln beta): t is a graph value, and the IR has no pow
        Value bc1 = e.sub(e.scalar(1), e.unary(UnaryFn.EXP, e.mul(t, e.scalar(Math.log(a.beta1())))));
        Value bc2 = e.sub(e.scalar(1), e.unary(UnaryFn.EXP, e.mul(t, e.scalar(Math.log(a.beta2())))));
        Value lr = e.scalar(a.lr());
        if (a.decay() != 0)
            lr = e.div(lr, e.add(e.scalar(1), e.mul(e.scalar(a.decay()), stepsDone)));
        Value denom = e.add(e.unary(UnaryFn.SQRT, e.div(v, bc2)), e.scalar(a.eps()));
        return e.sub(w, e.div(e.mul(lr, e.div(m, bc1)), denom));
    }

    /** The optimizer state of that name, created (zero-initialized) when the graph lacks it. */
    private static Value state(Graph g, String name, Shape shape) {
        return g.param(name).map(Node::out)
                .orElseGet(() -> g.addLeaf(new Op.Param(name, Op.ParamKind.STATE, Op.Init.ZEROS, 0), Type.f32(shape)));
    }

    @Override public String toString() { return name() + (keepGradients ? "(keep gradients)" : ""); }
}
