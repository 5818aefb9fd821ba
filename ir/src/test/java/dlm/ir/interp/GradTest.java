package dlm.ir.interp;

import static dlm.ir.interp.OpCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dlm.ir.Op;
import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.ReduceFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Op.UpsampleMode;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every gradient op against central finite differences of its forward op, in double. */
class GradTest {
    private final SplittableRandom rnd = new SplittableRandom(12345);

    /** Random values away from 0, so kinks (relu, abs) and ties are not hit by FD steps. */
    private Tensor awayFromZero(int... shape) {
        Tensor t = random(rnd, shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] += Math.signum(t.data()[i]) * 0.1;
        return t;
    }

    private Tensor positive(int... shape) {
        Tensor t = random(rnd, shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = 0.2 + Math.abs(t.data()[i]);
        return t;
    }

    @Test void unaryGrad() {
        for (UnaryFn fn : UnaryFn.values()) {
            boolean domain = fn == UnaryFn.LOG || fn == UnaryFn.SQRT || fn == UnaryFn.RSQRT || fn == UnaryFn.LOG1P;
            Tensor x = domain ? positive(2, 5) : awayFromZero(2, 5);
            for (int i = 0; i < x.size(); i++) x.data()[i] *= domain ? 1 : 3; // reach the tails of gelu, tanh, sigmoid
            double alpha = 0.07;
            gradCheck(fn.name(), v -> eval(new Op.Unary(fn, alpha), v), x, r -> eval(new Op.UnaryGrad(fn, alpha), r, x), fn.ordinal());
        }
    }

    @Test void binaryCrossEntropyGrad() {
        Tensor p = random(rnd, 3, 4), y = random(rnd, 3, 4);
        for (int i = 0; i < p.size(); i++) {
            p.data()[i] = 0.05 + 0.9 * Math.abs(Math.sin(p.data()[i] * 7));
            y.data()[i] = i % 3 == 0 ? 0.3 : i % 2;   // hard labels and a soft one
        }
        gradCheck("bce wrt p", v -> eval(new Op.BinaryCrossEntropy(), v, y), p, r -> eval(new Op.BinaryCrossEntropyGrad(), r, p, y), 40);
    }

    @Test void binaryCrossEntropyStaysFiniteAtCertainPredictions() {
        Tensor p = new Tensor(new int[]{4}, new double[]{0, 1, 0, 1}), y = new Tensor(new int[]{4}, new double[]{0, 1, 1, 0});
        Tensor loss = eval(new Op.BinaryCrossEntropy(), p, y);
        assertArrayEquals(new double[]{0, 0, 100, 100}, loss.data(), 1e-12);   // PyTorch clamps log at -100
        Tensor ones = new Tensor(new int[]{4}, new double[]{1, 1, 1, 1});
        Tensor g = eval(new Op.BinaryCrossEntropyGrad(), ones, p, y);
        assertArrayEquals(new double[]{0, 0, -1e12, 1e12}, g.data(), 1.0);      // (p - y) / max(p(1-p), 1e-12)
    }

    @Test void sumToIsTheGradientOfBroadcasting() {
        Tensor a = random(rnd, 2, 3, 4), b = random(rnd, 3, 1);
        gradCheck("add wrt b", v -> eval(new Op.Binary(BinaryFn.ADD), a, v), b, r -> eval(new Op.SumTo(List.of(3, 1)), r), 1);
        gradCheck("mul wrt a", v -> eval(new Op.Binary(BinaryFn.MUL), v, b), a,
                r -> eval(new Op.SumTo(List.of(2, 3, 4)), eval(new Op.Binary(BinaryFn.MUL), r, b)), 2);
        gradCheck("mul wrt b", v -> eval(new Op.Binary(BinaryFn.MUL), a, v), b,
                r -> eval(new Op.SumTo(List.of(3, 1)), eval(new Op.Binary(BinaryFn.MUL), r, a)), 3);
    }

    @Test void matMulTransposesGiveItsGradients() {
        Tensor a = random(rnd, 2, 3, 4), w = random(rnd, 5, 4);
        // y = a w^T (a dense layer): da = dy w, dw = sum over leading axes of dy^T a
        gradCheck("dense wrt a", v -> eval(new Op.MatMul(false, true), v, w), a, r -> eval(new Op.MatMul(false, false), r, w), 4);
        gradCheck("dense wrt w", v -> eval(new Op.MatMul(false, true), a, v), w,
                r -> eval(new Op.MatMul(true, false), eval(new Op.Reshape(List.of(6, 5)), r), eval(new Op.Reshape(List.of(6, 4)), a)), 5);
        Tensor p = random(rnd, 2, 4, 3), q = random(rnd, 2, 4, 5);
        // batched, both transposed flags: y = p^T q
        gradCheck("batched wrt q", v -> eval(new Op.MatMul(true, false), p, v), q, r -> eval(new Op.MatMul(false, false), p, r), 6);
    }

    private void convCase(int n, int c, int h, int w, int f, int k, int stride, int dil, int groups, int pt, int pl, int pb, int pr) {
        Tensor x = random(rnd, n, c, h, w), wt = random(rnd, f, c / groups, k, k);
        Op.Conv2d op = new Op.Conv2d(stride, dil, groups, pt, pl, pb, pr);
        String what = "conv " + List.of(n, c, h, w, f, k, stride, dil, groups, pt, pl, pb, pr);
        gradCheck(what + " dx", v -> eval(op, v, wt), x,
                r -> eval(new Op.Conv2dGradInput(stride, dil, groups, pt, pl, pb, pr, h, w), r, wt), 7);
        gradCheck(what + " dw", v -> eval(op, x, v), wt,
                r -> eval(new Op.Conv2dGradWeight(stride, dil, groups, pt, pl, pb, pr, k, k), r, x), 8);
    }

    @Test void conv2dGradients() {
        convCase(2, 3, 5, 5, 4, 3, 1, 1, 1, 0, 0, 0, 0);
        convCase(1, 2, 6, 7, 3, 3, 2, 1, 1, 1, 1, 1, 1);   // stride 2, odd width: the last column is dropped
        convCase(1, 2, 7, 7, 2, 2, 1, 2, 1, 0, 0, 0, 0);   // dilation
        convCase(2, 4, 5, 4, 6, 3, 1, 1, 2, 1, 1, 1, 1);   // groups
        convCase(1, 3, 5, 5, 3, 3, 2, 1, 3, 2, 0, 1, 1);   // depthwise, stride, asymmetric padding
        convCase(1, 2, 4, 5, 2, 2, 3, 2, 1, 2, 1, 0, 2);   // stride 3 with dilation and asymmetric padding
    }

    @Test void maxPoolGrad() {
        for (int[] c : new int[][]{{2, 2, 0, 0, 0, 0}, {3, 2, 1, 1, 1, 1}, {2, 1, 0, 1, 1, 0}, {3, 3, 1, 0, 1, 1}}) {
            Tensor x = random(rnd, 2, 2, 5, 6); // random doubles: no ties
            Op.MaxPool2d f = new Op.MaxPool2d(c[0], c[1], c[2], c[3], c[4], c[5]);
            gradCheck("maxpool " + java.util.Arrays.toString(c), v -> eval(f, v), x,
                    r -> eval(new Op.MaxPool2dGrad(c[0], c[1], c[2], c[3], c[4], c[5]), r, x), 9);
        }
    }

    @Test void maxPoolGradGoesToTheFirstMax() {
        Tensor x = t(s(1, 1, 2, 2), 1, 5, 5, 0);
        close(new double[]{0, 3, 0, 0}, eval(new Op.MaxPool2dGrad(2, 2, 0, 0, 0, 0), t(s(1, 1, 1, 1), 3), x));
    }

    @Test void avgPoolGrad() {
        for (boolean include : new boolean[]{true, false})
            for (int[] c : new int[][]{{2, 2, 0, 0, 0, 0}, {3, 2, 1, 1, 1, 1}, {2, 1, 0, 1, 1, 0}, {3, 3, 1, 0, 1, 1}}) {
                Tensor x = random(rnd, 1, 2, 5, 6);
                Op.AvgPool2d f = new Op.AvgPool2d(c[0], c[1], c[2], c[3], c[4], c[5], include);
                gradCheck("avgpool " + include + java.util.Arrays.toString(c), v -> eval(f, v), x,
                        r -> eval(new Op.AvgPool2dGrad(c[0], c[1], c[2], c[3], c[4], c[5], include, 5, 6), r), 10);
            }
    }

    @Test void upsampleGrad() {
        for (UpsampleMode mode : UpsampleMode.values())
            for (int scale : new int[]{2, 3}) {
                Tensor x = random(rnd, 2, 2, 3, 4);
                gradCheck("upsample " + mode + " x" + scale, v -> eval(new Op.Upsample(scale, mode), v), x,
                        r -> eval(new Op.UpsampleGrad(scale, mode), r), 11);
            }
    }

    @Test void reduceGrad() {
        for (ReduceFn fn : ReduceFn.values())
            for (List<Integer> axes : List.of(List.of(0), List.of(1, 2), List.of(-1), List.of(0, 1, 2)))
                for (boolean keep : new boolean[]{false, true}) {
                    Tensor x = random(rnd, 2, 3, 4);
                    Op.Reduce f = new Op.Reduce(fn, axes, keep);
                    Tensor y = eval(f, x);
                    gradCheck("reduce " + fn + axes + keep, v -> eval(f, v), x, r -> eval(new Op.ReduceGrad(fn, axes, keep), r, x, y), 12);
                }
    }

    @Test void softmaxGrads() {
        for (int axis : new int[]{-1, 0, 1}) {
            Tensor x = random(rnd, 3, 4, 2);
            for (int i = 0; i < x.size(); i++) x.data()[i] *= 4;
            Tensor y = eval(new Op.Softmax(axis), x), ly = eval(new Op.LogSoftmax(axis), x);
            gradCheck("softmax axis " + axis, v -> eval(new Op.Softmax(axis), v), x, r -> eval(new Op.SoftmaxGrad(axis), r, y), 13);
            gradCheck("log_softmax axis " + axis, v -> eval(new Op.LogSoftmax(axis), v), x, r -> eval(new Op.LogSoftmaxGrad(axis), r, ly), 14);
        }
    }

    @Test void sliceAndMovementGrads() {
        Tensor x = random(rnd, 2, 5, 3);
        gradCheck("slice", v -> eval(new Op.Slice(1, 1, 4), v), x, r -> eval(new Op.SliceGrad(1, 1, 5), r), 15);
        gradCheck("slice last axis", v -> eval(new Op.Slice(-1, 0, 2), v), x, r -> eval(new Op.SliceGrad(-1, 0, 3), r), 16);
        // transpose's gradient is the inverse permutation
        gradCheck("transpose", v -> eval(new Op.Transpose(List.of(2, 0, 1)), v), x, r -> eval(new Op.Transpose(List.of(1, 2, 0)), r), 17);
    }

    @Test void embeddingGrad() {
        Tensor w = random(rnd, 5, 3), ids = t(s(2, 3), 4, 0, 4, 1, 1, 2);
        gradCheck("embedding", v -> eval(new Op.Embedding(), v, ids), w, r -> eval(new Op.EmbeddingGrad(5), r, ids), 18);
    }
}
