package dlm.codegen.jvm.kernels;

/**
 * The arguments of one {@link Sgemm} call, split into disjoint blocks of C: columns when
 * {@code splitN}, rows otherwise. Lives in a {@link GemmWorkspace} and is refilled by
 * each call, so that handing it to {@link KernelThreads} allocates nothing.
 */
final class GemmTask implements KernelThreads.Task {
    private final GemmWorkspace ws;
    boolean simd, transA, transB, accumulate, splitN;
    int m, n, k, aOff, lda, bOff, ldb, cOff, ldc, chunk;
    float[] a, b, c;
    /** Applied to each final block of C; null for none. */
    GemmEpilogue epilogue;

    GemmTask(GemmWorkspace ws) {
        this.ws = ws;
    }

    void set(boolean simd, boolean transA, boolean transB, int m, int n, int k,
             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
             boolean accumulate, float[] c, int cOff, int ldc) {
        this.simd = simd;
        this.transA = transA;
        this.transB = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        this.a = a;
        this.aOff = aOff;
        this.lda = lda;
        this.b = b;
        this.bOff = bOff;
        this.ldb = ldb;
        this.accumulate = accumulate;
        this.c = c;
        this.cOff = cOff;
        this.ldc = ldc;
    }

    /** Drops the array references so the workspace does not keep a model's arrays alive. */
    void clear() {
        a = b = c = null;
        epilogue = null;
    }

    @Override
    public void run(int part, int parts) {
        int m0 = 0, m1 = m, n0 = 0, n1 = n;
        if (parts > 1) {
            if (splitN) {
                n0 = Math.min(n, part * chunk);
                n1 = Math.min(n, n0 + chunk);
            } else {
                m0 = Math.min(m, part * chunk);
                m1 = Math.min(m, m0 + chunk);
            }
        }
        if (m0 >= m1 || n0 >= n1) {
            return;
        }
        int aAt = aOff + (transA ? m0 : m0 * lda);
        int bAt = bOff + (transB ? n0 * ldb : n0);
        int cAt = cOff + m0 * ldc + n0;
        if (simd) {
            SgemmVector.gemm(transA, transB, m1 - m0, n1 - n0, k, a, aAt, lda, b, bAt, ldb,
                    accumulate, c, cAt, ldc, ws.packA[part], ws.packB[part], ws.tile[part], ws.ncMax,
                    epilogue, m0, n0);
        } else {
            SgemmScalar.gemm(transA, transB, m1 - m0, n1 - n0, k, a, aAt, lda, b, bAt, ldb,
                    accumulate, c, cAt, ldc);
            if (epilogue != null) {
                epilogue.finish(c, m0, m1, n0, n1);
            }
        }
    }
}
