package dlm.passes;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Op.ReduceFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Shape;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites the layer ops (batchnorm, layernorm, dropout, lstm, losses) into primitives, for
 * training or for inference, computing exactly what PyTorch computes. After this pass the graph
 * holds only ops that the interpreter, autodiff and the backends know.
 */
public final class LowerLayers implements Pass {
    public enum Mode { TRAIN, INFER }

    private final Mode mode;

    public LowerLayers(Mode mode) { this.mode = mode; }

    public Mode mode() { return mode; }

    @Override public String name() { return "lower"; }

    @Override public Graph run(Graph g) {
        return GraphRewriter.rewrite(g, (rw, n) -> {
            Value out = switch (n.op()) {
                case Op.BatchNorm bn -> batchNorm(rw, n, bn);
                case Op.LayerNorm ln -> layerNorm(rw.emit(), rw.in(n, 0), rw.in(n, 1), rw.in(n, 2), ln.eps());
                case Op.Dropout d -> mode == Mode.TRAIN && d.rate() > 0
                        ? rw.emit().mul(rw.in(n, 0), rw.emit().op(new Op.DropoutMask(d.rate()), rw.in(n, 0)))
                        : rw.in(n, 0);
                case Op.Lstm l -> lstm(rw.emit(), l, rw.inputs(n));
                case Op.Loss l -> loss(rw.emit(), l.fn(), rw.in(n, 0), rw.in(n, 1));
                default -> null;
            };
            if (out == null) return false;
            rw.put(n.out(), out);
            return true;
        });
    }

    // ------------------------------------------------------------------ batchnorm

    /**
     * y = (x - mean) * rsqrt(var + eps) * w + b per channel (axis 1). In training the statistics
     * are the batch's (biased variance) and the running buffers are updated with the unbiased
     * variance, as torch.nn.BatchNorm does. A batchnorm whose weight is frozen uses its running
     * statistics in training too and leaves them alone (Keras' rule for frozen layers).
     */
    private Value batchNorm(GraphRewriter rw, Node n, Op.BatchNorm bn) {
        Emit e = rw.emit();
        Value x = rw.in(n, 0), w = rw.in(n, 1), b = rw.in(n, 2), rm = rw.in(n, 3), rv = rw.in(n, 4);
        Shape xs = x.shape();
        int c = xs.dim(1);
        // [C, 1, 1] so that per-channel vectors broadcast against [N, C, H, W] from the right
        List<Integer> chanShape = new ArrayList<>(List.of(c));
        for (int i = 2; i < xs.rank(); i++) chanShape.add(1);
        List<Integer> axes = new ArrayList<>(List.of(0));
        axes.addAll(Emit.range(2, xs.rank()));

        boolean frozen = !trainable(rw.source(), n.input(1));
        Value centered, invStd;
        if (mode == Mode.TRAIN && !frozen) {
            Value mean = e.reduce(ReduceFn.MEAN, axes, true, x);
            centered = e.sub(x, mean);
            Value var = e.reduce(ReduceFn.MEAN, axes, true, e.unary(UnaryFn.SQUARE, centered));
            invStd = e.unary(UnaryFn.RSQRT, e.add(var, e.scalar(bn.eps())));

            double m = bn.momentum();
            Value batchMean = e.reshape(mean, List.of(c));
            Value batchVar = e.reduce(ReduceFn.VAR_UNBIASED, axes, false, x);
            rw.update(paramName(rw.source(), n.input(3)), e.add(e.mul(e.scalar(1 - m), rm), e.mul(e.scalar(m), batchMean)));
            rw.update(paramName(rw.source(), n.input(4)), e.add(e.mul(e.scalar(1 - m), rv), e.mul(e.scalar(m), batchVar)));
        } else {
            centered = e.sub(x, e.reshape(rm, chanShape));
            invStd = e.unary(UnaryFn.RSQRT, e.add(e.reshape(rv, chanShape), e.scalar(bn.eps())));
        }
        return e.add(e.mul(e.mul(centered, invStd), e.reshape(w, chanShape)), e.reshape(b, chanShape));
    }

    private static boolean trainable(Graph g, Value weight) {
        Op op = g.producer(weight).op();
        if (!(op instanceof Op.Param p)) return true;
        return g.train().map(s -> s.isTrainable(p.name())).orElse(true);
    }

    private static String paramName(Graph g, Value v) {
        if (g.producer(v).op() instanceof Op.Param p) return p.name();
        throw new IllegalStateException("batchnorm running statistics must be parameters, got " + g.producer(v).op().opName());
    }

