package dlm.codegen.jvm.kernels;

/**
 * 2-D max pooling over {@code planes} = N*C planes of an NCHW tensor, floor mode, with
 * 4-sided padding (padding never wins: it counts as -infinity, as in PyTorch). Forward
 * records, per output, the index in its plane of the input that won, so the backward
 * pass routes each gradient to it without re-reading the input.
 */
public final class MaxPool2d {
    private MaxPool2d() {}

    public static void forward(float[] x, int xOff, int planes, int h, int w,
                               int kh, int kw, int strideH, int strideW,
                               int padTop, int padLeft, int padBottom, int padRight,
                               float[] y, int yOff, int[] argmax, int argOff) {
        int oh = ConvGeometry.outSize(h, kh, strideH, 1, padTop, padBottom);
        int ow = ConvGeometry.outSize(w, kw, strideW, 1, padLeft, padRight);
        for (int pl = 0; pl < planes; pl++) {
            int in = xOff + pl * h * w;
            int out = pl * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = Math.max(0, oy * strideH - padTop);
                int y1 = Math.min(h, oy * strideH - padTop + kh);
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = Math.max(0, ox * strideW - padLeft);
                    int x1 = Math.min(w, ox * strideW - padLeft + kw);
                    float best = Float.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            float v = x[in + iy * w + ix];
                            // v > best, or NaN: NaN propagates as in PyTorch
                            if (v > best || (v != v && best == best)) {
                                best = v;
                                at = iy * w + ix;
                            }
                        }
                    }
                    y[yOff + out + oy * ow + ox] = best;
                    argmax[argOff + out + oy * ow + ox] = at;
                }
            }
        }
    }

    /** Adds each output gradient to the input that won its window; {@code dx} accumulates. */
    public static void backward(float[] dy, int dyOff, int planes, int h, int w, int oh, int ow,
                                int[] argmax, int argOff, float[] dx, int dxOff) {
        for (int pl = 0; pl < planes; pl++) {
            int in = dxOff + pl * h * w;
            int out = pl * oh * ow;
            for (int o = 0; o < oh * ow; o++) {
                int at = argmax[argOff + out + o];
                if (at >= 0) {
                    dx[in + at] += dy[dyOff + out + o];
                }
            }
        }
    }
}
