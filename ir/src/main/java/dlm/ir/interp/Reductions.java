package dlm.ir.interp;

import dlm.ir.Op.ReduceFn;
import java.util.List;

/** Reductions over absolute axes, their gradients, and softmax / log_softmax along one axis. */
final class Reductions {
    private Reductions() {}

    /** Which axes are reduced, and the reduced (keepDims) shape whose flat layout equals the dropped one. */
    private record Plan(boolean[] reduced, int[] kept, int count) {
        static Plan of(int[] x, List<Integer> axes) {
            boolean[] r = new boolean[x.length];
            for (int a : axes) r[Index.axis(a, x.length)] = true;
            int[] kept = x.clone();
            int count = 1;
            for (int i = 0; i < x.length; i++) if (r[i]) { count *= x[i]; kept[i] = 1; }
            return new Plan(r, kept, count);
        }
        /** Flat index in the reduced tensor of the flat index i of x. */
        int target(int i, int[] x) {
            int[] idx = Tensor.unravel(i, x);
            for (int a = 0; a < idx.length; a++) if (reduced[a]) idx[a] = 0;
            return Index.offset(idx, Tensor.strides(kept));
        }
        int[] outShape(boolean keepDims) {
            if (keepDims) return kept.clone();
            int n = 0;
            for (boolean b : reduced) if (!b) n++;
            int[] s = new int[n];
            for (int i = 0, j = 0; i < kept.length; i++) if (!reduced[i]) s[j++] = kept[i];
            return s;
        }
    }

    static Tensor reduce(ReduceFn fn, List<Integer> axes, boolean keepDims, Tensor x) {
        Plan p = Plan.of(x.shape(), axes);
        int[] out = p.outShape(keepDims);
        double[] y = new double[Tensor.numel(out)];
        switch (fn) {
            case SUM, MEAN -> {
                for (int i = 0; i < x.size(); i++) y[p.target(i, x.shape())] += x.data()[i];
                if (fn == ReduceFn.MEAN) for (int j = 0; j < y.length; j++) y[j] /= p.count();
            }
            case MAX -> {
                java.util.Arrays.fill(y, Double.NEGATIVE_INFINITY);
                for (int i = 0; i < x.size(); i++) {
                    int t = p.target(i, x.shape());
                    double v = x.data()[i];
                    if (v > y[t] || Double.isNaN(v)) y[t] = v; // a NaN is the max, as torch.amax
                    // once NaN, stays NaN: v > NaN is false
                }
            }
            case VAR_UNBIASED -> {
                double[] mean = reduce(ReduceFn.MEAN, axes, keepDims, x).data();
                for (int i = 0; i < x.size(); i++) {
                    int t = p.target(i, x.shape());
                    double d = x.data()[i] - mean[t];
                    y[t] += d * d;
                }
                // n - 1 = 0 gives NaN (0/0), as torch.var on one element
                for (int j = 0; j < y.length; j++) y[j] /= p.count() - 1;
            }
        }
        return new Tensor(out, y);
    }

    /**
     * Inputs dy (the reduced shape), x, y (the reduce output). MAX follows torch.amax: the
     * gradient is split evenly among all positions equal to the max. VAR_UNBIASED:
     * dx = dy * 2 (x - mean) / (n - 1).
     */
    static Tensor reduceGrad(ReduceFn fn, List<Integer> axes, Tensor dy, Tensor x, Tensor y) {
        Plan p = Plan.of(x.shape(), axes);
        if (dy.size() != Tensor.numel(p.kept()) || y.size() != dy.size())
            throw new IllegalArgumentException("reduce_grad: dy " + java.util.Arrays.toString(dy.shape()) + " and y " + java.util.Arrays.toString(y.shape())
                    + " do not match x " + java.util.Arrays.toString(x.shape()) + " reduced over " + axes);
        double[] dx = new double[x.size()];
        switch (fn) {
            case SUM -> { for (int i = 0; i < dx.length; i++) dx[i] = dy.data()[p.target(i, x.shape())]; }
            case MEAN -> { for (int i = 0; i < dx.length; i++) dx[i] = dy.data()[p.target(i, x.shape())] / p.count(); }
            case MAX -> {
                double[] ties = new double[dy.size()];
                for (int i = 0; i < dx.length; i++) { int t = p.target(i, x.shape()); if (x.data()[i] == y.data()[t]) ties[t]++; }
                for (int i = 0; i < dx.length; i++) {
                    int t = p.target(i, x.shape());
                    if (x.data()[i] == y.data()[t]) dx[i] = dy.data()[t] / ties[t];
                }
            }
            case VAR_UNBIASED -> {
                double[] mean = reduce(ReduceFn.MEAN, axes, true, x).data();
                for (int i = 0; i < dx.length; i++) {
                    int t = p.target(i, x.shape());
                    dx[i] = dy.data()[t] * 2 * (x.data()[i] - mean[t]) / (p.count() - 1);
                }
            }
        }
        return new Tensor(x.shape(), dx);
    }

    /** Visits each 1-D fibre along axis: base offset and stride, length = dim(axis). */
    private interface Fibre { void at(int base, int stride, int len); }

    private static void fibres(int[] shape, int axis, Fibre f) {
        int a = Index.axis(axis, shape.length);
        int outer = Tensor.prod(shape, 0, a), len = shape[a], inner = Tensor.prod(shape, a + 1, shape.length);
        for (int o = 0; o < outer; o++)
            for (int in = 0; in < inner; in++) f.at(o * len * inner + in, inner, len);
    }

    /** Subtracting the max keeps exp in range; log_softmax = x - max - log(sum exp(x - max)). */
    static Tensor softmax(Tensor x, int axis, boolean log) {
        double[] y = new double[x.size()];
        double[] v = x.data();
        fibres(x.shape(), axis, (base, st, len) -> {
            double m = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < len; k++) m = Math.max(m, v[base + k * st]);
            double s = 0;
            for (int k = 0; k < len; k++) s += Math.exp(v[base + k * st] - m);
            for (int k = 0; k < len; k++) {
                double z = v[base + k * st] - m;
                y[base + k * st] = log ? z - Math.log(s) : Math.exp(z) / s;
            }
        });
        return new Tensor(x.shape(), y);
    }

    /** softmax: dx = y * (dy - sum(dy * y)); log_softmax: dx = dy - exp(y) * sum(dy). */
    static Tensor softmaxGrad(Tensor dy, Tensor y, int axis, boolean log) {
        Index.requireSame(log ? "log_softmax_grad" : "softmax_grad", dy.shape(), y.shape());
        double[] dx = new double[y.size()];
        double[] g = dy.data(), yv = y.data();
        fibres(y.shape(), axis, (base, st, len) -> {
            double s = 0;
            for (int k = 0; k < len; k++) s += log ? g[base + k * st] : g[base + k * st] * yv[base + k * st];
            for (int k = 0; k < len; k++) {
                int i = base + k * st;
                dx[i] = log ? g[i] - Math.exp(yv[i]) * s : yv[i] * (g[i] - s);
            }
        });
        return new Tensor(y.shape(), dx);
    }
}
