package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.Col2im;
import dlm.codegen.jvm.kernels.Im2col;
import dlm.codegen.jvm.kernels.KernelThreads;

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
 * <p>Reused by every call (a field of {@link RunContext}): a steady-state step allocates nothing.
 * Used on the Vector API path only, where the product is {@link ConvGemmVector}, which runs on
 * the calling thread; the scalar path keeps the packed SGEMM's own split.
 */
final class BatchedConvSplit implements KernelThreads.Task {
    enum Step { FORWARD, GRAD_INPUT, GRAD_WEIGHT_GATHER, GRAD_WEIGHT_PRODUCT }

    /** Fewest multiply-adds per chunk worth a hand-off to the team (its cost is a few microseconds). */
    static final long MIN_SPLIT_MACS = 1 << 20;

    private Step step;
    private float[] t;
    private int xOff, dyOff, wOff, dxOff, dwOff, colOff, i0, imgs;
    private int c, h, w, f, kh, kw, sp, stride, dilation, pt, pl, pb, pr;
    private boolean accumulate;
    // the forward epilogue (see EpilogueOps.run)
    private int bias, res, act, pre, out;
    private boolean resAfter;
    private float alpha;

    /** Whether a chunk of {@code imgs} images is worth splitting over the team. */
    static boolean worth(KernelThreads team, int imgs, int kk, int f, int sp) {
        return team != null && imgs >= team.size() && (long) kk * f * sp * imgs >= MIN_SPLIT_MACS;
    }

    void geometry(float[] t, int c, int h, int w, int f, int kh, int kw, int sp,
                  int stride, int dilation, int pt, int pl, int pb, int pr) {
        this.t = t; this.c = c; this.h = h; this.w = w; this.f = f; this.kh = kh; this.kw = kw; this.sp = sp;
        this.stride = stride; this.dilation = dilation; this.pt = pt; this.pl = pl; this.pb = pb; this.pr = pr;
    }

    /** y of images [i0, i0 + imgs) from x and w, with the epilogue (see {@link LinearOps#conv2dEpilogue}). */
    void forward(KernelThreads team, int xOff, int wOff, int colOff, int i0, int imgs,
                 int bias, int res, boolean resAfter, int act, float alpha, int pre, int out) {
        this.step = Step.FORWARD;
        this.xOff = xOff; this.wOff = wOff; this.colOff = colOff; this.i0 = i0; this.imgs = imgs;
        this.bias = bias; this.res = res; this.resAfter = resAfter; this.act = act; this.alpha = alpha; this.pre = pre; this.out = out;
        team.run(this, team.size());
    }

    /** dx of images [i0, i0 + imgs) from dy and w (dx zeroed before). */
    void gradInput(KernelThreads team, int dyOff, int wOff, int dxOff, int colOff, int i0, int imgs) {
        this.step = Step.GRAD_INPUT;
        this.dyOff = dyOff; this.wOff = wOff; this.dxOff = dxOff; this.colOff = colOff; this.i0 = i0; this.imgs = imgs;
        team.run(this, team.size());
    }

    /** dw (+)= dy col^T over images [i0, i0 + imgs). */
    void gradWeight(KernelThreads team, int dyOff, int xOff, int dwOff, int colOff, int i0, int imgs, boolean accumulate) {
        this.dyOff = dyOff; this.xOff = xOff; this.dwOff = dwOff; this.colOff = colOff; this.i0 = i0; this.imgs = imgs;
        this.accumulate = accumulate;
        this.step = Step.GRAD_WEIGHT_GATHER;
        team.run(this, team.size());
        this.step = Step.GRAD_WEIGHT_PRODUCT;
        team.run(this, team.size());
    }

    /** Drops the arena reference, so that a closed model's arena can be collected. */
    void release() { t = null; }

    @Override public void run(int part, int parts) {
        int kk = c * kh * kw, ld = imgs * sp, dyT = colOff + kk * ld;
        int j0 = imgs * part / parts, j1 = imgs * (part + 1) / parts;
        switch (step) {
            case FORWARD -> {
                int prod = colOff + kk * ld;
                for (int j = j0; j < j1; j++)
                    Im2col.im2col(t, xOff + (i0 + j) * c * h * w, c, h, w, kh, kw, stride, stride, dilation, dilation,
                            pt, pl, pb, pr, t, colOff + j * sp, ld);
                ConvGemmVector.nn(f, (j1 - j0) * sp, kk, t, wOff, kk, 1, colOff + j0 * sp, ld, prod + j0 * sp, ld);
                LinearOps.toNchw(t, prod, f, imgs, j0, j1, sp, i0, bias, res, resAfter, act, alpha, pre, out);
            }
            case GRAD_INPUT -> {
                LinearOps.permute(t, dyT, dyOff + i0 * f * sp, f, imgs, j0, j1, sp, false);
                ConvGemmVector.nn(kk, (j1 - j0) * sp, f, t, wOff, 1, kk, dyT + j0 * sp, ld, colOff + j0 * sp, ld);
                for (int j = j0; j < j1; j++)
                    Col2im.col2im(t, colOff + j * sp, c, h, w, kh, kw, stride, stride, dilation, dilation, pt, pl, pb, pr,
                            t, dxOff + (i0 + j) * c * h * w, ld);
            }
            case GRAD_WEIGHT_GATHER -> {
                for (int j = j0; j < j1; j++)
                    Im2col.im2col(t, xOff + (i0 + j) * c * h * w, c, h, w, kh, kw, stride, stride, dilation, dilation,
                            pt, pl, pb, pr, t, colOff + j * sp, ld);
                LinearOps.permute(t, dyT, dyOff + i0 * f * sp, f, imgs, j0, j1, sp, false);
            }
            case GRAD_WEIGHT_PRODUCT -> {
                int f0 = f * part / parts, f1 = f * (part + 1) / parts;
                if (f1 > f0)
                    ConvGemmVector.nt(f1 - f0, kk, ld, t, dyT + f0 * ld, ld, colOff, ld, dwOff + f0 * kk, kk, accumulate);
            }
        }
    }
}
