package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.KernelThreads;

/**
 * A pooling call split over the kernel threads by planes (the N*C planes of an NCHW tensor are
 * independent: each chunk pools a contiguous range of them, with the single-threaded code, so
 * the floats do not depend on the thread count or on which thread takes a chunk). The threads
 * take {@link #CHUNKS_PER_THREAD} chunks each in turn, so that one the system leaves
 * unscheduled for a while delays the call by at most a chunk. Reused by every call (a field of
 * {@link RunContext}): a steady-state step allocates nothing.
 */
final class PlaneSplit implements KernelThreads.Chunks {
    enum Kind { MAX, MAX_GRAD, AVG, AVG_GRAD }

    /** Fewest input floats worth a hand-off to the team (a few microseconds of pooling). */
    static final int MIN_SPLIT_FLOATS = 1 << 15;
    /** Chunks per thread of the team. */
    static final int CHUNKS_PER_THREAD = 4;

    private Kind kind;
    private float[] t;
    private int in, other, out, planes, h, w, oh, ow, k, stride, pt, pl, pb, pr;
    private boolean countIncludePad;

    static boolean worth(RunContext ctx, int planes, int h, int w) {
        return ctx != null && ctx.threads != null && planes >= ctx.threads.size() && (long) planes * h * w >= MIN_SPLIT_FLOATS;
    }

    /**
     * Runs one pooling call over the team. {@code in} is x (or dy for the gradients), {@code other}
     * the second input (x of max_pool2d_grad), {@code out} the result.
     */
    void run(KernelThreads team, Kind kind, float[] t, int in, int other, int out, int planes, int h, int w, int oh, int ow,
             int k, int stride, int pt, int pl, int pb, int pr, boolean countIncludePad) {
        this.kind = kind; this.t = t; this.in = in; this.other = other; this.out = out; this.planes = planes;
        this.h = h; this.w = w; this.oh = oh; this.ow = ow; this.k = k; this.stride = stride;
        this.pt = pt; this.pl = pl; this.pb = pb; this.pr = pr; this.countIncludePad = countIncludePad;
        team.run(this, Math.min(planes, CHUNKS_PER_THREAD * team.size()), team.size());
        this.t = null; // drop the arena reference
    }

    @Override public void run(int chunk, int chunks, int slot) {
        int p0 = (int) ((long) planes * chunk / chunks), p1 = (int) ((long) planes * (chunk + 1) / chunks), np = p1 - p0;
        int big = h * w, small = oh * ow;
        switch (kind) {
            case MAX -> PoolOps.maxPool(t, in + p0 * big, out + p0 * small, np, h, w, oh, ow, k, stride, pt, pl);
            case MAX_GRAD -> PoolOps.maxPoolGrad(t, in + p0 * small, other + p0 * big, out + p0 * big, np, h, w, oh, ow, k, stride, pt, pl);
            case AVG -> PoolOps.avgPool(t, in + p0 * big, out + p0 * small, np, h, w, k, stride, pt, pl, pb, pr, countIncludePad);
            case AVG_GRAD -> PoolOps.avgPoolGrad(t, in + p0 * small, out + p0 * big, np, h, w, k, stride, pt, pl, pb, pr, countIncludePad);
        }
    }
}
