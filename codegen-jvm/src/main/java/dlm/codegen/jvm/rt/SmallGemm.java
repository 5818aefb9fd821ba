package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.KernelThreads;
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

    /**
     * A dense layer (NT) with at least this many weights is split over the kernel threads by
     * output columns. Measured at batch 1 with four outputs per pass ({@link DotVector#dot4}),
     * medians of alternating JVMs: keras_mlp (two 64K-weight layers around the 256K one) 33.0,
     * 32.3, 31.9, 28.3 us with those split too, against 34.0, 34.2, 50.6, 34.8 us with only
     * the 256K one split; lenet5's 48K-weight 400x120 layer 45, 46, 45 us split against 39,
     * 28, 28 us whole (its one hand-off per call is not paid back).
     */
    static final int SPLIT_WEIGHTS = 1 << 16;

    static boolean handles(boolean transA, int m) { return !transA && m <= MAX_ROWS; }

    static void gemm(boolean transB, int m, int n, int k, float[] t, int a, int b, int c, RunContext ctx) {
        KernelThreads team = ctx == null ? null : ctx.threads;
        if (transB && team != null && (long) n * k >= SPLIT_WEIGHTS && n >= 2 * team.size()) {
            Split s = ctx.smallGemm;
            s.set(m, n, k, t, a, b, c);
            team.run(s, team.size());
            s.set(0, 0, 0, null, 0, 0, 0); // drop the arena reference
            return;
        }
        gemm(transB, m, n, k, t, a, b, c, 0, n);
    }

    /** Output columns [j0, j1) of the product. */
    static void gemm(boolean transB, int m, int n, int k, float[] t, int a, int b, int c, int j0, int j1) {
        for (int i = 0; i < m; i++) {
            int row = a + i * k, out = c + i * n;
            if (transB) {
                int j = j0;
                if (Simd.ENABLED) {
                    for (; j + 4 <= j1; j += 4) DotVector.dot4(t, row, b + j * k, k, out + j);
                }
                for (; j < j1; j++) t[out + j] = dot(t, row, b + j * k, k);
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

    /** One part of a split NT product: a contiguous range of output columns. Reused per call. */
    static final class Split implements KernelThreads.Task {
        private int m, n, k, a, b, c;
        private float[] t;

        void set(int m, int n, int k, float[] t, int a, int b, int c) {
            this.m = m; this.n = n; this.k = k; this.t = t; this.a = a; this.b = b; this.c = c;
        }

        @Override public void run(int part, int parts) {
            int j0 = (int) ((long) n * part / parts), j1 = (int) ((long) n * (part + 1) / parts);
            gemm(true, m, n, k, t, a, b, c, j0, j1);
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
