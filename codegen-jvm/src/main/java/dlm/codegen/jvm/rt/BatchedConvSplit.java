package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.Col2im;
import dlm.codegen.jvm.kernels.Im2col;
import dlm.codegen.jvm.kernels.KernelThreads;
import dlm.codegen.jvm.kernels.Sgemm;
import dlm.codegen.jvm.kernels.Simd;

/**
 * A batched convolution (see {@link LinearOps#batched}) split over the kernel threads.
 *
 * <p>Forward and input gradient: the parts take ranges of images, and each part goes over its
 * images in groups small enough for its core's L2 cache ({@link #group}): the group's column
 * matrix [kk, imgs*sp] (image j owning columns [j*sp, (j+1)*sp)), its product and the scatter
 * to NCHW (the forward pass with its epilogue) all stay in cache, in the part's own region of
 * the scratch. Every output float is computed by the same operations whatever the group and
 * the part (the results do not depend on the thread count).
 *
 * <p>Weight gradient: it sums over every column, so it goes over chunks of images as large as
 * the scratch holds ({@link LinearOps#chunk}), split the other way: the parts first gather the
 * chunk's columns by images, then each computes a range of filter rows.
 *
 * <p>Every batched convolution goes through here: on the team when {@link #worth} says so, else
 * as one part on the calling thread. The split is made on the Vector API path only, where the
 * product is {@link ConvGemmVector}, which runs on the calling thread; on the scalar path the
 * product is the packed SGEMM, which splits itself over the team, and a group is a whole chunk.
 *
 * <p>Reused by every call (a field of {@link RunContext}): a steady-state step allocates nothing.
 */
final class BatchedConvSplit implements KernelThreads.Task {
    enum Step { FORWARD, GRAD_INPUT, GRAD_WEIGHT_GATHER, GRAD_WEIGHT_PRODUCT }

    /** Fewest multiply-adds per call worth a hand-off to the team (its cost is a few microseconds). */
    static final long MIN_SPLIT_MACS = 1 << 20;

    /** Floats of one group's column matrix and product: about a quarter of a 512 KB L2 cache. */
    static final int GROUP_FLOATS = 1 << 15;

    private Step step;
    private float[] t;
    private RunContext ctx;
    private int xOff, dyOff, wOff, dxOff, dwOff, colOff, i0, imgs;
    private int c, h, w, f, kh, kw, sp, stride, dilation, pt, pl, pb, pr;
    private boolean accumulate;
    // the forward epilogue (see EpilogueOps.run)
    private int bias, res, act, pre, out;
    private boolean resAfter;
    private float alpha;

    /** Whether {@code imgs} images are worth splitting over the team. */
    static boolean worth(KernelThreads team, int imgs, int kk, int f, int sp) {
        return Simd.ENABLED && team != null && imgs >= team.size() && (long) kk * f * sp * imgs >= MIN_SPLIT_MACS;
    }

    /** Images per group of the forward pass and input gradient, out of a chunk of {@code chunk}. */
    static int group(int chunk, int kk, int f, int sp) {
        return Simd.ENABLED ? Math.max(1, Math.min(chunk, GROUP_FLOATS / ((kk + f) * sp))) : chunk;
    }

    void geometry(RunContext ctx, float[] t, int c, int h, int w, int f, int kh, int kw, int sp,
                  int stride, int dilation, int pt, int pl, int pb, int pr) {
        this.ctx = ctx; this.t = t; this.c = c; this.h = h; this.w = w; this.f = f; this.kh = kh; this.kw = kw; this.sp = sp;
        this.stride = stride; this.dilation = dilation; this.pt = pt; this.pl = pl; this.pb = pb; this.pr = pr;
    }

    /** y of all {@code n} images from x and w, with the epilogue (see {@link LinearOps#conv2dEpilogue}). */
    void forward(int xOff, int wOff, int colOff, int n,
                 int bias, int res, boolean resAfter, int act, float alpha, int pre, int out) {
        this.step = Step.FORWARD;
        this.xOff = xOff; this.wOff = wOff; this.colOff = colOff; this.i0 = 0; this.imgs = n;
        this.bias = bias; this.res = res; this.resAfter = resAfter; this.act = act; this.alpha = alpha; this.pre = pre; this.out = out;
        goInGroups();
    }

    /** dx of all {@code n} images from dy and w (dx zeroed before). */
    void gradInput(int dyOff, int wOff, int dxOff, int colOff, int n) {
        this.step = Step.GRAD_INPUT;
        this.dyOff = dyOff; this.wOff = wOff; this.dxOff = dxOff; this.colOff = colOff; this.i0 = 0; this.imgs = n;
        goInGroups();
    }

