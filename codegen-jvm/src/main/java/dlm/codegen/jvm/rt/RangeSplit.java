package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.KernelThreads;

/**
 * An elementwise loop of a generated class split over the kernel threads: positions [0, n) of
 * its outermost axis cut into contiguous chunks, {@link #CHUNKS_PER_THREAD} per thread, each
 * starting at a multiple of {@code grain} (the vector lanes when that axis is the innermost
 * one), each run by the generated class's own code for that range; the threads take the chunks
 * in turn. Each element is computed by the same code whatever the thread count and whichever
 * thread takes its chunk, so the floats do not depend on either. Reused by every call (a field of
 * {@link RunContext}): a steady-state step allocates nothing.
 */
public final class RangeSplit implements KernelThreads.Chunks {
    /** Chunks per thread of the team: one the system leaves unscheduled for a while delays the call by at most a chunk. */
    static final int CHUNKS_PER_THREAD = 4;

    private RangeKernels kernels;
    private int kernel, n, grain;
    private float[] arena;

    RangeSplit() {}

    /**
     * Runs loop {@code kernel} of {@code kernels} over [0, n) on the team and returns true; returns
     * false, having run nothing, when there is no team or too few positions for two parts: the
     * caller then runs the whole range itself.
     */
    public static boolean run(RunContext ctx, RangeKernels kernels, int kernel, float[] arena, int n, int grain) {
        if (ctx == null || ctx.threads == null) return false;
        int size = ctx.threads.size();
        if (size < 2 || units(n, grain) < 2) return false;
        int chunks = (int) Math.min((long) CHUNKS_PER_THREAD * size, units(n, grain));
        RangeSplit s = ctx.ranges;
        s.kernels = kernels; s.kernel = kernel; s.arena = arena; s.n = n; s.grain = grain;
        try {
            ctx.threads.run(s, chunks, size);
        } finally {
            s.arena = null; // drop the arena reference
            s.kernels = null;
        }
        return true;
    }

    @Override public void run(int chunk, int chunks, int slot) {
        kernels.range(kernel, arena, bound(chunk, chunks, n, grain), bound(chunk + 1, chunks, n, grain));
    }

    /** Where part {@code part} of {@code parts} starts: a multiple of grain, n for the end; parts <= units(n, grain) leaves none empty. */
    static int bound(int part, int parts, int n, int grain) {
        long at = units(n, grain) * part / parts * grain;
        return (int) Math.min(n, at);
    }

    private static long units(int n, int grain) { return ((long) n + grain - 1) / grain; }
}