    // ------------------------------------------------------------------ layernorm

    /** Normalizes over the last axis with the biased variance, as torch.nn.LayerNorm. */
    static Value layerNorm(Emit e, Value x, Value w, Value b, double eps) {
        List<Integer> last = List.of(x.shape().rank() - 1);
        Value centered = e.sub(x, e.reduce(ReduceFn.MEAN, last, true, x));
        Value var = e.reduce(ReduceFn.MEAN, last, true, e.unary(UnaryFn.SQUARE, centered));
        Value invStd = e.unary(UnaryFn.RSQRT, e.add(var, e.scalar(eps)));
        return e.add(e.mul(e.mul(centered, invStd), w), b);
    }

    // ------------------------------------------------------------------ lstm

    /**
     * torch.nn.LSTM, one layer, batch first, unrolled over time. The input projection of all
     * steps is one matmul; each step adds h W_hh^T and splits the gates i, f, g, o.
     */
    static Value lstm(Emit e, Op.Lstm l, List<Value> in) {
        Value x = in.get(0), wih = in.get(1), whh = in.get(2), bih = in.get(3), bhh = in.get(4);
        int n = x.shape().dim(0), t = x.shape().dim(1), hdim = l.units();
        Value xw = e.add(e.add(e.op(new Op.MatMul(false, true), x, wih), bih), bhh); // [N, T, 4H]
        Value h = e.fill(0, new Shape(List.of(n, hdim)));
        Value c = e.fill(0, new Shape(List.of(n, hdim)));
        List<Value> hs = new ArrayList<>();
        for (int s = 0; s < t; s++) {
            Value xt = e.reshape(e.slice(xw, 1, s, s + 1), List.of(n, 4 * hdim));
            Value gates = e.add(xt, e.op(new Op.MatMul(false, true), h, whh));
            Value i = e.unary(UnaryFn.SIGMOID, e.slice(gates, 1, 0, hdim));
            Value f = e.unary(UnaryFn.SIGMOID, e.slice(gates, 1, hdim, 2 * hdim));
            Value g = e.unary(UnaryFn.TANH, e.slice(gates, 1, 2 * hdim, 3 * hdim));
            Value o = e.unary(UnaryFn.SIGMOID, e.slice(gates, 1, 3 * hdim, 4 * hdim));
            c = e.add(e.mul(f, c), e.mul(i, g));
            h = e.mul(o, e.unary(UnaryFn.TANH, c));
            if (l.returnSequences()) hs.add(e.reshape(h, List.of(n, 1, hdim)));
        }
        if (!l.returnSequences()) return h;
        return hs.size() == 1 ? hs.get(0) : e.graph().add(new Op.Concat(1), hs);
    }

    // ------------------------------------------------------------------ losses

    /** Each loss as torch.nn.functional computes it with reduction='mean'. */
    static Value loss(Emit e, Op.LossFn fn, Value p, Value y) {
        return switch (fn) {
            case BINARY_CROSS_ENTROPY -> {
                // one primitive, not log and max: its gradient must stay finite at p = 0 or 1
                yield e.reduceAll(ReduceFn.MEAN, e.op(new Op.BinaryCrossEntropy(), p, y));
            }
            case BINARY_CROSS_ENTROPY_WITH_LOGITS -> {
                // the log-sum-exp form: stable for logits of any size
                Value stable = e.unary(UnaryFn.LOG1P, e.unary(UnaryFn.EXP, e.neg(e.unary(UnaryFn.ABS, p))));
                Value l = e.add(e.sub(e.unary(UnaryFn.RELU, p), e.mul(p, y)), stable);
                yield e.reduceAll(ReduceFn.MEAN, l);
            }
            case CROSS_ENTROPY -> {
                int classAxis = p.shape().rank() - 1;
                Value logProb = e.op(new Op.LogSoftmax(classAxis), p);
                Value probs = y.dtype() == DType.I32 ? e.op(new Op.OneHot(p.shape().dim(classAxis)), y) : y;
                Value perSample = e.reduce(ReduceFn.SUM, List.of(classAxis), false, e.mul(probs, logProb));
                yield e.neg(e.reduceAll(ReduceFn.MEAN, perSample));
            }
            case MSE -> e.reduceAll(ReduceFn.MEAN, e.unary(UnaryFn.SQUARE, e.sub(p, y)));
        };
    }

    @Override public String toString() { return name() + "(" + mode + ")"; }
}
