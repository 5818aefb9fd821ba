package dlm.codegen.jvm.kernels;

/**
 * Plain-Java SGEMM for when the Vector API is absent or disabled: C[m, n] = op(A) op(B)
 * (+ C if {@code accumulate}). Loop orders keep the innermost access contiguous so that
 * C2 can still auto-vectorize where it is able to.
 */
final class SgemmScalar {
    private SgemmScalar() {}

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     boolean accumulate, float[] c, int cOff, int ldc) {
        int aRow = transA ? 1 : lda; // step between rows of op(A)
        int aCol = transA ? lda : 1; // step along k in op(A)
        if (!transB) {
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                if (!accumulate) {
                    java.util.Arrays.fill(c, row, row + n, 0f);
                }
                for (int p = 0; p < k; p++) {
                    float av = a[aOff + i * aRow + p * aCol];
                    int bRow = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[row + j] += av * b[bRow + j];
                    }
                }
            }
        } else {
            for (int i = 0; i < m; i++) {
                int row = cOff + i * ldc;
                int ai = aOff + i * aRow;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s += a[ai + p * aCol] * b[bj + p];
                    }
                    c[row + j] = accumulate ? c[row + j] + s : s;
                }
            }
        }
    }
}
