package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.AvgPool2d;
import dlm.codegen.jvm.kernels.Simd;
import java.util.Arrays;

/**
 * Pooling and upsampling over the N*C planes of NCHW tensors. Max pooling is written here
 * rather than taken from the kernel library because the IR's max_pool2d_grad re-derives the
 * winner from x (no argmax tensor), and must pick exactly the interpreter's winner: the first
 * maximum in window order, NaN counting as the maximum, and the first position of a window
 * even when every value is -infinity.
 */
public final class PoolOps {
    private PoolOps() {}

    /** Plane-relative index of the winner of one window, -1 for an all-padding window. */
    private static int argmax(float[] t, int plane, int h, int w, int y0, int x0, int k) {
        int best = -1;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            int iy = y0 + i;
            if (iy < 0 || iy >= h) continue;
            for (int j = 0; j < k; j++) {
                int ix = x0 + j;
                if (ix < 0 || ix >= w) continue;
                float v = t[plane + iy * w + ix];
                if (best < 0 || v > bv || (v != v && bv == bv)) { best = iy * w + ix; bv = v; }
            }
        }
        return best;
    }

    /** Every window inside the plane: no bounds checks needed (the common pooling, no padding). */
    private static boolean inside(int h, int w, int oh, int ow, int k, int stride, int pt, int pl) {
        return pt == 0 && pl == 0 && (oh - 1) * stride + k <= h && (ow - 1) * stride + k <= w;
    }

    /** The first maximum of a, b in window order, NaN counting as the maximum: b wins only if strictly better. */
    private static boolean beats(float b, float a) { return b > a || (b != b && a == a); }

    // The entry points of generated code: big calls split over the kernel threads by planes.

    public static void maxPool(float[] t, int xOff, int yOff, int planes, int h, int w, int oh, int ow,
                               int k, int stride, int pt, int pl, RunContext ctx) {
        if (PlaneSplit.worth(ctx, planes, h, w))
            ctx.planes.run(ctx.threads, PlaneSplit.Kind.MAX, t, xOff, -1, yOff, planes, h, w, oh, ow, k, stride, pt, pl, 0, 0, false);
        else maxPool(t, xOff, yOff, planes, h, w, oh, ow, k, stride, pt, pl);
    }

    public static void maxPoolGrad(float[] t, int dyOff, int xOff, int dxOff, int planes, int h, int w, int oh, int ow,
                                   int k, int stride, int pt, int pl, RunContext ctx) {
        if (PlaneSplit.worth(ctx, planes, h, w))
            ctx.planes.run(ctx.threads, PlaneSplit.Kind.MAX_GRAD, t, dyOff, xOff, dxOff, planes, h, w, oh, ow, k, stride, pt, pl, 0, 0, false);
        else maxPoolGrad(t, dyOff, xOff, dxOff, planes, h, w, oh, ow, k, stride, pt, pl);
    }

    public static void avgPool(float[] t, int xOff, int yOff, int planes, int h, int w, int oh, int ow,
                               int k, int stride, int pt, int pl, int pb, int pr, boolean countIncludePad, RunContext ctx) {
        if (PlaneSplit.worth(ctx, planes, h, w))
            ctx.planes.run(ctx.threads, PlaneSplit.Kind.AVG, t, xOff, -1, yOff, planes, h, w, oh, ow, k, stride, pt, pl, pb, pr, countIncludePad);
        else avgPool(t, xOff, yOff, planes, h, w, k, stride, pt, pl, pb, pr, countIncludePad);
    }

    public static void avgPoolGrad(float[] t, int dyOff, int dxOff, int planes, int h, int w, int oh, int ow,
                                   int k, int stride, int pt, int pl, int pb, int pr, boolean countIncludePad, RunContext ctx) {
        if (PlaneSplit.worth(ctx, planes, h, w))
            ctx.planes.run(ctx.threads, PlaneSplit.Kind.AVG_GRAD, t, dyOff, -1, dxOff, planes, h, w, oh, ow, k, stride, pt, pl, pb, pr, countIncludePad);
        else avgPoolGrad(t, dyOff, dxOff, planes, h, w, k, stride, pt, pl, pb, pr, countIncludePad);
    }

    // One thread, planes [0, planes).

    public static void maxPool(float[] t, int xOff, int yOff, int planes, int h, int w, int oh, int ow,
                               int k, int stride, int pt, int pl) {
        if (k == 2 && stride == 2 && inside(h, w, oh, ow, k, stride, pt, pl)) {
            for (int p = 0; p < planes; p++) {
                int plane = xOff + p * h * w, out = yOff + p * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int r0 = plane + 2 * oy * w, r1 = r0 + w, o = out + oy * ow;
                    int from = Simd.ENABLED && MaxPoolVector.LANES >= 4 && ow >= MaxPoolVector.WINDOWS ? MaxPoolVector.row(t, r0, r1, o, ow) : 0;
                    for (int ox = from; ox < ow; ox++) {
                        float a = t[r0 + 2 * ox], b = t[r0 + 2 * ox + 1], c = t[r1 + 2 * ox], d = t[r1 + 2 * ox + 1];
                        // the value of the first maximum: Math.max propagates NaN as the interpreter's winner does
                        t[o + ox] = Math.max(Math.max(a, b), Math.max(c, d));
                    }
                }
            }
            return;
        }
        for (int p = 0; p < planes; p++) {
            int plane = xOff + p * h * w, out = yOff + p * oh * ow;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int at = argmax(t, plane, h, w, oy * stride - pt, ox * stride - pl, k);
                    t[out + oy * ow + ox] = at < 0 ? Float.NEGATIVE_INFINITY : t[plane + at];
                }
        }
    }

    public static void maxPoolGrad(float[] t, int dyOff, int xOff, int dxOff, int planes, int h, int w, int oh, int ow,
                                   int k, int stride, int pt, int pl) {
        if (k == 2 && stride == 2 && inside(h, w, oh, ow, k, stride, pt, pl)) {
            for (int p = 0; p < planes; p++) maxPoolGrad2x2(t, dyOff + p * oh * ow, xOff + p * h * w, dxOff + p * h * w, h, w, oh, ow);
            return;
        }
        Arrays.fill(t, dxOff, dxOff + planes * h * w, 0f);
        for (int p = 0; p < planes; p++) {
            int plane = xOff + p * h * w, dx = dxOff + p * h * w, dy = dyOff + p * oh * ow;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int at = argmax(t, plane, h, w, oy * stride - pt, ox * stride - pl, k);
                    if (at >= 0) t[dx + at] += t[dy + oy * ow + ox];
                }
        }
    }

    /**
     * One plane of a 2x2, stride-2 max_pool2d_grad without padding. The windows do not overlap,
     * so each input gets at most one gradient: every window writes its four floats (dy at the
     * winner, 0 elsewhere) and only the rows and columns no window covers are filled with 0.
     * The winner is chosen without data-dependent branches (they mispredict on about half of
     * the windows of real activations): with m the window's maximum, the first position not
     * below m, selected by conditional moves. A window holding NaN (m is NaN) takes the exact
     * rule of {@link #beats} instead. With the Vector API, each row's windows go L at a time
     * ({@link MaxPoolVector#gradRow}) up to the first group holding NaN.
     */
    private static void maxPoolGrad2x2(float[] t, int dy, int x, int dx, int h, int w, int oh, int ow) {
        for (int oy = 0; oy < oh; oy++) {
            int r0 = 2 * oy * w, r1 = r0 + w, g0 = dy + oy * ow;
            int from = Simd.ENABLED && ow >= MaxPoolVector.LANES ? MaxPoolVector.gradRow(t, x + r0, x + r1, g0, dx + r0, dx + r1, ow) : 0;
            for (int ox = from; ox < ow; ox++) {
                int i0 = r0 + 2 * ox, i1 = i0 + 1, i2 = r1 + 2 * ox, i3 = i2 + 1;
                float a = t[x + i0], b = t[x + i1], c = t[x + i2], d = t[x + i3];
                float g = t[g0 + ox];
                float m = Math.max(Math.max(a, b), Math.max(c, d));
                // no value exceeds m, so "not below m" is "equal to m", with -0 equal to +0 as in beats
                int at = i3;
                at = c >= m ? i2 : at;
                at = b >= m ? i1 : at;
                at = a >= m ? i0 : at;
                if (m != m) at = firstMax(a, b, c, d, i0, i1, i2, i3);
                t[dx + i0] = 0f;
                t[dx + i1] = 0f;
                t[dx + i2] = 0f;
                t[dx + i3] = 0f;
                t[dx + at] = g;
            }
            if (2 * ow < w) { // columns no window covers (an odd width), in both rows
                Arrays.fill(t, dx + r0 + 2 * ow, dx + r1, 0f);
                Arrays.fill(t, dx + r1 + 2 * ow, dx + r1 + w, 0f);
            }
        }
        if (2 * oh < h) Arrays.fill(t, dx + 2 * oh * w, dx + h * w, 0f); // rows no window covers (an odd height)
    }

    /** The position of the first maximum of a window in order a, b, c, d under {@link #beats}. */
    private static int firstMax(float a, float b, float c, float d, int i0, int i1, int i2, int i3) {
        int at = i0;
        float bv = a;
        if (beats(b, bv)) { at = i1; bv = b; }
        if (beats(c, bv)) { at = i2; bv = c; }
        if (beats(d, bv)) at = i3;
        return at;
    }

    public static void avgPool(float[] t, int xOff, int yOff, int planes, int h, int w,
                               int k, int stride, int pt, int pl, int pb, int pr, boolean countIncludePad) {
        AvgPool2d.forward(t, xOff, planes, h, w, k, k, stride, stride, pt, pl, pb, pr, countIncludePad, t, yOff);
    }

    public static void avgPoolGrad(float[] t, int dyOff, int dxOff, int planes, int h, int w,
                                   int k, int stride, int pt, int pl, int pb, int pr, boolean countIncludePad) {
        Arrays.fill(t, dxOff, dxOff + planes * h * w, 0f);
        AvgPool2d.backward(t, dyOff, planes, h, w, k, k, stride, stride, pt, pl, pb, pr, countIncludePad, t, dxOff);
    }

    /** Source rows of one output coordinate: align_corners=False, as torch (see the interpreter). */
    private static int tap0(boolean bilinear, int o, int scale, int in) {
        if (!bilinear) return Math.min(o / scale, in - 1);
        double src = Math.max((o + 0.5) / scale - 0.5, 0);
        return Math.min((int) Math.floor(src), in - 1);
    }

    private static double weight1(boolean bilinear, int o, int scale, int in) {
        if (!bilinear) return 0;
        double src = Math.max((o + 0.5) / scale - 0.5, 0);
        return src - Math.min((int) Math.floor(src), in - 1);
    }

    public static void upsample(float[] t, int xOff, int yOff, int planes, int h, int w, int scale, boolean bilinear) {
        int oh = h * scale, ow = w * scale;
        for (int p = 0; p < planes; p++) {
            int x = xOff + p * h * w, y = yOff + p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = tap0(bilinear, oy, scale, h), y1 = Math.min(y0 + 1, h - 1);
                double wy1 = weight1(bilinear, oy, scale, h), wy0 = 1 - wy1;
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = tap0(bilinear, ox, scale, w), x1 = Math.min(x0 + 1, w - 1);
                    double wx1 = weight1(bilinear, ox, scale, w), wx0 = 1 - wx1;
                    double s = wy0 * wx0 * t[x + y0 * w + x0];
                    if (wx1 != 0) s += wy0 * wx1 * t[x + y0 * w + x1];
                    if (wy1 != 0) {
                        s += wy1 * wx0 * t[x + y1 * w + x0];
                        if (wx1 != 0) s += wy1 * wx1 * t[x + y1 * w + x1];
                    }
                    t[y + oy * ow + ox] = (float) s;
                }
            }
        }
    }

    public static void upsampleGrad(float[] t, int dyOff, int dxOff, int planes, int h, int w, int scale, boolean bilinear) {
        int oh = h * scale, ow = w * scale;
        Arrays.fill(t, dxOff, dxOff + planes * h * w, 0f);
        for (int p = 0; p < planes; p++) {
            int dx = dxOff + p * h * w, dy = dyOff + p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                int y0 = tap0(bilinear, oy, scale, h), y1 = Math.min(y0 + 1, h - 1);
                double wy1 = weight1(bilinear, oy, scale, h), wy0 = 1 - wy1;
                for (int ox = 0; ox < ow; ox++) {
                    int x0 = tap0(bilinear, ox, scale, w), x1 = Math.min(x0 + 1, w - 1);
                    double wx1 = weight1(bilinear, ox, scale, w), wx0 = 1 - wx1;
                    double d = t[dy + oy * ow + ox];
                    t[dx + y0 * w + x0] += (float) (wy0 * wx0 * d);
                    if (wx1 != 0) t[dx + y0 * w + x1] += (float) (wy0 * wx1 * d);
                    if (wy1 != 0) {
                        t[dx + y1 * w + x0] += (float) (wy1 * wx0 * d);
                        if (wx1 != 0) t[dx + y1 * w + x1] += (float) (wy1 * wx1 * d);
                    }
                }
            }
        }
    }
}
