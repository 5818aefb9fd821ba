package dlm.ir.interp;

import static dlm.ir.interp.OpCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Op;
import dlm.ir.Op.ReduceFn;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReduceMoveTest {
    private final Tensor x23 = t(s(2, 3), 1, 2, 3, 4, 5, 6);

    @Test void reductions() {
        close(new double[]{5, 7, 9}, eval(new Op.Reduce(ReduceFn.SUM, List.of(0), false), x23));
        Tensor m = eval(new Op.Reduce(ReduceFn.MEAN, List.of(1), true), x23);
        assertArrayEquals(s(2, 1), m.shape());
        close(new double[]{2, 5}, m);
        close(new double[]{2, 5}, eval(new Op.Reduce(ReduceFn.MEAN, List.of(-1), false), x23));
        Tensor mx = eval(new Op.Reduce(ReduceFn.MAX, List.of(0, 1), false), t(s(2, 3), -5, -2, -9, -3, -7, -4));
        assertArrayEquals(s(), mx.shape());
        close(new double[]{-2}, mx);
        // unbiased: rows {1,2,3} and {4,5,6} have variance 1; columns {1,4} have (1.5^2*2)/1 = 4.5
        close(new double[]{1, 1}, eval(new Op.Reduce(ReduceFn.VAR_UNBIASED, List.of(1), false), x23));
        close(new double[]{4.5, 4.5, 4.5}, eval(new Op.Reduce(ReduceFn.VAR_UNBIASED, List.of(0), false), x23));
        // the middle axis of a rank-3 tensor
        close(new double[]{4, 6, 12, 14}, eval(new Op.Reduce(ReduceFn.SUM, List.of(1), false), t(s(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8)));
    }

    @Test void reduceGradMaxSplitsTiesLikeAmax() {
        Tensor x = t(s(1, 3), 3, 3, 1), y = t(s(1), 3), dy = t(s(1), 2);
        close(new double[]{1, 1, 0}, eval(new Op.ReduceGrad(ReduceFn.MAX, List.of(1), false), dy, x, y));
    }

    @Test void softmaxes() {
        double e1 = Math.exp(1), e2 = Math.exp(2), e3 = Math.exp(3), z = e1 + e2 + e3;
        close(new double[]{e1 / z, e2 / z, e3 / z}, eval(new Op.Softmax(-1), t(s(3), 1, 2, 3)));
        // stable: huge logits neither overflow nor give NaN
        close(new double[]{0.5, 0.5, 0, 1.0 / 3, 1.0 / 3, 1.0 / 3}, eval(new Op.Softmax(1), t(s(2, 3), 1000, 1000, -1000, 7, 7, 7)).data(), 1e-15);
        // along axis 0 of [2, 2]: columns normalize
        close(new double[]{0.25, 0.5, 0.75, 0.5}, eval(new Op.Softmax(0), t(s(2, 2), 0, 5, Math.log(3), 5)));
        close(new double[]{Math.log(0.25), Math.log(0.75)}, eval(new Op.LogSoftmax(0), t(s(2), 0, Math.log(3))));
        // stable: a huge logit gives log-probabilities, not -inf/NaN
        close(new double[]{0, -1000}, eval(new Op.LogSoftmax(-1), t(s(2), 1000, 0)));
    }

    @Test void reshapeTransposeConcatSlice() {
        Tensor r = eval(new Op.Reshape(List.of(3, 2)), x23);
        assertArrayEquals(s(3, 2), r.shape());
        close(x23.data(), r);
        close(new double[]{1, 4, 2, 5, 3, 6}, eval(new Op.Transpose(List.of(1, 0)), x23));
        // [2, 2, 3] with perm [0, 2, 1]: per batch, a 2x3 -> 3x2 transpose
        Tensor x3 = t(s(2, 2, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        Tensor tr = eval(new Op.Transpose(List.of(0, 2, 1)), x3);
        assertArrayEquals(s(2, 3, 2), tr.shape());
        close(new double[]{1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12}, tr);
        // perm [2, 0, 1]: out[k][i][j] = x[i][j][k]
        Tensor tr2 = eval(new Op.Transpose(List.of(2, 0, 1)), x3);
        assertArrayEquals(s(3, 2, 2), tr2.shape());
        close(new double[]{1, 4, 7, 10, 2, 5, 8, 11, 3, 6, 9, 12}, tr2);
        Tensor c = eval(new Op.Concat(1), t(s(2, 1), 10, 20), x23, t(s(2, 1), 30, 40));
        close(new double[]{10, 1, 2, 3, 30, 20, 4, 5, 6, 40}, c);
        close(new double[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, eval(new Op.Concat(0), t(s(1, 3), 1, 2, 3), t(s(2, 3), 4, 5, 6, 7, 8, 9)));
        close(new double[]{2, 3, 5, 6}, eval(new Op.Slice(1, 1, 3), x23));
        close(new double[]{4, 5, 6}, eval(new Op.Slice(-2, 1, 2), x23));
        close(new double[]{0, 2, 3, 0, 0, 5, 6, 0}, eval(new Op.SliceGrad(1, 1, 4), t(s(2, 2), 2, 3, 5, 6)));
    }

    @Test void embeddingAndOneHot() {
        Tensor w = t(s(3, 2), 0, 1, 10, 11, 20, 21), ids = t(s(3), 2, 0, 2);
        close(new double[]{20, 21, 0, 1, 20, 21}, eval(new Op.Embedding(), w, ids));
        Tensor ids2 = t(s(2, 2), 1, 1, 0, 2);
        Tensor e2 = eval(new Op.Embedding(), w, ids2);
        assertArrayEquals(s(2, 2, 2), e2.shape());
        close(new double[]{10, 11, 10, 11, 0, 1, 20, 21}, e2.data(), 0);
        close(new double[]{1, 1, 0, 0, 2, 2}, eval(new Op.EmbeddingGrad(3), t(s(3, 2), 1, 1, 1, 1, 1, 1), ids));
        close(new double[]{0, 1, 0, 1, 0, 0}, eval(new Op.OneHot(3), t(s(2), 1, 0)));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> eval(new Op.OneHot(3), t(s(1), 3)));
        assertTrue(bad.getMessage().contains("[0, 3)"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> eval(new Op.Embedding(), w, t(s(1), 1.5)));
    }

    @Test void dropoutMask() {
        int n = 20000;
        Tensor like = Tensor.zeros(n);
        Tensor m = Interpreter.apply(new Op.DropoutMask(0.25), List.of(like), s(n), new SplittableRandom(1));
        int zeros = 0;
        for (double v : m.data()) {
            if (v == 0) zeros++;
            else assertEquals(4.0 / 3, v, 0);
        }
        assertEquals(0.25, zeros / (double) n, 0.015);
        Tensor again = Interpreter.apply(new Op.DropoutMask(0.25), List.of(like), s(n), new SplittableRandom(1));
        assertArrayEquals(m.data(), again.data());
        Tensor other = Interpreter.apply(new Op.DropoutMask(0.25), List.of(like), s(n), new SplittableRandom(2));
        assertTrue(!java.util.Arrays.equals(m.data(), other.data()));
    }
}
