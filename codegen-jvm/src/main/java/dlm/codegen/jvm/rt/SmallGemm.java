package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.Simd;

/**
 * Products with very few rows (a prediction at batch 1, the last layers of a small batch):
 * the packed GEMM would spend more time packing the weight matrix than multiplying, so these
 * read it in place. NT (a dense layer, y = x W^T) is a dot product per output; NN (dx = dy W)
 * adds scaled rows of W, a loop C2 vectorizes by itself.
 */
final class SmallGemm {
    private SmallGemm() {}

    /** Row counts up to this go through here (measured against the packed path at m = 1..8). */
    static final int MAX_ROWS = 4;

    static boolean handles(boolean transA, int m) { return !transA && m <= MAX_ROWS; }

    static void gemm(boolean transB, int m, int n, int k, float[] t, int a, int b, int c) {
        for (int i = 0; i < m; i++) {
            int row = a + i * k, out = c + i * n;
            if (transB) {
                for (int j = 0; j < n; j++) t[out + j] = dot(t, row, b + j * k, k);
            } else {
                java.util.Arrays.fill(t, out, out + n, 0f);
                for (int p = 0; p < k; p++) {
                    float s = t[row + p];
                    int br = b + p * n;
                    for (int j = 0; j < n; j++) t[out + j] += s * t[br + j];
                }
            }
        }
    }

    private static float dot(float[] t, int a, int b, int n) {
        if (Simd.ENABLED) return DotVector.dot(t, a, b, n);
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int p = 0;
        for (; p + 4 <= n; p += 4) {
            s0 += t[a + p] * t[b + p];
            s1 += t[a + p + 1] * t[b + p + 1];
            s2 += t[a + p + 2] * t[b + p + 2];
            s3 += t[a + p + 3] * t[b + p + 3];
        }
        for (; p < n; p++) s0 += t[a + p] * t[b + p];
        return (s0 + s1) + (s2 + s3);
    }
}
