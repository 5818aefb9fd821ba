package dlm.ir.interp;

import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.UnaryFn;

/** Elementwise ops: unary functions, their derivatives, broadcasting binaries and sum_to. */
final class Elementwise {
    private Elementwise() {}

    static Tensor unary(UnaryFn fn, double alpha, Tensor x) {
        double[] y = new double[x.size()];
        for (int i = 0; i < y.length; i++) y[i] = f(fn, alpha, x.data()[i]);
        return new Tensor(x.shape(), y);
    }

    static Tensor unaryGrad(UnaryFn fn, double alpha, Tensor dy, Tensor x) {
        Index.requireSame("unary_grad", dy.shape(), x.shape());
        double[] dx = new double[x.size()];
        for (int i = 0; i < dx.length; i++) dx[i] = dy.data()[i] * df(fn, alpha, x.data()[i]);
        return new Tensor(x.shape(), dx);
    }

    /** The function, as torch computes it. */
    static double f(UnaryFn fn, double alpha, double x) {
        return switch (fn) {
            case NEG -> -x;
            case RELU -> x > 0 ? x : 0.0;
            // both branches avoid exp overflow; they agree with 1/(1+exp(-x)) to rounding
            case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case TANH -> Math.tanh(x);
            case GELU -> x * Erf.normalCdf(x);
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case LOG1P -> Math.log1p(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SQUARE -> x * x;
            case IDENTITY -> x;
        };
    }

    /**
     * The derivative at x. At kinks torch's choices: relu'(0) = 0, leaky_relu'(0) = alpha
     * (torch uses x > 0 ? 1 : alpha), abs'(0) = 0 (sign).
     */
    static double df(UnaryFn fn, double alpha, double x) {
        return switch (fn) {
            case NEG -> -1;
            case RELU -> x > 0 ? 1 : 0;
            case SIGMOID -> { double s = f(UnaryFn.SIGMOID, 0, x); yield s * (1 - s); }
            case TANH -> { double t = Math.tanh(x); yield 1 - t * t; }
            case GELU -> Erf.normalCdf(x) + x * Erf.normalPdf(x);
            case LEAKY_RELU -> x > 0 ? 1 : alpha;
            case EXP -> Math.exp(x);
            case LOG -> 1 / x;
            case LOG1P -> 1 / (1 + x);
            case SQRT -> 0.5 / Math.sqrt(x);
            case RSQRT -> -0.5 / (x * Math.sqrt(x));
            case ABS -> Math.signum(x);
            case SQUARE -> 2 * x;
            case IDENTITY -> 1;
        };
    }

    static double f(BinaryFn fn, double a, double b) {
        return switch (fn) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            // Math.max/min propagate NaN, as torch.maximum/minimum do
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
        };
    }

    /** NumPy broadcasting: dimensions aligned from the right, size-1 dimensions stretched. */
    static Tensor binary(BinaryFn fn, Tensor a, Tensor b) {
        int[] out = Index.broadcast(a.shape(), b.shape());
        int[] sa = Index.broadcastStrides(a.shape(), out), sb = Index.broadcastStrides(b.shape(), out);
        double[] y = new double[Tensor.numel(out)];
        for (int i = 0; i < y.length; i++) {
            int[] idx = Tensor.unravel(i, out);
            y[i] = f(fn, a.data()[Index.offset(idx, sa)], b.data()[Index.offset(idx, sb)]);
        }
        return new Tensor(out, y);
    }

    /** -(y log p + (1-y) log(1-p)) with both logs clamped at -100, as torch.nn.functional.binary_cross_entropy. */
    static Tensor binaryCrossEntropy(Tensor p, Tensor y) {
        double[] out = new double[p.size()];
        for (int i = 0; i < out.length; i++) {
            double pi = p.data()[i], yi = y.data()[i];
            out[i] = -(yi * Math.max(Math.log(pi), -100) + (1 - yi) * Math.max(Math.log(1 - pi), -100));
        }
        return new Tensor(p.shape(), out);
    }

    /** dy (p - y) / max(p (1 - p), 1e-12): PyTorch's binary_cross_entropy backward, finite at p = 0 and 1. */
    static Tensor binaryCrossEntropyGrad(Tensor dy, Tensor p, Tensor y) {
        double[] out = new double[p.size()];
        for (int i = 0; i < out.length; i++) {
            double pi = p.data()[i];
            out[i] = dy.data()[i] * (pi - y.data()[i]) / Math.max(pi * (1 - pi), 1e-12);
        }
        return new Tensor(p.shape(), out);
    }

    /** Sums dy over the axes along which target was broadcast to dy's shape. */
    static Tensor sumTo(Tensor dy, int[] target) {
        int[] full = Index.broadcast(target, dy.shape());
        if (!java.util.Arrays.equals(full, dy.shape()))
            throw new IllegalArgumentException("sum_to: " + java.util.Arrays.toString(target) + " does not broadcast to " + java.util.Arrays.toString(dy.shape()));
        int[] st = Index.broadcastStrides(target, dy.shape());
        double[] y = new double[Tensor.numel(target)];
        for (int i = 0; i < dy.size(); i++) y[Index.offset(Tensor.unravel(i, dy.shape()), st)] += dy.data()[i];
        return new Tensor(target.clone(), y);
    }
}
