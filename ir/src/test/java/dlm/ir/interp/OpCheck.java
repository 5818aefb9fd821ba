package dlm.ir.interp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.Type;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/** Test helpers: evaluate one op on concrete tensors, random tensors, finite-difference checks. */
final class OpCheck {
    private OpCheck() {}

    static int[] s(int... dims) { return dims; }

    static Tensor t(int[] shape, double... v) { return new Tensor(shape, v); }

    /** Evaluates op through the public entry point; also checks the result against Op.infer. */
    static Tensor eval(Op op, Tensor... in) {
        List<Type> types = Arrays.stream(in).map(x -> Type.f32(Shape.of(x.shape()))).toList();
        int[] out = op.infer(types).shape().toArray();
        Tensor y = Interpreter.apply(op, List.of(in), out, new SplittableRandom(0));
        assertArrayEquals(out, y.shape(), op.opName() + ": interpreter shape differs from Op.infer");
        return y;
    }

    static void close(double[] expected, Tensor actual) { close(expected, actual.data(), 1e-12); }

    static void close(double[] expected, double[] actual, double tol) {
        assertTrue(expected.length == actual.length, "length " + actual.length + ", expected " + expected.length);
        for (int i = 0; i < expected.length; i++)
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol * Math.max(1, Math.abs(expected[i])),
                    "at " + i + ": expected " + expected[i] + ", got " + actual[i] + "\nexpected " + Arrays.toString(expected) + "\nactual   " + Arrays.toString(actual));
    }

    static Tensor random(SplittableRandom r, int... shape) {
        double[] v = new double[Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-1, 1);
        return new Tensor(shape, v);
    }

    /**
     * Checks a gradient against central finite differences of a forward function: with
     * L(x) = sum(r * f(x)) for a random projection r, the analytic gradient (given r) must match
     * (L(x + h e_i) - L(x - h e_i)) / 2h to a relative error (in the max norm) below 1e-6.
     */
    static void gradCheck(String what, Function<Tensor, Tensor> f, Tensor x, Function<Tensor, Tensor> analytic, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Tensor y = f.apply(x);
        Tensor r = random(rnd, y.shape());
        Tensor g = analytic.apply(r);
        assertArrayEquals(x.shape(), g.shape(), what + ": gradient shape");
        double h = 1e-6, maxErr = 0, maxRef = 0;
        double[] fd = new double[x.size()];
        for (int i = 0; i < x.size(); i++) {
            double[] p = x.data().clone(), m = x.data().clone();
            p[i] += h;
            m[i] -= h;
            fd[i] = (dot(r, f.apply(new Tensor(x.shape(), p))) - dot(r, f.apply(new Tensor(x.shape(), m)))) / (2 * h);
            maxErr = Math.max(maxErr, Math.abs(fd[i] - g.data()[i]));
            maxRef = Math.max(maxRef, Math.abs(fd[i]));
        }
        assertTrue(maxRef > 1e-3, what + ": degenerate check, the gradient is ~0");
        assertTrue(maxErr / maxRef < 1e-6, what + ": relative error " + (maxErr / maxRef)
                + "\nanalytic " + Arrays.toString(g.data()) + "\nfd       " + Arrays.toString(fd));
    }

    static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) s += a.data()[i] * b.data()[i];
        return s;
    }
}
