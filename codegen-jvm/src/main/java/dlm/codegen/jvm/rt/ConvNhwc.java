package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.Sgemm;
import java.util.Arrays;

/**
 * Convolution on channels-last (NHWC) activations with OIHW weights, groups = 1. In NHWC one
 * im2col row is a run of kh*kw contiguous copies of C channels, and the product
 * cols[N*oh*ow, kh*kw*C] w'[F, kh*kw*C]^T is already the NHWC output [N, oh, ow, F]: no permute
 * after the GEMM (the NCHW path permutes its [F, images*oh*ow] product). A pointwise convolution
 * (1x1, stride 1, no padding) reads x itself as the column matrix, for the whole batch at once.
 *
 * <p>Weights stay OIHW in the arena (as saved and as the optimizer updates them): each call
 * reorders them to OHWI (w') in scratch, F*kh*kw*C floats, small next to the columns; for a
 * 1x1 kernel OIHW and OHWI are the same layout and w is used in place.
 */
public final class ConvNhwc {
    private ConvNhwc() {}

    /** Floats of the column matrix of one chunk of images, at most. */
    static final int CHUNK_FLOATS = 1 << 20;

    public static boolean pointwise(int kh, int kw, int stride, int pt, int pl, int pb, int pr) {
        return kh == 1 && kw == 1 && stride == 1 && pt == 0 && pl == 0 && pb == 0 && pr == 0;
    }

    /** Images per chunk of the column matrix. */
    static int chunk(int n, int kk, int sp) { return Math.max(1, Math.min(n, CHUNK_FLOATS / (kk * sp))); }

    /** Scratch floats of any of the three ops: the reordered weight and one chunk of columns. */
    public static long scratch(int n, int c, int f, int kh, int kw, int oh, int ow, int stride, int pt, int pl, int pb, int pr) {
        if (pointwise(kh, kw, stride, pt, pl, pb, pr)) return 0;
        int kk = kh * kw * c, sp = oh * ow;
        return (long) f * kk + (long) chunk(n, kk, sp) * sp * kk;
    }

    /** w OIHW at src to OHWI at dst (toOhwi), or back. */
    static void reorder(float[] t, int src, int dst, int f, int c, int kh, int kw, boolean toOhwi) {
        for (int o = 0; o < f; o++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++) {
                        int oihw = src + ((o * c + ch) * kh + i) * kw + j, ohwi = dst + ((o * kh + i) * kw + j) * c + ch;
                        if (toOhwi) t[ohwi] = t[oihw];
                        else t[oihw] = t[ohwi];
                    }
    }

