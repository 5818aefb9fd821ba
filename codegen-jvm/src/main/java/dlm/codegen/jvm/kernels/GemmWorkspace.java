package dlm.codegen.jvm.kernels;

/**
 * Caller-owned scratch for {@link Sgemm}: packed A and B blocks and an edge tile per
 * thread, plus the reusable task object of the parallel split. Sized once, so that a
 * GEMM call allocates nothing. Not thread-safe: one workspace per calling thread (a
 * compiled model is thread-confined and owns one).
 */
public final class GemmWorkspace {
    final float[][] packA;
    final float[][] packB;
    final float[][] tile;
    /** Columns of C per packed B block, a multiple of {@link GemmBlocking#NR_MAX}. */
    final int ncMax;
    final GemmTask task = new GemmTask(this);

    /** Scratch for up to {@code threads} threads and any N: {@code threads} x ~4.3 MB. */
    public GemmWorkspace(int threads) {
        this(threads, GemmBlocking.NC);
    }

    /**
     * Scratch for up to {@code threads} threads; {@code maxN} bounds the packed B block
     * (smaller problems need less memory; larger N still works, in more B blocks).
     */
    public GemmWorkspace(int threads, int maxN) {
        if (threads < 1 || maxN < 1) {
            throw new IllegalArgumentException("threads " + threads + ", maxN " + maxN);
        }
        int nr = GemmBlocking.NR_MAX;
        this.ncMax = Math.min(GemmBlocking.NC, (maxN + nr - 1) / nr * nr);
        this.packA = new float[threads][GemmBlocking.MC * GemmBlocking.KC];
        this.packB = new float[threads][GemmBlocking.KC * ncMax];
        this.tile = new float[threads][GemmBlocking.MR * nr];
    }

    /** How many threads this workspace has scratch for. */
    public int threads() {
        return packA.length;
    }
}
