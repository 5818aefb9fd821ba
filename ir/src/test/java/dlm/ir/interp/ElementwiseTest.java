package dlm.ir.interp;

import static dlm.ir.interp.OpCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Op;
import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.UnaryFn;
import java.util.List;
import org.junit.jupiter.api.Test;

class ElementwiseTest {
    private static double[] un(UnaryFn fn, double alpha, double... x) {
        return eval(new Op.Unary(fn, alpha), t(s(x.length), x)).data();
    }

    @Test void unaryFunctions() {
        close(new double[]{0, 0, 2}, un(UnaryFn.RELU, 0, -1, 0, 2), 0);
        close(new double[]{-0.2, 0, 3}, un(UnaryFn.LEAKY_RELU, 0.1, -2, 0, 3), 1e-15);
        close(new double[]{0.5, 0.75, 0.25}, un(UnaryFn.SIGMOID, 0, 0, Math.log(3), -Math.log(3)), 1e-15);
        close(new double[]{0, 1}, un(UnaryFn.SIGMOID, 0, -800, 800), 0); // no overflow to NaN
        close(new double[]{0, (Math.E * Math.E - 1) / (Math.E * Math.E + 1)}, un(UnaryFn.TANH, 0, 0, 1), 1e-15);
        // gelu(x) = x * Phi(x); Phi(1) = 0.8413447460685429
        close(new double[]{0.8413447460685429, -0.15865525393145707, 0, 2 * 0.9772498680518208},
                un(UnaryFn.GELU, 0, 1, -1, 0, 2), 1e-15);
        close(new double[]{1, Math.E}, un(UnaryFn.EXP, 0, 0, 1), 1e-15);
        close(new double[]{0, 1}, un(UnaryFn.LOG, 0, 1, Math.E), 1e-15);
        close(new double[]{0, Math.log(2)}, un(UnaryFn.LOG1P, 0, 0, 1), 1e-15);
        close(new double[]{2, 0.5}, un(UnaryFn.SQRT, 0, 4, 0.25), 0);
        close(new double[]{0.5, 2}, un(UnaryFn.RSQRT, 0, 4, 0.25), 0);
        close(new double[]{3, 0, 1.5}, un(UnaryFn.ABS, 0, -3, 0, 1.5), 0);
        close(new double[]{9, 2.25}, un(UnaryFn.SQUARE, 0, -3, 1.5), 0);
        close(new double[]{3, -1.5}, un(UnaryFn.NEG, 0, -3, 1.5), 0);
        close(new double[]{-3, 1.5}, un(UnaryFn.IDENTITY, 0, -3, 1.5), 0);
    }

    @Test void unaryGradAtKinksFollowsTorch() {
        Tensor dy = t(s(3), 1, 1, 1), x = t(s(3), -1, 0, 1);
        close(new double[]{0, 0, 1}, eval(new Op.UnaryGrad(UnaryFn.RELU, 0), dy, x));
        close(new double[]{0.1, 0.1, 1}, eval(new Op.UnaryGrad(UnaryFn.LEAKY_RELU, 0.1), dy, x));
        close(new double[]{-1, 0, 1}, eval(new Op.UnaryGrad(UnaryFn.ABS, 0), dy, x));
        // gelu'(0) = Phi(0) = 1/2; dy scales
        close(new double[]{1.5}, eval(new Op.UnaryGrad(UnaryFn.GELU, 0), t(s(1), 3), t(s(1), 0)));
    }

    @Test void binaryBroadcasting() {
        Tensor a = t(s(2, 3), 1, 2, 3, 4, 5, 6);
        close(new double[]{11, 22, 33, 14, 25, 36}, eval(new Op.Binary(BinaryFn.ADD), a, t(s(3), 10, 20, 30)));
        // [2,1] x [1,3]: an outer product
        close(new double[]{1, 2, 3, 2, 4, 6}, eval(new Op.Binary(BinaryFn.MUL), t(s(2, 1), 1, 2), t(s(1, 3), 1, 2, 3)));
        // a scalar on the left
        close(new double[]{9, 8, 7, 6, 5, 4}, eval(new Op.Binary(BinaryFn.SUB), t(s(), 10), a));
        close(new double[]{0.5, 1, 1.5, 4, 5, 6}, eval(new Op.Binary(BinaryFn.DIV), a, t(s(2, 1), 2, 1)));
        close(new double[]{3, 3, 3, 4, 5, 6}, eval(new Op.Binary(BinaryFn.MAX), a, t(s(1), 3)));
        close(new double[]{1, 2, 3, 3, 3, 3}, eval(new Op.Binary(BinaryFn.MIN), a, t(s(1), 3)));
        // rank 3 against rank 2 with a stretched middle axis
        Tensor c = eval(new Op.Binary(BinaryFn.ADD), t(s(2, 1, 2), 0, 1, 10, 11), t(s(3, 1), 100, 200, 300));
        close(new double[]{100, 101, 200, 201, 300, 301, 110, 111, 210, 211, 310, 311}, c);
    }

    @Test void maxPropagatesNaN() {
        Tensor y = eval(new Op.Binary(BinaryFn.MAX), t(s(2), Double.NaN, 1), t(s(2), 0, Double.NaN));
        assertTrue(Double.isNaN(y.data()[0]) && Double.isNaN(y.data()[1]));
    }

    @Test void sumToSumsBroadcastAxes() {
        Tensor dy = t(s(2, 3), 1, 2, 3, 4, 5, 6);
        close(new double[]{5, 7, 9}, eval(new Op.SumTo(List.of(3)), dy));
        close(new double[]{6, 15}, eval(new Op.SumTo(List.of(2, 1)), dy));
        close(new double[]{21}, eval(new Op.SumTo(List.of()), dy));
        close(new double[]{5, 7, 9}, eval(new Op.SumTo(List.of(1, 3)), dy));
        assertThrows(IllegalArgumentException.class, () -> eval(new Op.SumTo(List.of(2)), dy));
    }

    @Test void broadcastMismatchIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Elementwise.binary(BinaryFn.ADD, t(s(2), 1, 2), t(s(3), 1, 2, 3)));
        assertEquals("cannot broadcast [2] with [3]", e.getMessage());
    }
}
