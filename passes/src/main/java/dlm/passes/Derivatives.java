package dlm.passes;

import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Shape;
import dlm.ir.Value;
import java.util.List;

/**
 * The vector-Jacobian product of every op: given dy, the gradient of the loss with respect to
 * a node's output, emit the gradients with respect to its inputs. The switch is exhaustive over
 * the sealed {@link Op}: a new op does not compile until it has a rule here, or an explicit
 * "no gradient".
 */
final class Derivatives {
    private Derivatives() {}

    /** Where a rule delivers its results. */
    interface Grads {
        /** Whether input i needs a gradient (rules skip the work otherwise). */
        boolean needs(int i);
        void add(int i, Value grad);
    }

    /** Ops whose output carries no gradient back to their inputs, whatever the inputs are. */
    static boolean blocksGradient(Op op) {
        return op instanceof Op.DropoutMask || op instanceof Op.OneHot || op instanceof Op.Leaf;
    }

    static void backward(Emit e, Node n, Value dy, Grads out) {
        Value y = n.out();
        switch (n.op()) {
            case Op.Input _, Op.Target _, Op.Param _, Op.Fill _ -> {}
            // a fresh random mask and one-hot codes do not depend on their input's values
            case Op.DropoutMask _, Op.OneHot _ -> {}

            case Op.Unary u -> { if (out.needs(0)) out.add(0, unary(e, u, dy, n.input(0), y)); }
            case Op.Binary b -> binary(e, b.fn(), dy, n.input(0), n.input(1), out);
            case Op.MatMul m -> matmul(e, m, dy, n.input(0), n.input(1), out);
            case Op.BinaryCrossEntropy _ -> {
                if (out.needs(0)) out.add(0, e.op(new Op.BinaryCrossEntropyGrad(), dy, n.input(0), n.input(1)));
                if (out.needs(1)) throw noGradient(n, "no gradient with respect to the target");
            }

            case Op.Conv2d c -> {
                Value x = n.input(0), w = n.input(1);
                if (out.needs(0)) out.add(0, e.op(new Op.Conv2dGradInput(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), x.shape().dim(2), x.shape().dim(3)), dy, w));
                if (out.needs(1)) out.add(1, e.op(new Op.Conv2dGradWeight(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), w.shape().dim(2), w.shape().dim(3)), dy, x));
            }
            // z = conv_transpose(d, w) is linear in each input, and <dz, z> = <conv(dz, w), d>:
            // so d(d) = conv(dz, w) and d(w) = conv_grad_weight with dy = d and x = dz
            case Op.Conv2dGradInput c -> {
                Value d = n.input(0), w = n.input(1);
                Op.Conv2d conv = new Op.Conv2d(c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
                if (out.needs(0)) out.add(0, e.op(conv, dy, w));
                if (out.needs(1)) out.add(1, e.op(new Op.Conv2dGradWeight(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), w.shape().dim(2), w.shape().dim(3)), d, dy));
            }
            // z = conv_grad_weight(d, x) and <dz, z> = <conv(x, dz), d>
            case Op.Conv2dGradWeight c -> {
                Value d = n.input(0), x = n.input(1);
                Op.Conv2d conv = new Op.Conv2d(c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
                if (out.needs(0)) out.add(0, e.op(conv, x, dy));
                if (out.needs(1)) out.add(1, e.op(new Op.Conv2dGradInput(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), x.shape().dim(2), x.shape().dim(3)), d, dy));
            }

