package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.LaneSum;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products of a batched convolution, where one side is small (the filters) and the other very
 * wide (columns of every image): packing the wide side, as the general SGEMM does, costs as
 * much as multiplying, so these read it in place, one cache-line-wide strip at a time, and keep
 * the strip in L1 while every filter row goes over it. Loaded only when Simd.ENABLED.
 */
final class ConvGemmVector {
    private ConvGemmVector() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * c[i, j] = sum_p a(i, p) b[p, j] for i < m, j < n, p < k, where a(i, p) = a[aOff + i*ars + p*acs]
     * (a row-major [m, k] matrix or the transpose of a [k, m] one), b rows ldb apart, c rows ldc apart.
     */
    static void nn(int m, int n, int k, float[] t, int aOff, int ars, int acs, int bOff, int ldb, int cOff, int ldc) {
        int L = S.length(), step = 2 * L, j = 0;
        for (; j + step <= n; j += step) {
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
                int a0 = aOff + i * ars;
                for (int p = 0; p < k; p++) {
                    int br = bOff + p * ldb + j, ap = a0 + p * acs;
                    FloatVector b0 = FloatVector.fromArray(S, t, br), b1 = FloatVector.fromArray(S, t, br + L);
                    FloatVector x0 = FloatVector.broadcast(S, t[ap]);
                    c00 = x0.fma(b0, c00); c01 = x0.fma(b1, c01);
                    FloatVector x1 = FloatVector.broadcast(S, t[ap + ars]);
                    c10 = x1.fma(b0, c10); c11 = x1.fma(b1, c11);
                    FloatVector x2 = FloatVector.broadcast(S, t[ap + 2 * ars]);
                    c20 = x2.fma(b0, c20); c21 = x2.fma(b1, c21);
                    FloatVector x3 = FloatVector.broadcast(S, t[ap + 3 * ars]);
                    c30 = x3.fma(b0, c30); c31 = x3.fma(b1, c31);
                }
                int cr = cOff + i * ldc + j;
                c00.intoArray(t, cr); c01.intoArray(t, cr + L);
                c10.intoArray(t, cr + ldc); c11.intoArray(t, cr + ldc + L);
                c20.intoArray(t, cr + 2 * ldc); c21.intoArray(t, cr + 2 * ldc + L);
                c30.intoArray(t, cr + 3 * ldc); c31.intoArray(t, cr + 3 * ldc + L);
            }
            for (; i < m; i++) {
                FloatVector c0 = FloatVector.zero(S), c1 = c0;
                int a0 = aOff + i * ars;
                for (int p = 0; p < k; p++) {
                    int br = bOff + p * ldb + j;
                    FloatVector x = FloatVector.broadcast(S, t[a0 + p * acs]);
                    c0 = x.fma(FloatVector.fromArray(S, t, br), c0);
                    c1 = x.fma(FloatVector.fromArray(S, t, br + L), c1);
                }
                int cr = cOff + i * ldc + j;
                c0.intoArray(t, cr);
                c1.intoArray(t, cr + L);
            }
        }
        // The last columns: the same fused multiply-adds as a vector lane does, so that a column
        // gets the same bits whichever range of columns a call covers (see BatchedConvSplit).
        for (; j < n; j++)
            for (int i = 0; i < m; i++) {
                float s = 0;
                for (int p = 0; p < k; p++) s = Math.fma(t[aOff + i * ars + p * acs], t[bOff + p * ldb + j], s);
                t[cOff + i * ldc + j] = s;
            }
    }

    /** K-chunk of {@link #nt}: a [4, KB] and b [2, KB] strips stay in L1. */
    private static final int KB = 1024;

    /** c[i, q] (+)= sum_s a[i, s] b[q, s]: rows of a lda apart, of b ldb apart, of c ldc apart. */
    static void nt(int m, int n, int k, float[] t, int aOff, int lda, int bOff, int ldb, int cOff, int ldc, boolean accumulate) {
        if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(t, cOff + i * ldc, cOff + i * ldc + n, 0f);
        int L = S.length();
        for (int s0 = 0; s0 < k; s0 += KB) {
            int s1 = Math.min(k, s0 + KB), vEnd = s0 + (s1 - s0) / L * L;
            for (int i = 0; i < m; i += 2) {
                boolean two = i + 1 < m;
                for (int q = 0; q < n; q += 2) {
                    boolean twoQ = q + 1 < n;
                    int a0 = aOff + i * lda, a1 = two ? a0 + lda : a0, b0 = bOff + q * ldb, b1 = twoQ ? b0 + ldb : b0;
                    FloatVector s00 = FloatVector.zero(S), s01 = s00, s10 = s00, s11 = s00;
                    for (int s = s0; s < vEnd; s += L) {
                        FloatVector x0 = FloatVector.fromArray(S, t, a0 + s), x1 = FloatVector.fromArray(S, t, a1 + s);
                        FloatVector y0 = FloatVector.fromArray(S, t, b0 + s), y1 = FloatVector.fromArray(S, t, b1 + s);
                        s00 = x0.fma(y0, s00); s01 = x0.fma(y1, s01);
                        s10 = x1.fma(y0, s10); s11 = x1.fma(y1, s11);
                    }
                    float r00 = LaneSum.sum(s00), r01 = LaneSum.sum(s01);
                    float r10 = LaneSum.sum(s10), r11 = LaneSum.sum(s11);
                    for (int s = vEnd; s < s1; s++) {
                        r00 += t[a0 + s] * t[b0 + s]; r01 += t[a0 + s] * t[b1 + s];
                        r10 += t[a1 + s] * t[b0 + s]; r11 += t[a1 + s] * t[b1 + s];
                    }
                    int c0 = cOff + i * ldc + q;
                    t[c0] += r00;
                    if (twoQ) t[c0 + 1] += r01;
                    if (two) {
                        t[c0 + ldc] += r10;
                        if (twoQ) t[c0 + ldc + 1] += r11;
                    }
                }
            }
        }
    }
}