    /** dw (+)= dy col^T over images [i0, i0 + imgs). */
    void gradWeight(int dyOff, int xOff, int dwOff, int colOff, int i0, int imgs, boolean accumulate) {
        this.dyOff = dyOff; this.xOff = xOff; this.dwOff = dwOff; this.colOff = colOff; this.i0 = i0; this.imgs = imgs;
        this.accumulate = accumulate;
        this.step = Step.GRAD_WEIGHT_GATHER;
        go();
        this.step = Step.GRAD_WEIGHT_PRODUCT;
        go();
    }

    /** Images per group and the number of parts of the current forward or input-gradient call. */
    private int group, groupParts;

    /** The forward pass or input gradient over all images: one part per thread, as many as fit the scratch. */
    private void goInGroups() {
        KernelThreads team = ctx.threads;
        int kk = c * kh * kw, chunk = LinearOps.chunk(imgs, kk, f, sp);
        group = group(chunk, kk, f, sp);
        groupParts = worth(team, imgs, kk, f, sp) ? Math.max(1, Math.min(team.size(), chunk / group)) : 1;
        if (groupParts > 1) team.run(this, groupParts);
        else run(0, 1);
    }

    /** The current step over the chunk: on the team, or as one part here. */
    private void go() {
        KernelThreads team = ctx.threads;
        if (worth(team, imgs, c * kh * kw, f, sp)) team.run(this, team.size());
        else run(0, 1);
    }

    /** Drops the arena reference, so that a closed model's arena can be collected. */
    void release() { t = null; ctx = null; }

    /** The forward pass or input gradient of images [g0, g0 + gi), in the scratch at {@code region}. */
    private void groupStep(int g0, int gi, int region) {
        int kk = c * kh * kw, ld = gi * sp, col = region, prod = region + kk * ld;
        if (step == Step.FORWARD) {
            for (int j = 0; j < gi; j++)
                Im2col.im2col(t, xOff + (g0 + j) * c * h * w, c, h, w, kh, kw, stride, stride, dilation, dilation,
                        pt, pl, pb, pr, t, col + j * sp, ld);
            if (Simd.ENABLED) ConvGemmVector.nn(f, ld, kk, t, wOff, kk, 1, col, ld, prod, ld);
            else Sgemm.sgemm(false, false, f, ld, kk, t, wOff, kk, t, col, ld, 0f, t, prod, ld, ctx.gemm, ctx.threads);
            LinearOps.toNchw(t, prod, f, gi, 0, gi, sp, g0, bias, res, resAfter, act, alpha, pre, out);
        } else {
            LinearOps.toChannelMajor(t, dyOff + g0 * f * sp, prod, f, gi, 0, gi, sp);
            if (Simd.ENABLED) ConvGemmVector.nn(kk, ld, f, t, wOff, 1, kk, prod, ld, col, ld);
            else Sgemm.sgemm(true, false, kk, ld, f, t, wOff, kk, t, prod, ld, 0f, t, col, ld, ctx.gemm, ctx.threads);
            for (int j = 0; j < gi; j++)
                Col2im.col2im(t, col + j * sp, c, h, w, kh, kw, stride, stride, dilation, dilation, pt, pl, pb, pr,
                        t, dxOff + (g0 + j) * c * h * w, ld);
        }
    }

    @Override public void run(int part, int parts) {
        int kk = c * kh * kw, ld = imgs * sp, dyT = colOff + kk * ld;
        int j0 = imgs * part / parts, j1 = imgs * (part + 1) / parts;
        switch (step) {
            case FORWARD, GRAD_INPUT -> {
                int first = imgs * part / parts, last = imgs * (part + 1) / parts;
                int region = colOff + part * group * (kk + f) * sp;
                for (int g0 = first; g0 < last; g0 += group) groupStep(g0, Math.min(group, last - g0), region);
            }
            case GRAD_WEIGHT_GATHER -> {
                for (int j = j0; j < j1; j++)
                    Im2col.im2col(t, xOff + (i0 + j) * c * h * w, c, h, w, kh, kw, stride, stride, dilation, dilation,
                            pt, pl, pb, pr, t, colOff + j * sp, ld);
                LinearOps.toChannelMajor(t, dyOff + i0 * f * sp, dyT, f, imgs, j0, j1, sp);
            }
            case GRAD_WEIGHT_PRODUCT -> {
                int f0 = f * part / parts, f1 = f * (part + 1) / parts;
                if (!Simd.ENABLED)
                    Sgemm.sgemm(false, true, f, kk, ld, t, dyT, ld, t, colOff, ld, accumulate ? 1f : 0f, t, dwOff, kk, ctx.gemm, ctx.threads);
                else if (f1 > f0)
                    ConvGemmVector.nt(f1 - f0, kk, ld, t, dyT + f0 * ld, ld, colOff, ld, dwOff + f0 * kk, kk, accumulate);
            }
        }
    }
}
