package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.Col2im;
import dlm.codegen.jvm.kernels.Im2col;
import dlm.codegen.jvm.kernels.Sgemm;

/**
 * Matrix products and convolutions on the arena, called from generated code with every
 * shape and offset a constant. Convolution is im2col + GEMM per image and group; a
 * pointwise convolution (1x1, stride 1, no padding) reads the input as the column matrix.
 */
public final class LinearOps {
    private LinearOps() {}

    /**
     * c = op(a) op(b) over the last two axes, for {@code lead} leading indices. sharedB: b is
     * one [K, N] (or [N, K]) matrix for every leading index.
     */
    public static void matmul(float[] t, int aOff, int bOff, int cOff, int lead, int m, int n, int k,
                              boolean transA, boolean transB, boolean sharedB, RunContext ctx) {
        int lda = transA ? m : k, ldb = transB ? k : n;
        if (sharedB && SmallGemm.handles(transA, lead * m)) {
            SmallGemm.gemm(transB, lead * m, n, k, t, aOff, bOff, cOff);
            return;
        }
        if (sharedB && !transA) {
            // the leading axes fold into M: one large product instead of many small ones
            Sgemm.sgemm(false, transB, lead * m, n, k, t, aOff, lda, t, bOff, ldb, 0f, t, cOff, n, ctx.gemm, ctx.threads);
            return;
        }
        for (int l = 0; l < lead; l++)
            Sgemm.sgemm(transA, transB, m, n, k, t, aOff + l * m * k, lda, t, sharedB ? bOff : bOff + l * k * n, ldb,
                    0f, t, cOff + l * m * n, n, ctx.gemm, ctx.threads);
    }

    private static boolean pointwise(int kh, int kw, int stride, int pt, int pl, int pb, int pr) {
        return kh == 1 && kw == 1 && stride == 1 && pt == 0 && pl == 0 && pb == 0 && pr == 0;
    }

    /** y[N, F, oh, ow] = conv(x[N, C, H, W], w[F, C/groups, kh, kw]). */
    public static void conv2d(float[] t, int xOff, int wOff, int yOff, int colOff,
                              int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                              int stride, int dilation, int groups, int pt, int pl, int pb, int pr, RunContext ctx) {
        int cg = c / groups, fg = f / groups, kk = cg * kh * kw, sp = oh * ow;
        boolean direct = pointwise(kh, kw, stride, pt, pl, pb, pr);
        for (int img = 0; img < n; img++)
            for (int g = 0; g < groups; g++) {
                int x = xOff + (img * c + g * cg) * h * w;
                int col = colOff;
                if (direct) col = x;
                else Im2col.im2col(t, x, cg, h, w, kh, kw, stride, stride, dilation, dilation, pt, pl, pb, pr, t, colOff);
                Sgemm.sgemm(false, false, fg, sp, kk, t, wOff + g * fg * kk, kk, t, col, sp,
                        0f, t, yOff + (img * f + g * fg) * sp, sp, ctx.gemm, ctx.threads);
            }
    }

    /** dx[N, C, H, W] from dy[N, F, oh, ow] and w: W^T dy per image and group, then col2im. */
    public static void conv2dGradInput(float[] t, int dyOff, int wOff, int dxOff, int colOff,
                                       int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                                       int stride, int dilation, int groups, int pt, int pl, int pb, int pr, RunContext ctx) {
        int cg = c / groups, fg = f / groups, kk = cg * kh * kw, sp = oh * ow;
        boolean direct = pointwise(kh, kw, stride, pt, pl, pb, pr);
        if (!direct) java.util.Arrays.fill(t, dxOff, dxOff + n * c * h * w, 0f);
        for (int img = 0; img < n; img++)
            for (int g = 0; g < groups; g++) {
                int dx = dxOff + (img * c + g * cg) * h * w;
                int dy = dyOff + (img * f + g * fg) * sp;
                Sgemm.sgemm(true, false, kk, sp, fg, t, wOff + g * fg * kk, kk, t, dy, sp,
                        0f, t, direct ? dx : colOff, sp, ctx.gemm, ctx.threads);
                if (!direct) Col2im.col2im(t, colOff, cg, h, w, kh, kw, stride, stride, dilation, dilation, pt, pl, pb, pr, t, dx);
            }
    }

    /** dw[F, C/groups, kh, kw] = sum over images of dy col^T. */
    public static void conv2dGradWeight(float[] t, int dyOff, int xOff, int dwOff, int colOff,
                                        int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                                        int stride, int dilation, int groups, int pt, int pl, int pb, int pr, RunContext ctx) {
        int cg = c / groups, fg = f / groups, kk = cg * kh * kw, sp = oh * ow;
        boolean direct = pointwise(kh, kw, stride, pt, pl, pb, pr);
        for (int img = 0; img < n; img++)
            for (int g = 0; g < groups; g++) {
                int x = xOff + (img * c + g * cg) * h * w;
                int col = colOff;
                if (direct) col = x;
                else Im2col.im2col(t, x, cg, h, w, kh, kw, stride, stride, dilation, dilation, pt, pl, pb, pr, t, colOff);
                Sgemm.sgemm(false, true, fg, kk, sp, t, dyOff + (img * f + g * fg) * sp, sp, t, col, sp,
                        img == 0 ? 0f : 1f, t, dwOff + g * fg * kk, kk, ctx.gemm, ctx.threads);
            }
    }
}