    /** Column rows of images [i0, i0 + imgs): row (img, oy, ox) holds the kh*kw pixels of its window, C channels each, zeros in the padding. */
    static void im2col(float[] t, int xOff, int i0, int imgs, int c, int h, int w, int kh, int kw, int oh, int ow,
                       int stride, int dilation, int pt, int pl, int colOff) {
        int kk = kh * kw * c;
        for (int img = 0; img < imgs; img++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int row = colOff + ((img * oh + oy) * ow + ox) * kk;
                    for (int i = 0; i < kh; i++) {
                        int iy = oy * stride - pt + i * dilation;
                        for (int j = 0; j < kw; j++) {
                            int ix = ox * stride - pl + j * dilation, dst = row + (i * kw + j) * c;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) Arrays.fill(t, dst, dst + c, 0f);
                            else System.arraycopy(t, xOff + (((i0 + img) * h + iy) * w + ix) * c, t, dst, c);
                        }
                    }
                }
    }

    /** The adjoint of im2col: adds each column row back onto its window's pixels. */
    static void col2im(float[] t, int dxOff, int i0, int imgs, int c, int h, int w, int kh, int kw, int oh, int ow,
                       int stride, int dilation, int pt, int pl, int colOff) {
        int kk = kh * kw * c;
        for (int img = 0; img < imgs; img++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int row = colOff + ((img * oh + oy) * ow + ox) * kk;
                    for (int i = 0; i < kh; i++) {
                        int iy = oy * stride - pt + i * dilation;
                        if (iy < 0 || iy >= h) continue;
                        for (int j = 0; j < kw; j++) {
                            int ix = ox * stride - pl + j * dilation;
                            if (ix < 0 || ix >= w) continue;
                            int src = row + (i * kw + j) * c, dst = dxOff + (((i0 + img) * h + iy) * w + ix) * c;
                            for (int ch = 0; ch < c; ch++) t[dst + ch] += t[src + ch];
                        }
                    }
                }
    }

    /** y[N, oh, ow, F] = conv(x[N, H, W, C], w[F, C, kh, kw]). */
    public static void conv2d(float[] t, int xOff, int wOff, int yOff, int scratch,
                              int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                              int stride, int dilation, int pt, int pl, int pb, int pr, RunContext ctx) {
        if (pointwise(kh, kw, stride, pt, pl, pb, pr)) {
            Sgemm.sgemm(false, true, n * h * w, f, c, t, xOff, c, t, wOff, c, 0f, t, yOff, f, ctx.gemm, ctx.threads);
            return;
        }
        int kk = kh * kw * c, sp = oh * ow, wr = scratch, cols = scratch + f * kk, chunk = chunk(n, kk, sp);
        reorder(t, wOff, wr, f, c, kh, kw, true);
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            im2col(t, xOff, i0, imgs, c, h, w, kh, kw, oh, ow, stride, dilation, pt, pl, cols);
            Sgemm.sgemm(false, true, imgs * sp, f, kk, t, cols, kk, t, wr, kk, 0f, t, yOff + i0 * sp * f, f, ctx.gemm, ctx.threads);
        }
    }

    /** dx[N, H, W, C] from dy[N, oh, ow, F] and w: dy w' per chunk, then col2im. */
    public static void conv2dGradInput(float[] t, int dyOff, int wOff, int dxOff, int scratch,
                                       int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                                       int stride, int dilation, int pt, int pl, int pb, int pr, RunContext ctx) {
        if (pointwise(kh, kw, stride, pt, pl, pb, pr)) {
            Sgemm.sgemm(false, false, n * h * w, c, f, t, dyOff, f, t, wOff, c, 0f, t, dxOff, c, ctx.gemm, ctx.threads);
            return;
        }
        int kk = kh * kw * c, sp = oh * ow, wr = scratch, cols = scratch + f * kk, chunk = chunk(n, kk, sp);
        reorder(t, wOff, wr, f, c, kh, kw, true);
        Arrays.fill(t, dxOff, dxOff + n * h * w * c, 0f);
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            Sgemm.sgemm(false, false, imgs * sp, kk, f, t, dyOff + i0 * sp * f, f, t, wr, kk, 0f, t, cols, kk, ctx.gemm, ctx.threads);
            col2im(t, dxOff, i0, imgs, c, h, w, kh, kw, oh, ow, stride, dilation, pt, pl, cols);
        }
    }

    /** dw[F, C, kh, kw] = dy^T cols summed over the batch, reordered back to OIHW. */
    public static void conv2dGradWeight(float[] t, int dyOff, int xOff, int dwOff, int scratch,
                                        int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                                        int stride, int dilation, int pt, int pl, int pb, int pr, RunContext ctx) {
        if (pointwise(kh, kw, stride, pt, pl, pb, pr)) {
            Sgemm.sgemm(true, false, f, c, n * h * w, t, dyOff, f, t, xOff, c, 0f, t, dwOff, c, ctx.gemm, ctx.threads);
            return;
        }
        int kk = kh * kw * c, sp = oh * ow, dwr = scratch, cols = scratch + f * kk, chunk = chunk(n, kk, sp);
        for (int i0 = 0; i0 < n; i0 += chunk) {
            int imgs = Math.min(chunk, n - i0);
            im2col(t, xOff, i0, imgs, c, h, w, kh, kw, oh, ow, stride, dilation, pt, pl, cols);
            Sgemm.sgemm(true, false, f, kk, imgs * sp, t, dyOff + i0 * sp * f, f, t, cols, kk, i0 == 0 ? 0f : 1f, t, dwr, kk, ctx.gemm, ctx.threads);
        }
        reorder(t, dwOff, dwr, f, c, kh, kw, false);
    }
}