            case Op.MaxPool2d p -> { if (out.needs(0)) out.add(0, e.op(new Op.MaxPool2dGrad(p.kernel(), p.stride(),
                    p.padTop(), p.padLeft(), p.padBottom(), p.padRight()), dy, n.input(0))); }
            case Op.AvgPool2d p -> { if (out.needs(0)) out.add(0, e.op(new Op.AvgPool2dGrad(p.kernel(), p.stride(),
                    p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad(),
                    n.input(0).shape().dim(2), n.input(0).shape().dim(3)), dy)); }
            // avg_pool_grad is the transpose of avg_pool, a linear map: its own transpose is avg_pool
            case Op.AvgPool2dGrad p -> { if (out.needs(0)) out.add(0, e.op(new Op.AvgPool2d(p.kernel(), p.stride(),
                    p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad()), dy)); }
            // the channels-last twins: the same rules with spatial dims at 1, 2 and the same weights
            case Op.Conv2dNhwc c -> {
                Value x = n.input(0), w = n.input(1);
                if (out.needs(0)) out.add(0, e.op(new Op.Conv2dNhwcGradInput(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), x.shape().dim(1), x.shape().dim(2)), dy, w));
                if (out.needs(1)) out.add(1, e.op(new Op.Conv2dNhwcGradWeight(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), w.shape().dim(2), w.shape().dim(3)), dy, x));
            }
            case Op.Conv2dNhwcGradInput c -> {
                Value d = n.input(0), w = n.input(1);
                Op.Conv2dNhwc conv = new Op.Conv2dNhwc(c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
                if (out.needs(0)) out.add(0, e.op(conv, dy, w));
                if (out.needs(1)) out.add(1, e.op(new Op.Conv2dNhwcGradWeight(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), w.shape().dim(2), w.shape().dim(3)), d, dy));
            }
            case Op.Conv2dNhwcGradWeight c -> {
                Value d = n.input(0), x = n.input(1);
                Op.Conv2dNhwc conv = new Op.Conv2dNhwc(c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight());
                if (out.needs(0)) out.add(0, e.op(conv, x, dy));
                if (out.needs(1)) out.add(1, e.op(new Op.Conv2dNhwcGradInput(c.stride(), c.dilation(), c.groups(),
                        c.padTop(), c.padLeft(), c.padBottom(), c.padRight(), x.shape().dim(1), x.shape().dim(2)), d, dy));
            }
            case Op.MaxPool2dNhwc p -> { if (out.needs(0)) out.add(0, e.op(new Op.MaxPool2dNhwcGrad(p.kernel(), p.stride(),
                    p.padTop(), p.padLeft(), p.padBottom(), p.padRight()), dy, n.input(0))); }
            case Op.AvgPool2dNhwc p -> { if (out.needs(0)) out.add(0, e.op(new Op.AvgPool2dNhwcGrad(p.kernel(), p.stride(),
                    p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad(),
                    n.input(0).shape().dim(1), n.input(0).shape().dim(2)), dy)); }
            case Op.AvgPool2dNhwcGrad p -> { if (out.needs(0)) out.add(0, e.op(new Op.AvgPool2dNhwc(p.kernel(), p.stride(),
                    p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad()), dy)); }
            case Op.Upsample u -> { if (out.needs(0)) out.add(0, e.op(new Op.UpsampleGrad(u.scale(), u.mode()), dy)); }
            case Op.UpsampleGrad u -> { if (out.needs(0)) out.add(0, e.op(new Op.Upsample(u.scale(), u.mode()), dy)); }

            case Op.Reduce r -> {
                if (r.fn() == Op.ReduceFn.VAR_UNBIASED) throw noGradient(n, "var_unbiased only feeds running statistics");
                if (out.needs(0)) out.add(0, e.op(new Op.ReduceGrad(r.fn(), r.axes(), r.keepDims()), dy, n.input(0), y));
            }
            // the gradient of summing over broadcast axes is broadcasting back: adding a zero
            // of the input's shape broadcasts dy (aligned from the right, as sum_to reduced it)
            case Op.SumTo _ -> { if (out.needs(0)) out.add(0, broadcastTo(e, dy, n.input(0).shape())); }
            case Op.Softmax s -> { if (out.needs(0)) out.add(0, e.op(new Op.SoftmaxGrad(s.axis()), dy, y)); }
            case Op.LogSoftmax s -> { if (out.needs(0)) out.add(0, e.op(new Op.LogSoftmaxGrad(s.axis()), dy, y)); }

            case Op.Reshape _ -> { if (out.needs(0)) out.add(0, e.reshape(dy, n.input(0).shape().dims())); }
            case Op.Transpose t -> {
                if (!out.needs(0)) break;
                Shape xs = n.input(0).shape();
                Integer[] inv = new Integer[t.perm().size()];
                for (int i = 0; i < inv.length; i++) inv[xs.axis(t.perm().get(i))] = i;
                out.add(0, e.op(new Op.Transpose(List.of(inv)), dy));
            }
            case Op.Concat c -> {
                int axis = y.shape().axis(c.axis()), off = 0;
                for (int i = 0; i < n.inputs().size(); i++) {
                    int size = n.input(i).shape().dim(axis);
                    if (out.needs(i)) out.add(i, e.slice(dy, axis, off, off + size));
                    off += size;
                }
            }
            case Op.Slice s -> { if (out.needs(0)) out.add(0, e.op(new Op.SliceGrad(s.axis(), s.start(),
                    n.input(0).shape().dim(n.input(0).shape().axis(s.axis()))), dy)); }
            case Op.SliceGrad s -> { if (out.needs(0)) out.add(0, e.slice(dy, s.axis(), s.start(),
                    s.start() + n.input(0).shape().dim(n.input(0).shape().axis(s.axis())))); }
            case Op.Embedding _ -> {
                Value w = n.input(0);
                if (out.needs(0)) out.add(0, e.op(new Op.EmbeddingGrad(w.shape().dim(0)), dy, n.input(1)));
            }
            // embedding_grad scatters rows of d to ids; its transpose gathers them back
            case Op.EmbeddingGrad _ -> { if (out.needs(0)) out.add(0, e.op(new Op.Embedding(), dy, n.input(1))); }

            // second order through these is not needed by training; refuse rather than be wrong
            case Op.UnaryGrad _, Op.BinaryCrossEntropyGrad _, Op.MaxPool2dGrad _, Op.MaxPool2dNhwcGrad _, Op.ReduceGrad _, Op.SoftmaxGrad _, Op.LogSoftmaxGrad _ ->
                    throw noGradient(n, "no second-order rule");

            case Op.BatchNorm _, Op.LayerNorm _, Op.Dropout _, Op.Lstm _, Op.Loss _ ->
                    throw new IllegalStateException(n.op().opName() + " is a layer op: run the lower pass before autodiff");
        }
    }

    private static IllegalStateException noGradient(Node n, String why) {
        return new IllegalStateException("autodiff: " + n.op().opName() + " (" + n.out() + ") has no gradient: " + why);
    }

    /**
     * dy * f'(x); sigmoid, tanh and exp use their output, which is already computed. So does
     * relu: its step [x > 0] equals [relu(x) > 0], and the output is kept for the next layer
     * anyway, so the input need not be stored for the backward pass.
     */
    private static Value unary(Emit e, Op.Unary u, Value dy, Value x, Value y) {
        return switch (u.fn()) {
            case IDENTITY -> dy;
            case NEG -> e.neg(dy);
            case EXP -> e.mul(dy, y);
            case SIGMOID -> e.mul(dy, e.mul(y, e.sub(e.scalar(1), y)));
            case TANH -> e.mul(dy, e.sub(e.scalar(1), e.unary(UnaryFn.SQUARE, y)));
            case RELU -> e.op(new Op.UnaryGrad(u.fn(), u.alpha()), dy, y);
            case GELU, LEAKY_RELU, LOG, LOG1P, SQRT, RSQRT, ABS, SQUARE -> e.op(new Op.UnaryGrad(u.fn(), u.alpha()), dy, x);
        };
    }

    private static void binary(Emit e, BinaryFn fn, Value dy, Value a, Value b, Grads out) {
        Shape sa = a.shape(), sb = b.shape();
        switch (fn) {
            case ADD -> {
                if (out.needs(0)) out.add(0, e.sumTo(dy, sa));
                if (out.needs(1)) out.add(1, e.sumTo(dy, sb));
            }
            case SUB -> {
                if (out.needs(0)) out.add(0, e.sumTo(dy, sa));
                if (out.needs(1)) out.add(1, e.sumTo(e.neg(dy), sb));
            }
            case MUL -> {
                if (out.needs(0)) out.add(0, e.sumTo(e.mul(dy, b), sa));
                if (out.needs(1)) out.add(1, e.sumTo(e.mul(dy, a), sb));
            }
            case DIV -> {
                if (out.needs(0)) out.add(0, e.sumTo(e.div(dy, b), sa));
                // d(a/b)/db = -a/b^2 = -(a/b)/b
                if (out.needs(1)) out.add(1, e.sumTo(e.neg(e.div(e.mul(dy, e.div(a, b)), b)), sb));
            }
            case MAX, MIN -> {
                // the IR has no compare/select: relu'(t) is the step [t > 0] (relu'(0) = 0), so
                // unary_grad(relu)(dy, a - b) is dy where a > b. Ties send the gradient to b.
                Value diff = fn == BinaryFn.MAX ? e.sub(a, b) : e.sub(b, a);
                // (dy and a - b both have the broadcast output shape)
                Value toA = e.op(new Op.UnaryGrad(UnaryFn.RELU, 0), dy, diff);
                if (out.needs(0)) out.add(0, e.sumTo(toA, sa));
                if (out.needs(1)) out.add(1, e.sumTo(e.sub(dy, toA), sb));
            }
        }
    }

    /**
     * C = op(A) op(B). The rank > 2 A with a rank-2 (shared) B is a dense layer over leading
     * axes: dB sums the per-index products over the leading axes.
     */
    private static void matmul(Emit e, Op.MatMul m, Value dc, Value a, Value b, Grads out) {
        boolean ta = m.transA(), tb = m.transB();
        if (out.needs(0)) {
            Value da = ta ? mm(e, b, dc, tb, true) : mm(e, dc, b, false, !tb);
            out.add(0, sumLeading(e, da, a.shape().rank()));
        }
        if (out.needs(1)) {
            Value db = tb ? mm(e, dc, a, true, ta) : mm(e, a, dc, !ta, false);
            out.add(1, sumLeading(e, db, b.shape().rank()));
        }
    }

    /** op(x) op(y), also when x is a shared matrix and y is batched: (op(y)^T op(x)^T)^T. */
    private static Value mm(Emit e, Value x, Value y, boolean tx, boolean ty) {
        if (x.shape().rank() == 2 && y.shape().rank() > 2)
            return e.transposeLast2(e.op(new Op.MatMul(!ty, !tx), y, x));
        return e.op(new Op.MatMul(tx, ty), x, y);
    }

    private static Value sumLeading(Emit e, Value v, int rank) {
        int extra = v.shape().rank() - rank;
        return extra == 0 ? v : e.reduce(Op.ReduceFn.SUM, Emit.range(0, extra), false, v);
    }

    static Value broadcastTo(Emit e, Value dy, Shape s) {
        return dy.shape().equals(s) ? dy : e.add(dy, e.fill(0, s));
    }
}
