package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.Col2im;
import dlm.codegen.jvm.kernels.Im2col;
import dlm.codegen.jvm.kernels.KernelThreads;
import dlm.codegen.jvm.kernels.Sgemm;
import dlm.codegen.jvm.kernels.Simd;

/**
 * One chunk of a batched convolution (see {@link LinearOps#batched}) split over the kernel
 * threads. The chunk's column matrix is [kk, imgs*sp], image j owning columns [j*sp, (j+1)*sp),
 * so a part that takes a range of images owns a range of columns: it gathers them, multiplies
 * them and scatters them (the forward pass with its epilogue) with no other part touching its
 * floats, and every output float is computed by the same operations as on one thread (the
 * results do not depend on the thread count). The weight gradient sums over every column, so
 * it is split the other way: the parts first gather their images' columns, then each computes
 * a range of filter rows.
 *
 * <p>Every batched chunk goes through here: on the team when {@link #worth} says so, else as
 * one part on the calling thread. The split is made on the Vector API path only, where the
 * product is {@link ConvGemmVector}, which runs on the calling thread; on the scalar path the
 * product is the packed SGEMM, which splits itself over the team.
 *
 * <p>Reused by every call (a field of {@link RunContext}): a steady-state step allocates nothing.
 */
final class BatchedConvSplit implements KernelThreads.Task {
    enum Step { FORWARD, GRAD_INPUT, GRAD_WEIGHT_GATHER, GRAD_WEIGHT_PRODUCT }

    /** Fewest multiply-adds per chunk worth a hand-off to the team (its cost is a few microseconds). */
    static final long MIN_SPLIT_MACS = 1 << 20;

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

    /** Whether a chunk of {@code imgs} images is worth splitting over the team. */
    static boolean worth(KernelThreads team, int imgs, int kk, int f, int sp) {
        return Simd.ENABLED && team != null && imgs >= team.size() && (long) kk * f * sp * imgs >= MIN_SPLIT_MACS;
    }

    void geometry(RunContext ctx, float[] t, int c, int h, int w, int f, int kh, int kw, int sp,
                  int stride, int dilation, int pt, int pl, int pb, int pr) {
        this.ctx = ctx; this.t = t; this.c = c; this.h = h; this.w = w; this.f = f; this.kh = kh; this.kw = kw; this.sp = sp;
        this.stride = stride; this.dilation = dilation; this.pt = pt; this.pl = pl; this.pb = pb; this.pr = pr;
    }

    /** y of images [i0, i0 + imgs) from x and w, with the epilogue (see {@link LinearOps#conv2dEpilogue}). */
    void forward(int xOff, int wOff, int colOff, int i0, int imgs,
                 int bias, int res, boolean resAfter, int act, float alpha, int pre, int out) {
        this.step = Step.FORWARD;
        this.xOff = xOff; this.wOff = wOff; this.colOff = colOff; this.i0 = i0; this.imgs = imgs;
        this.bias = bias; this.res = res; this.resAfter = resAfter; this.act = act; this.alpha = alpha; this.pre = pre; this.out = out;
        go();
    }

    /** dx of images [i0, i0 + imgs) from dy and w (dx zeroed before). */
    void gradInput(int dyOff, int wOff, int dxOff, int colOff, int i0, int imgs) {
        this.step = Step.GRAD_INPUT;
        this.dyOff = dyOff; this.wOff = wOff; this.dxOff = dxOff; this.colOff = colOff; this.i0 = i0; this.imgs = imgs;
        go();
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

    /** The current step over the chunk: on the team, or as one part here. */
    private void go() {
        KernelThreads team = ctx.threads;
        if (worth(team, imgs, c * kh * kw, f, sp)) team.run(this, team.size());
        else run(0, 1);
    }

    /** Drops the arena reference, so that a closed model's arena can be collected. */
    void release() { t = null; ctx = null; }

    @Override public void run(int part, int parts) {
        int kk = c * kh * kw, ld = imgs * sp, dyT = colOff + kk * ld;
        int j0 = imgs * part / parts, j1 = imgs * (part + 1) / parts;
        switch (step) {
            case FORWARD -> {
                int prod = colOff + kk * ld;
                for (int j = j0; j < j1; j++)
                    Im2col.im2col(t, xOff + (i0 + j) * c * h * w, c, h, w, kh, kw, stride, stride, dilation, dilation,
                            pt, pl, pb, pr, t, colOff + j * sp, ld);
                if (Simd.ENABLED) ConvGemmVector.nn(f, (j1 - j0) * sp, kk, t, wOff, kk, 1, colOff + j0 * sp, ld, prod + j0 * sp, ld);
                else Sgemm.sgemm(false, false, f, ld, kk, t, wOff, kk, t, colOff, ld, 0f, t, prod, ld, ctx.gemm, ctx.threads);
                LinearOps.toNchw(t, prod, f, imgs, j0, j1, sp, i0, bias, res, resAfter, act, alpha, pre, out);
            }
            case GRAD_INPUT -> {
                LinearOps.toChannelMajor(t, dyOff + i0 * f * sp, dyT, f, imgs, j0, j1, sp);
                if (Simd.ENABLED) ConvGemmVector.nn(kk, (j1 - j0) * sp, f, t, wOff, 1, kk, dyT + j0 * sp, ld, colOff + j0 * sp, ld);
                else Sgemm.sgemm(true, false, kk, ld, f, t, wOff, kk, t, dyT, ld, 0f, t, colOff, ld, ctx.gemm, ctx.threads);
                for (int j = j0; j < j1; j++)
                    Col2im.col2im(t, colOff + j * sp, c, h, w, kh, kw, stride, stride, dilation, dilation, pt, pl, pb, pr,
                            t, dxOff + (i0 + j) * c * h * w, ld);
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
