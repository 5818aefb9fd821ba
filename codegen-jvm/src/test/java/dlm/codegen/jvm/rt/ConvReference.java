package dlm.codegen.jvm.rt;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A convolution forward (with bias and relu) and both gradients as plain loops in double, and
 * the check of a kernel's floats against them. Tensors sit in one array at the offsets of
 * {@link Layout}; x [n, c, h, w], w [f, c, kh, kw], dy and y [n, f, oh, ow], bias [f].
 */
final class ConvReference {
    private ConvReference() {}

    record Geometry(int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow, int stride, int pt, int pl) {}

    record Layout(int x, int wt, int dy, int bias, int dx, int dw, int out) {}

    /** Asserts dx, dw and relu(conv + bias) in {@code got} against the plain loops over the inputs in {@code in}. */
    static void assertMatches(float[] in, float[] got, Layout at, Geometry g) {
        int n = g.n(), c = g.c(), h = g.h(), w = g.w(), f = g.f(), kh = g.kh(), kw = g.kw(), oh = g.oh(), ow = g.ow();
        int kk = c * kh * kw, sp = oh * ow;
        double[] wantDx = new double[n * c * h * w], wantDw = new double[f * kk], wantY = new double[n * f * sp];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < f; o++)
                for (int y = 0; y < oh; y++)
                    for (int z = 0; z < ow; z++) {
                        double dy = in[at.dy() + ((i * f + o) * oh + y) * ow + z];
                        for (int ch = 0; ch < c; ch++)
                            for (int a = 0; a < kh; a++)
                                for (int b = 0; b < kw; b++) {
                                    int iy = y * g.stride() - g.pt() + a, ix = z * g.stride() - g.pl() + b;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    int xi = ((i * c + ch) * h + iy) * w + ix, wi = ((o * c + ch) * kh + a) * kw + b;
                                    wantDx[xi] += dy * in[at.wt() + wi];
                                    wantDw[wi] += dy * in[at.x() + xi];
                                    wantY[((i * f + o) * oh + y) * ow + z] += (double) in[at.x() + xi] * in[at.wt() + wi];
                                }
                    }
        for (int i = 0; i < wantDx.length; i++) assertEquals(wantDx[i], got[at.dx() + i], 1e-4 * (1 + Math.abs(wantDx[i])), "dx[" + i + "]");
        for (int i = 0; i < wantDw.length; i++) assertEquals(wantDw[i], got[at.dw() + i], 1e-4 * (1 + Math.abs(wantDw[i])), "dw[" + i + "]");
        for (int i = 0; i < wantY.length; i++) {
            double want = Math.max(0, wantY[i] + in[at.bias() + i / sp % f]);
            assertEquals(want, got[at.out() + i], 1e-4 * (1 + Math.abs(want)), "relu(conv + bias)[" + i + "]");
        }
    }
}
