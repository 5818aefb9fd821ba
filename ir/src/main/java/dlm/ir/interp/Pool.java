package dlm.ir.interp;

/**
 * 2-D pooling in NCHW with a square kernel, floor output size, as torch's max_pool2d and
 * avg_pool2d (ceil_mode=False). Padding never wins a max (torch pads with -inf).
 */
final class Pool {
    private Pool() {}

    private static int out(int in, int k, int stride, int padTotal) { return (in + padTotal - k) / stride + 1; }

    static Tensor max(Tensor x, int k, int stride, int pt, int pl, int pb, int pr) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = out(h, k, stride, pt + pb), ow = out(w, k, stride, pl + pr);
        Tensor y = Tensor.zeros(n, c, oh, ow);
        for (int p = 0; p < n * c; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int at = argmax(x, p, h, w, oy * stride - pt, ox * stride - pl, k);
                    y.data()[(p * oh + oy) * ow + ox] = at < 0 ? Double.NEGATIVE_INFINITY : x.data()[at];
                }
        return y;
    }

    /** dy goes to the first maximum of each window in row-major window order, as torch. */
    static Tensor maxGrad(Tensor dy, Tensor x, int k, int stride, int pt, int pl, int pb, int pr) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = out(h, k, stride, pt + pb), ow = out(w, k, stride, pl + pr);
        Index.requireSame("max_pool2d_grad: dy versus the pooled shape", dy.shape(), new int[]{n, c, oh, ow});
        Tensor dx = Tensor.zeros(x.shape());
        for (int p = 0; p < n * c; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int at = argmax(x, p, h, w, oy * stride - pt, ox * stride - pl, k);
                    if (at >= 0) dx.data()[at] += dy.data()[(p * oh + oy) * ow + ox];
                }
        return dx;
    }

    /** Flat index of the first maximum (a NaN counts as the maximum, as torch), or -1 for an all-padding window. */
    private static int argmax(Tensor x, int plane, int h, int w, int y0, int x0, int k) {
        int best = -1;
        double bv = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) {
                int iy = y0 + i, ix = x0 + j;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                int at = (plane * h + iy) * w + ix;
                double v = x.data()[at];
                if (best < 0 || v > bv || (Double.isNaN(v) && !Double.isNaN(bv))) { best = at; bv = v; }
            }
        return best;
    }

    /**
     * Average over the window. countIncludePad: divide by k*k (the window always lies inside the
     * padded input with floor sizes); else by the number of real input positions in it.
     */
    static Tensor avg(Tensor x, int k, int stride, int pt, int pl, int pb, int pr, boolean countIncludePad) {
        int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
        int oh = out(h, k, stride, pt + pb), ow = out(w, k, stride, pl + pr);
        Tensor y = Tensor.zeros(n, c, oh, ow);
        for (int p = 0; p < n * c; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double s = 0;
                    int count = 0;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++) {
                            int iy = oy * stride - pt + i, ix = ox * stride - pl + j;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            s += x.data()[(p * h + iy) * w + ix];
                            count++;
                        }
                    y.data()[(p * oh + oy) * ow + ox] = s / (countIncludePad ? k * k : count);
                }
        return y;
    }

    static Tensor avgGrad(Tensor dy, int k, int stride, int pt, int pl, int pb, int pr, boolean countIncludePad, int h, int w) {
        int n = dy.dim(0), c = dy.dim(1);
        int oh = out(h, k, stride, pt + pb), ow = out(w, k, stride, pl + pr);
        Index.requireSame("avg_pool2d_grad: dy versus the pooled shape", dy.shape(), new int[]{n, c, oh, ow});
        Tensor dx = Tensor.zeros(n, c, h, w);
        for (int p = 0; p < n * c; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int count = 0;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++) {
                            int iy = oy * stride - pt + i, ix = ox * stride - pl + j;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) count++;
                        }
                    double d = dy.data()[(p * oh + oy) * ow + ox] / (countIncludePad ? k * k : count);
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++) {
                            int iy = oy * stride - pt + i, ix = ox * stride - pl + j;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            dx.data()[(p * h + iy) * w + ix] += d;
                        }
                }
        return dx;
    }
}
