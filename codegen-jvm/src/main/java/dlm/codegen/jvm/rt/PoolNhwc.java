package dlm.codegen.jvm.rt;

import java.util.Arrays;

/**
 * Max and average pooling on channels-last (NHWC) tensors. Max pooling picks exactly the
 * interpreter's winner per channel, as {@link PoolOps} does per plane: the first maximum in
 * window order, NaN counting as the maximum, -infinity for an all-padding window.
 */
public final class PoolNhwc {
    private PoolNhwc() {}

    /** The first maximum of a, b in window order, NaN counting as the maximum: b wins only if strictly better. */
    private static boolean beats(float b, float a) { return b > a || (b != b && a == a); }

    /** Pixel index (iy * w + ix) of channel ch's winner in one window, -1 for an all-padding window. */
    private static int argmax(float[] t, int img, int ch, int c, int h, int w, int y0, int x0, int k) {
        int best = -1;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            int iy = y0 + i;
            if (iy < 0 || iy >= h) continue;
            for (int j = 0; j < k; j++) {
                int ix = x0 + j;
                if (ix < 0 || ix >= w) continue;
                float v = t[img + (iy * w + ix) * c + ch];
                if (best < 0 || beats(v, bv)) { best = iy * w + ix; bv = v; }
            }
        }
        return best;
    }

    public static void maxPool(float[] t, int xOff, int yOff, int n, int h, int w, int c, int oh, int ow,
                               int k, int stride, int pt, int pl) {
        for (int b = 0; b < n; b++) {
            int img = xOff + b * h * w * c;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int y = yOff + ((b * oh + oy) * ow + ox) * c;
                    for (int ch = 0; ch < c; ch++) {
                        int at = argmax(t, img, ch, c, h, w, oy * stride - pt, ox * stride - pl, k);
                        t[y + ch] = at < 0 ? Float.NEGATIVE_INFINITY : t[img + at * c + ch];
                    }
                }
        }
    }

    public static void maxPoolGrad(float[] t, int dyOff, int xOff, int dxOff, int n, int h, int w, int c, int oh, int ow,
                                   int k, int stride, int pt, int pl) {
        Arrays.fill(t, dxOff, dxOff + n * h * w * c, 0f);
        for (int b = 0; b < n; b++) {
            int img = xOff + b * h * w * c, dx = dxOff + b * h * w * c;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int dy = dyOff + ((b * oh + oy) * ow + ox) * c;
                    for (int ch = 0; ch < c; ch++) {
                        int at = argmax(t, img, ch, c, h, w, oy * stride - pt, ox * stride - pl, k);
                        if (at >= 0) t[dx + at * c + ch] += t[dy + ch];
                    }
                }
        }
    }

    /** Real input positions in a window (the divisor when padding is not counted). */
    private static int count(int h, int w, int y0, int x0, int k) {
        int rows = Math.min(h, y0 + k) - Math.max(0, y0), cols = Math.min(w, x0 + k) - Math.max(0, x0);
        return Math.max(0, rows) * Math.max(0, cols);
    }

    public static void avgPool(float[] t, int xOff, int yOff, int n, int h, int w, int c, int oh, int ow,
                               int k, int stride, int pt, int pl, boolean countIncludePad) {
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int y0 = oy * stride - pt, x0 = ox * stride - pl, y = yOff + ((b * oh + oy) * ow + ox) * c;
                    Arrays.fill(t, y, y + c, 0f);
                    for (int iy = Math.max(0, y0); iy < Math.min(h, y0 + k); iy++)
                        for (int ix = Math.max(0, x0); ix < Math.min(w, x0 + k); ix++) {
                            int x = xOff + ((b * h + iy) * w + ix) * c;
                            for (int ch = 0; ch < c; ch++) t[y + ch] += t[x + ch];
                        }
                    float inv = 1f / (countIncludePad ? k * k : count(h, w, y0, x0, k));
                    for (int ch = 0; ch < c; ch++) t[y + ch] *= inv;
                }
    }

    public static void avgPoolGrad(float[] t, int dyOff, int dxOff, int n, int h, int w, int c, int oh, int ow,
                                   int k, int stride, int pt, int pl, boolean countIncludePad) {
        Arrays.fill(t, dxOff, dxOff + n * h * w * c, 0f);
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int y0 = oy * stride - pt, x0 = ox * stride - pl, dy = dyOff + ((b * oh + oy) * ow + ox) * c;
                    float inv = 1f / (countIncludePad ? k * k : count(h, w, y0, x0, k));
                    for (int iy = Math.max(0, y0); iy < Math.min(h, y0 + k); iy++)
                        for (int ix = Math.max(0, x0); ix < Math.min(w, x0 + k); ix++) {
                            int dx = dxOff + ((b * h + iy) * w + ix) * c;
                            for (int ch = 0; ch < c; ch++) t[dx + ch] += t[dy + ch] * inv;
                        }
                }
    }
}
