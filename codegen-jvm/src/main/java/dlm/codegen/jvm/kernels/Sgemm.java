package dlm.codegen.jvm.kernels;

/**
 * Single-precision GEMM on row-major arrays: C[m, n] = op(A) op(B) + beta C.
 *
 * <p>op(A) is A[m, k] stored at {@code a[aOff + i*lda + p]}, or, when {@code transA},
 * A stored as [k, m] at {@code a[aOff + p*lda + i]}; likewise op(B) is [k, n] at
 * {@code b[bOff + p*ldb + j]} or, when {@code transB}, stored [n, k] at
 * {@code b[bOff + j*ldb + p]}. For a dense layer with W[out, in]: y = x W^T is
 * (false, true), dX = dY W is (false, false), dW = dY^T X is (true, false).
 *
 * <p>{@code beta} 0 overwrites C (NaNs in C do not propagate), 1 accumulates into it,
 * anything else scales C first. Large problems are split by columns (or rows, when C is
 * taller than wide) over {@code threads}; {@code threads} may be null for one thread.
 * Allocation-free: all scratch is in {@code ws}, which must have scratch for at least
 * as many threads as are used (the smaller of the two counts is used).
 */
public final class Sgemm {
    /**
     * Below this many flops a call runs on the calling thread: waking a parked worker
     * costs some microseconds, about what 2^21 flops take on one core.
     */
    public static final long PARALLEL_MIN_FLOPS = 1L << 21;

    private Sgemm() {}

    /** C = op(A) op(B) + beta C, on the Vector API when {@link Simd#ENABLED}. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc,
                             GemmWorkspace ws, KernelThreads threads) {
        run(Simd.ENABLED, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                ws, threads, PARALLEL_MIN_FLOPS, null);
    }

    /**
     * The same product with {@code epilogue} applied to each block of C as soon as the block is
     * final (on the thread that computed it), rather than in a pass over all of C afterwards.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc,
                             GemmWorkspace ws, KernelThreads threads, GemmEpilogue epilogue) {
        run(Simd.ENABLED, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                ws, threads, PARALLEL_MIN_FLOPS, epilogue);
    }

    /** The same product in plain Java, whatever {@link Simd#ENABLED} says. */
    public static void sgemmScalar(boolean transA, boolean transB, int m, int n, int k,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc,
                                   GemmWorkspace ws, KernelThreads threads) {
        run(false, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                ws, threads, PARALLEL_MIN_FLOPS, null);
    }

    static void run(boolean simd, boolean transA, boolean transB, int m, int n, int k,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc,
                    GemmWorkspace ws, KernelThreads threads, long minParallelFlops) {
        run(simd, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, ws, threads, minParallelFlops, null);
    }

    static void run(boolean simd, boolean transA, boolean transB, int m, int n, int k,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc,
                    GemmWorkspace ws, KernelThreads threads, long minParallelFlops, GemmEpilogue epilogue) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size " + m + "x" + n + "x" + k);
        }
        if (ldc < n || lda < (transA ? m : k) || ldb < (transB ? k : n)) {
            throw new IllegalArgumentException("leading dimension too small: lda " + lda
                    + ", ldb " + ldb + ", ldc " + ldc + " for " + m + "x" + n + "x" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        boolean accumulate = beta != 0f;
        if (accumulate && beta != 1f) {
            scale(beta, m, n, c, cOff, ldc);
        }
        if (k == 0) {
            if (!accumulate) {
                scale(0f, m, n, c, cOff, ldc);
            }
            if (epilogue != null) {
                epilogue.finish(c, 0, m, 0, n);
            }
            return;
        }
        GemmTask task = ws.task;
        task.set(simd, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, accumulate, c, cOff, ldc);
        task.epilogue = epilogue;
        int team = threads == null ? 1 : Math.min(threads.size(), ws.threads());
        long flops = 2L * m * n * k;
        if (team <= 1 || flops < minParallelFlops) {
            task.run(0, 1);
        } else {
            // Split the longer side of C so each thread gets a wide block; align to the
            // micro-kernel so that only the last block has edge tiles.
            task.splitN = n >= m;
            int len = task.splitN ? n : m;
            int align = task.splitN ? GemmBlocking.NR_MAX : GemmBlocking.MR;
            int chunk = ((len + team - 1) / team + align - 1) / align * align;
            task.chunk = chunk;
            threads.run(task, (len + chunk - 1) / chunk);
        }
        task.clear();
    }

    private static void scale(float beta, int m, int n, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            for (int j = 0; j < n; j++) {
                c[row + j] = beta == 0f ? 0f : beta * c[row + j];
            }
        }
    }
}
