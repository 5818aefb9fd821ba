package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.Col2im;
import dlm.codegen.jvm.kernels.Im2col;
import dlm.codegen.jvm.kernels.Sgemm;
import dlm.codegen.jvm.kernels.Simd;

/**
 * Matrix products and convolutions on the arena, called from generated code with every
 * shape and offset a constant. A stride-1 convolution on the Vector API path reads the image
 * in place ({@link DirectConv}); others are im2col + GEMM over chunks of images (see
 * {@link #batched}), or per image and group for grouped ones; a
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
            SmallGemm.gemm(transB, lead * m, n, k, t, aOff, bOff, cOff, ctx);
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

    /**
     * A product with its epilogue (see {@link EpilogueOps#run}): the product goes to {@code pre}
     * when the activation's input is stored, else to {@code out}, and each finished block of it
     * gets the bias (per column), the residual and the activation while it is in cache.
     */
    public static void matmulEpilogue(float[] t, int aOff, int bOff, int lead, int m, int n, int k,
                                      boolean transA, boolean transB, boolean sharedB,
                                      int bias, int res, boolean resAfter, int act, float alpha, int pre, int out,
                                      RunContext ctx) {
        int c = pre >= 0 ? pre : out, lda = transA ? m : k, ldb = transB ? k : n;
        if (sharedB && SmallGemm.handles(transA, lead * m)) {
            SmallGemm.gemm(transB, lead * m, n, k, t, aOff, bOff, c, ctx);
            DenseEpilogue.rows(t, c, n, 0, lead * m, 0, n, bias, res, resAfter, act, alpha, pre, out);
            return;
        }
        DenseEpilogue e = ctx.epilogue.set(c, n, bias, res, resAfter, act, alpha, pre, out);
        if (sharedB && !transA) {
            Sgemm.sgemm(false, transB, lead * m, n, k, t, aOff, lda, t, bOff, ldb, 0f, t, c, n, ctx.gemm, ctx.threads, e);
            return;
        }
        for (int l = 0; l < lead; l++) {
            Sgemm.sgemm(transA, transB, m, n, k, t, aOff + l * m * k, lda, t, sharedB ? bOff : bOff + l * k * n, ldb,
                    0f, t, c + l * m * n, n, ctx.gemm, ctx.threads);
            e.finish(t, l * m, (l + 1) * m, 0, n);
        }
    }

    private static boolean pointwise(int kh, int kw, int stride, int pt, int pl, int pb, int pr) {
        return kh == 1 && kw == 1 && stride == 1 && pt == 0 && pl == 0 && pb == 0 && pr == 0;
    }

    /** Floats of the column matrix and the channel-major product of one chunk of images, at most. */
    static final int CHUNK_FLOATS = 1 << 20;

    /**
     * Whether a convolution runs batched: the column matrices of a chunk of images side by side,
     * [C*kh*kw, images*oh*ow], and one GEMM for the chunk (wide enough to split across the
     * kernel threads), its product [F, images*oh*ow] permuted to NCHW. Grouped and pointwise
     * convolutions keep the product per image.
     */
    public static boolean batched(int groups, int kh, int kw, int stride, int pt, int pl, int pb, int pr) {
        return groups == 1 && !pointwise(kh, kw, stride, pt, pl, pb, pr);
    }

    /** Images per chunk of a batched convolution. */
    public static int chunk(int n, int kk, int f, int sp) {
        return Math.max(1, Math.min(n, CHUNK_FLOATS / ((kk + f) * sp)));
    }

    /**
     * Scratch floats of a stride-1 convolution's direct form ({@link DirectConv}) for a forward
     * pass (step 0), input gradient (1) or weight gradient (2); 0 when it has none.
     */
    public static long directScratch(int step, int groups, int c, int h, int w, int f, int kh, int kw,
                                     int stride, int dilation, int pt, int pl, int pb, int pr) {
        if (!DirectConv.fits(groups, kh, kw, stride, dilation, pt, pl, pb, pr)) return 0;
        return switch (step) {
            case 0 -> DirectConv.forwardScratch(c, h, w, f, kh, kw, pt, pl, pb, pr);
            case 1 -> DirectConv.gradInputScratch(c, h, w, f, kh, kw, pt, pl, pb, pr);
            default -> DirectConv.gradWeightScratch(c, h, w, f, kh, kw, pt, pl, pb, pr);
        };
    }

    /** Scratch floats of a batched convolution: the chunk's column matrix and product. */
    public static long batchedScratch(int n, int kk, int f, int sp) {
        return (long) chunk(n, kk, f, sp) * (kk + f) * sp;
    }

    /**
     * The product of images [j0, j1) of a chunk, [f][imgs][sp] at src, to NCHW with the epilogue
     * applied on the way (no epilogue: a plain copy).
     */
    static void toNchw(float[] t, int src, int f, int imgs, int j0, int j1, int sp, int firstImage,
                       int bias, int res, boolean resAfter, int act, float alpha, int pre, int out) {
        for (int ch = 0; ch < f; ch++)
            for (int j = j0; j < j1; j++) {
                int at = ((firstImage + j) * f + ch) * sp;
                EpilogueOps.run(t, src + (ch * imgs + j) * sp, sp, bias < 0 ? -1 : bias + ch, 0, res < 0 ? -1 : res + at,
                        resAfter, act, alpha, pre < 0 ? -1 : pre + at, out + at);
            }
    }

    /** dy of images [j0, j1) of a chunk, [imgs][f][sp] at nchw, to channel-major [f][imgs][sp] at dst. */
    static void toChannelMajor(float[] t, int nchw, int dst, int f, int imgs, int j0, int j1, int sp) {
        for (int ch = 0; ch < f; ch++)
            for (int j = j0; j < j1; j++) System.arraycopy(t, nchw + (j * f + ch) * sp, t, dst + (ch * imgs + j) * sp, sp);
    }

    /** y[N, F, oh, ow] = conv(x[N, C, H, W], w[F, C/groups, kh, kw]). */
    public static void conv2d(float[] t, int xOff, int wOff, int yOff, int colOff,
                              int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                              int stride, int dilation, int groups, int pt, int pl, int pb, int pr, RunContext ctx) {
        conv2dEpilogue(t, xOff, wOff, colOff, n, c, h, w, f, kh, kw, oh, ow, stride, dilation, groups, pt, pl, pb, pr,
                -1, -1, false, EpilogueOps.NONE, 0f, -1, yOff, ctx);
    }

    /**
     * A convolution with its epilogue (see {@link EpilogueOps#run}; bias per channel), applied
     * to each image's output as it is produced: batched, while the chunk's product is copied
     * to NCHW; per image, right after the image's product.
     */
    public static void conv2dEpilogue(float[] t, int xOff, int wOff, int colOff,
                                      int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                                      int stride, int dilation, int groups, int pt, int pl, int pb, int pr,
                                      int bias, int res, boolean resAfter, int act, float alpha, int pre, int out,
                                      RunContext ctx) {
        int cg = c / groups, fg = f / groups, kk = cg * kh * kw, sp = oh * ow;
        int yOff = pre >= 0 ? pre : out;
        boolean direct = pointwise(kh, kw, stride, pt, pl, pb, pr);
        boolean epilogue = bias >= 0 || res >= 0 || act != EpilogueOps.NONE;
        if (DirectConv.handles(groups, kh, kw, stride, dilation, pt, pl, pb, pr)) {
            ctx.directConv.geometry(ctx, t, n, c, h, w, f, kh, kw, pt, pl, pb, pr).forward(xOff, wOff, colOff, bias, res, resAfter, act, alpha, pre, out);
            return;
        }
        if (batched(groups, kh, kw, stride, pt, pl, pb, pr)) {
            BatchedConvSplit split = ctx.batchedConv;
            split.geometry(ctx, t, c, h, w, f, kh, kw, sp, stride, dilation, pt, pl, pb, pr);
            split.forward(xOff, wOff, colOff, n, bias, res, resAfter, act, alpha, pre, out);
            split.release();
            return;
        }
        for (int img = 0; img < n; img++) {
            for (int g = 0; g < groups; g++) {
                int x = xOff + (img * c + g * cg) * h * w;
                int col = colOff;
                if (direct) col = x;
                else Im2col.im2col(t, x, cg, h, w, kh, kw, stride, stride, dilation, dilation, pt, pl, pb, pr, t, colOff);
                Sgemm.sgemm(false, false, fg, sp, kk, t, wOff + g * fg * kk, kk, t, col, sp,
                        0f, t, yOff + (img * f + g * fg) * sp, sp, ctx.gemm, ctx.threads);
            }
            if (!epilogue) continue;
            for (int ch = 0; ch < f; ch++) {
                int at = (img * f + ch) * sp;
                EpilogueOps.run(t, yOff + at, sp, bias < 0 ? -1 : bias + ch, 0, res < 0 ? -1 : res + at, resAfter,
                        act, alpha, pre < 0 ? -1 : pre + at, out + at);
            }
        }
    }

    /** dx[N, C, H, W] from dy[N, F, oh, ow] and w: W^T dy per image and group, then col2im. */
    public static void conv2dGradInput(float[] t, int dyOff, int wOff, int dxOff, int colOff,
                                       int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow,
                                       int stride, int dilation, int groups, int pt, int pl, int pb, int pr, RunContext ctx) {
        int cg = c / groups, fg = f / groups, kk = cg * kh * kw, sp = oh * ow;
        if (DirectConv.handles(groups, kh, kw, stride, dilation, pt, pl, pb, pr)) {
            ctx.directConv.geometry(ctx, t, n, c, h, w, f, kh, kw, pt, pl, pb, pr).gradInput(dyOff, wOff, dxOff, colOff);
            return;
        }
        boolean direct = pointwise(kh, kw, stride, pt, pl, pb, pr);
        if (!direct) java.util.Arrays.fill(t, dxOff, dxOff + n * c * h * w, 0f);
        if (batched(groups, kh, kw, stride, pt, pl, pb, pr)) {
            BatchedConvSplit split = ctx.batchedConv;
            split.geometry(ctx, t, c, h, w, f, kh, kw, sp, stride, dilation, pt, pl, pb, pr);
            split.gradInput(dyOff, wOff, dxOff, colOff, n);
            split.release();
            return;
        }
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
        if (DirectConv.handles(groups, kh, kw, stride, dilation, pt, pl, pb, pr)) {
            ctx.directConv.geometry(ctx, t, n, c, h, w, f, kh, kw, pt, pl, pb, pr).gradWeight(dyOff, xOff, dwOff, colOff);
            return;
        }
        if (batched(groups, kh, kw, stride, pt, pl, pb, pr)) {
            int chunk = chunk(n, kk, f, sp);
            BatchedConvSplit split = ctx.batchedConv;
            split.geometry(ctx, t, c, h, w, f, kh, kw, sp, stride, dilation, pt, pl, pb, pr);
            for (int i0 = 0; i0 < n; i0 += chunk)
                split.gradWeight(dyOff, xOff, dwOff, colOff, i0, Math.min(chunk, n - i0), i0 > 0);
            split.release();
            return;
        }
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
