package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.KernelThreads;

/**
 * An elementwise loop of a generated class split over the kernel threads: positions [0, n) of
 * its outermost axis cut into one contiguous range per thread, each starting at a multiple of
 * {@code grain} (the vector lanes when that axis is the innermost one), each run by the
 * generated class's own code for that range. Each element is computed by the same code whatever
 * the thread count, so the floats do not depend on it. Reused by every call (a field of
 * {@link RunContext}): a steady-state step allocates nothing.
 */
public final class RangeSplit implements KernelThreads.Task {
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
        int parts = (int) Math.min(ctx.threads.size(), units(n, grain));
        if (parts < 2) return false;
        RangeSplit s = ctx.ranges;
        s.kernels = kernels; s.kernel = kernel; s.arena = arena; s.n = n; s.grain = grain;
        try {
            ctx.threads.run(s, parts);
        } finally {
            s.arena = null; // drop the arena reference
            s.kernels = null;
        }
        return true;
    }

    @Override public void run(int part, int parts) {
        kernels.range(kernel, arena, bound(part, parts, n, grain), bound(part + 1, parts, n, grain));
    }

    /** Where part {@code part} of {@code parts} starts: a multiple of grain, n for the end; parts <= units(n, grain) leaves none empty. */
    static int bound(int part, int parts, int n, int grain) {
        long at = units(n, grain) * part / parts * grain;
        return (int) Math.min(n, at);
    }

    private static long units(int n, int grain) { return ((long) n + grain - 1) / grain; }
}
