package dlm.codegen.jvm.rt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dlm.codegen.jvm.kernels.Simd;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Few-row products: split over the kernel threads or not, the same floats, and the same as a plain loop. */
class SmallGemmTest {
    @Test
    void aSplitDenseLayerEqualsTheUnsplitOneAndThePlainLoop() {
        int m = 3, n = 517, k = 300;   // n * k above SmallGemm.SPLIT_WEIGHTS, odd sizes
        assertEquals(true, (long) n * k >= SmallGemm.SPLIT_WEIGHTS);
        SplittableRandom r = new SplittableRandom(5);
        int a = 0, b = m * k, c = b + n * k, size = c + m * n;
        float[] t = new float[size];
        for (int i = 0; i < c; i++) t[i] = (float) r.nextGaussian();
        float[] single = t.clone(), split = t.clone();
        SmallGemm.gemm(true, m, n, k, single, a, b, c, null);
        try (RunContext ctx = new RunContext(2)) {
            SmallGemm.gemm(true, m, n, k, split, a, b, c, ctx);
            SmallGemm.gemm(true, m, n, k, split, a, b, c, ctx); // the task object is reused
        }
        assertArrayEquals(single, split, "the split computes each output exactly as the single thread does");
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) t[a + i * k + p] * t[b + j * k + p];
                assertEquals(s, split[c + i * n + j], 1e-3 * Math.max(1, Math.abs(s)), "y[" + i + "," + j + "]");
            }
    }

    @Test
    void outputsComputedFourAtATimeAreTheSingleDotProductsBitForBit() {
        assumeTrue(Simd.ENABLED, "the four-row dot products are the Vector API path");
        SplittableRandom r = new SplittableRandom(9);
        for (int k : new int[] {1, 7, 8, 15, 16, 17, 300, 513}) { // no vector, one, two and a tail
            int m = 2, n = 11, a = 0, b = m * k, c = b + n * k;
            float[] t = new float[c + m * n];
            for (int i = 0; i < c; i++) t[i] = (float) r.nextGaussian();
            SmallGemm.gemm(true, m, n, k, t, a, b, c, null);
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                    assertEquals(DotVector.dot(t, a + i * k, b + j * k, k), t[c + i * n + j], 0f,
                            "k " + k + ", y[" + i + "," + j + "]");
        }
    }
}
