package dlm.codegen.jvm.kernels;

import static dlm.codegen.jvm.kernels.GemmBlocking.MC;
import static dlm.codegen.jvm.kernels.GemmBlocking.MR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-threaded packed SGEMM on the Vector API: C (+)= op(A) op(B) for one block of C.
 * Only reached when {@link Simd#ENABLED}.
 */
final class SgemmVector {
    /** Held in a static final so the JIT treats the species as a constant (no boxing). */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Micro-kernel width: two vectors. */
    static final int NR = 2 * L;

    private SgemmVector() {}

    /**
     * C[m, n] = op(A)[m, k] op(B)[k, n] (+ C if {@code accumulate}); {@code ncMax} is the
     * packed-B capacity in columns, a multiple of {@link #NR}. {@code tile} holds at
     * least MR x NR floats for the edges of C. {@code epilogue} (may be null) gets each
     * MC x NC block of C after its last K panel, while the block is in L2; this C starts at
     * row {@code i0}, column {@code j0} of the epilogue's C.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     boolean accumulate, float[] c, int cOff, int ldc,
                     float[] packA, float[] packB, float[] tile, int ncMax,
                     GemmEpilogue epilogue, int i0, int j0) {
        int kStep = GemmBlocking.panelDepth(k);
        for (int jc = 0; jc < n; jc += ncMax) {
            int nc = Math.min(ncMax, n - jc);
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                int bAt = transB ? bOff + jc * ldb + pc : bOff + pc * ldb + jc;
                GemmPacking.packB(transB, kc, nc, b, bAt, ldb, packB, NR);
                boolean acc = accumulate || pc > 0;
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    int aAt = transA ? aOff + pc * lda + ic : aOff + ic * lda + pc;
                    GemmPacking.packA(transA, mc, kc, a, aAt, lda, packA, MR);
                    block(mc, nc, kc, packA, packB, c, cOff + ic * ldc + jc, ldc, acc, tile);
                    if (epilogue != null && pc + kc >= k) {
                        epilogue.finish(c, i0 + ic, i0 + ic + mc, j0 + jc, j0 + jc + nc);
                    }
                }
            }
        }
    }

    /** One packed A block times one packed B block into C. */
    private static void block(int mc, int nc, int kc, float[] packA, float[] packB,
                              float[] c, int cOff, int ldc, boolean acc, float[] tile) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                if (mr == MR && nr == NR) {
                    micro(kc, packA, ir * kc, packB, jr * kc, c, cOff + ir * ldc + jr, ldc, acc);
                } else {
                    micro(kc, packA, ir * kc, packB, jr * kc, tile, 0, NR, false);
                    int t = 0;
                    for (int r = 0; r < mr; r++, t += NR) {
                        int row = cOff + (ir + r) * ldc + jr;
                        for (int j = 0; j < nr; j++) {
                            c[row + j] = acc ? c[row + j] + tile[t + j] : tile[t + j];
                        }
                    }
                }
            }
        }
    }

    /**
     * The 4 x (2 vectors) register-blocked FMA kernel over packed panels: 8 accumulators,
     * one per FMA in flight on two ports of 4-cycle latency. Taller tiles (6x2, 5x2, 4x3)
     * measured 35-45% slower on AVX2: C2's local scheduler issues every load of an iteration
     * (all the broadcasts of A and the B vectors) before the FMAs, so 6x2 needs 12 + 2 + 6
     * registers of AVX2's 16 (5x2: 10 + 2 + 5) and spills an accumulator to the stack inside
     * the loop, which puts a store-to-load round trip on that FMA chain (seen in the
     * disassembly of the compiled loop, JDK 25). Writing the loop in another order, splitting
     * the B loads, or unrolling k did not change that schedule; 4x2 needs 8 + 2 + 4 = 14.
     */
    private static void micro(int kc, float[] pa, int ai, float[] pb, int bi,
                              float[] c, int ci, int ldc, boolean acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        // Indexes affine in p (not separately stepped) so that C2 can hoist the array
        // bounds checks out of the loop.
        for (int p = 0; p < kc; p++) {
            int bp = bi + p * NR;
            int ap = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bp);
            FloatVector b1 = FloatVector.fromArray(S, pb, bp + L);
            FloatVector x = FloatVector.broadcast(S, pa[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, pa[ap + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, pa[ap + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, pa[ap + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        // Written out rather than through a helper: a helper taking vectors that C2 does
        // not inline (it is cold next to the k loop) boxes them, 100 KB per call.
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        if (acc) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, c3));
            c31 = c31.add(FloatVector.fromArray(S, c, c3 + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
    }
}
