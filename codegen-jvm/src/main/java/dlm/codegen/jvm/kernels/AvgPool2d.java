package dlm.codegen.jvm.kernels;

/**
 * 2-D average pooling over N*C planes of an NCHW tensor, floor mode, 4-sided padding.
 * With {@code countIncludePad} (PyTorch's default) the divisor is the window clipped to
 * the padded input; otherwise only the real input positions are counted.
 */
public final class AvgPool2d {
    private AvgPool2d() {}

    public static void forward(float[] x, int xOff, int planes, int h, int w,
                               int kh, int kw, int strideH, int strideW,
                               int padTop, int padLeft, int padBottom, int padRight,
                               boolean countIncludePad, float[] y, int yOff) {
        int oh = ConvGeometry.outSize(h, kh, strideH, 1, padTop, padBottom);
        int ow = ConvGeometry.outSize(w, kw, strideW, 1, padLeft, padRight);
        for (int pl = 0; pl < planes; pl++) {
            int in = xOff + pl * h * w;
            int out = yOff + pl * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int ys = oy * strideH - padTop, xs = ox * strideW - padLeft;
                    int y0 = Math.max(0, ys), y1 = Math.min(h, ys + kh);
                    int x0 = Math.max(0, xs), x1 = Math.min(w, xs + kw);
                    float s = 0f;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            s += x[in + iy * w + ix];
                        }
                    }
                    y[out + oy * ow + ox] = s / divisor(ys, xs, y0, y1, x0, x1, h, w, kh, kw,
                            padBottom, padRight, countIncludePad);
                }
            }
        }
    }

    /** Spreads each output gradient evenly over its window; {@code dx} accumulates. */
    public static void backward(float[] dy, int dyOff, int planes, int h, int w,
                                int kh, int kw, int strideH, int strideW,
                                int padTop, int padLeft, int padBottom, int padRight,
                                boolean countIncludePad, float[] dx, int dxOff) {
        int oh = ConvGeometry.outSize(h, kh, strideH, 1, padTop, padBottom);
        int ow = ConvGeometry.outSize(w, kw, strideW, 1, padLeft, padRight);
        for (int pl = 0; pl < planes; pl++) {
            int in = dxOff + pl * h * w;
            int out = dyOff + pl * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int ys = oy * strideH - padTop, xs = ox * strideW - padLeft;
                    int y0 = Math.max(0, ys), y1 = Math.min(h, ys + kh);
                    int x0 = Math.max(0, xs), x1 = Math.min(w, xs + kw);
                    float g = dy[out + oy * ow + ox] / divisor(ys, xs, y0, y1, x0, x1, h, w, kh, kw,
                            padBottom, padRight, countIncludePad);
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) {
                            dx[in + iy * w + ix] += g;
                        }
                    }
                }
            }
        }
    }

    private static float divisor(int ys, int xs, int y0, int y1, int x0, int x1, int h, int w,
                                 int kh, int kw, int padBottom, int padRight, boolean countIncludePad) {
        if (!countIncludePad) {
            return Math.max(1, (y1 - y0) * (x1 - x0));
        }
        // PyTorch: the window clipped to the padded extent, padding included.
        int ph = Math.min(ys + kh, h + padBottom) - ys;
        int pw = Math.min(xs + kw, w + padRight) - xs;
        return ph * pw;
    }
}
