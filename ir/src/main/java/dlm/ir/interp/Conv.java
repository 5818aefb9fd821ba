package dlm.ir.interp;

import dlm.ir.Op;

/**
 * Convolution in NCHW, as torch.nn.functional.conv2d (cross-correlation). The two gradients are
 * written as the exact adjoint loops of the forward (scatter instead of gather), so that each
 * is obviously the transpose of the same index map.
 */
final class Conv {
    private Conv() {}

    /** The geometry shared by forward and gradients. */
    record Geom(int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                int stride, int dilation, int groups, int padTop, int padLeft) {
        int cg() { return c / groups; }   // input channels per group
        int fg() { return f / groups; }   // filters per group
        /** Input row of output row o and kernel row i (may fall in the padding). */
        int ih(int o, int i) { return o * stride - padTop + i * dilation; }
        int iw(int o, int j) { return o * stride - padLeft + j * dilation; }

        static Geom of(int[] x, int[] w, int stride, int dilation, int groups, int pt, int pl, int pb, int pr) {
            if (x.length != 4 || w.length != 4) throw new IllegalArgumentException("conv2d needs rank-4 input and weight");
            if (groups <= 0 || x[1] % groups != 0 || w[0] % groups != 0 || w[1] * groups != x[1])
                throw new IllegalArgumentException("conv2d: weight " + java.util.Arrays.toString(w) + " does not fit input " + java.util.Arrays.toString(x) + " with groups=" + groups);
            int oh = (x[2] + pt + pb - dilation * (w[2] - 1) - 1) / stride + 1;
            int ow = (x[3] + pl + pr - dilation * (w[3] - 1) - 1) / stride + 1;
            return new Geom(x[0], x[1], x[2], x[3], w[0], w[2], w[3], oh, ow, stride, dilation, groups, pt, pl);
        }
    }

    static Tensor forward(Op.Conv2d op, Tensor x, Tensor w) {
        Geom g = Geom.of(x.shape(), w.shape(), op.stride(), op.dilation(), op.groups(), op.padTop(), op.padLeft(), op.padBottom(), op.padRight());
        Tensor y = Tensor.zeros(g.n, g.f, g.oh, g.ow);
        for (int n = 0; n < g.n; n++)
            for (int f = 0; f < g.f; f++) {
                int group = f / g.fg();
                for (int oy = 0; oy < g.oh; oy++)
                    for (int ox = 0; ox < g.ow; ox++) {
                        double s = 0;
                        for (int c = 0; c < g.cg(); c++)
                            for (int i = 0; i < g.kh; i++)
                                for (int j = 0; j < g.kw; j++) {
                                    int iy = g.ih(oy, i), ix = g.iw(ox, j);
                                    if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue; // zero padding
                                    s += x.data()[((n * g.c + group * g.cg() + c) * g.h + iy) * g.w + ix]
                                            * w.data()[((f * g.cg() + c) * g.kh + i) * g.kw + j];
                                }
                        y.data()[((n * g.f + f) * g.oh + oy) * g.ow + ox] = s;
                    }
            }
        return y;
    }

    /** dx = the adjoint of forward in x. */
    static Tensor gradInput(Op.Conv2dGradInput op, Tensor dy, Tensor w) {
        int[] xs = {dy.dim(0), w.dim(1) * op.groups(), op.inH(), op.inW()};
        Geom g = Geom.of(xs, w.shape(), op.stride(), op.dilation(), op.groups(), op.padTop(), op.padLeft(), op.padBottom(), op.padRight());
        checkDy(g, dy);
        Tensor dx = Tensor.zeros(xs);
        for (int n = 0; n < g.n; n++)
            for (int f = 0; f < g.f; f++) {
                int group = f / g.fg();
                for (int oy = 0; oy < g.oh; oy++)
                    for (int ox = 0; ox < g.ow; ox++) {
                        double d = dy.data()[((n * g.f + f) * g.oh + oy) * g.ow + ox];
                        for (int c = 0; c < g.cg(); c++)
                            for (int i = 0; i < g.kh; i++)
                                for (int j = 0; j < g.kw; j++) {
                                    int iy = g.ih(oy, i), ix = g.iw(ox, j);
                                    if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                                    dx.data()[((n * g.c + group * g.cg() + c) * g.h + iy) * g.w + ix]
                                            += d * w.data()[((f * g.cg() + c) * g.kh + i) * g.kw + j];
                                }
                    }
            }
        return dx;
    }

    /** dw = the adjoint of forward in w. */
    static Tensor gradWeight(Op.Conv2dGradWeight op, Tensor dy, Tensor x) {
        int[] ws = {dy.dim(1), x.dim(1) / op.groups(), op.kh(), op.kw()};
        Geom g = Geom.of(x.shape(), ws, op.stride(), op.dilation(), op.groups(), op.padTop(), op.padLeft(), op.padBottom(), op.padRight());
        checkDy(g, dy);
        Tensor dw = Tensor.zeros(ws);
        for (int n = 0; n < g.n; n++)
            for (int f = 0; f < g.f; f++) {
                int group = f / g.fg();
                for (int oy = 0; oy < g.oh; oy++)
                    for (int ox = 0; ox < g.ow; ox++) {
                        double d = dy.data()[((n * g.f + f) * g.oh + oy) * g.ow + ox];
                        for (int c = 0; c < g.cg(); c++)
                            for (int i = 0; i < g.kh; i++)
                                for (int j = 0; j < g.kw; j++) {
                                    int iy = g.ih(oy, i), ix = g.iw(ox, j);
                                    if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                                    dw.data()[((f * g.cg() + c) * g.kh + i) * g.kw + j]
                                            += d * x.data()[((n * g.c + group * g.cg() + c) * g.h + iy) * g.w + ix];
                                }
                    }
            }
        return dw;
    }

    private static void checkDy(Geom g, Tensor dy) {
        int[] want = {g.n, g.f, g.oh, g.ow};
        Index.requireSame("conv2d gradient: dy versus the forward output", dy.shape(), want);
    }
}
