package dlm.codegen.jvm.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SgemmTest {
    private static final int[] SIZES = {1, 15, 17, 31, 33, 100, 257};
    private static final KernelThreads TWO = new KernelThreads(2);

    @AfterAll
    static void stop() {
        TWO.close();
    }

    /** Every size in every position, plus shapes that cross the MC, KC and NC blocks. */
    static List<int[]> shapes() {
        List<int[]> s = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            s.add(new int[] {SIZES[i], SIZES[(i + 2) % 7], SIZES[(i + 4) % 7]});
            s.add(new int[] {SIZES[(i + 3) % 7], SIZES[i], SIZES[(i + 1) % 7]});
        }
        s.add(new int[] {400, 70, 600});  // several MC and KC blocks
        s.add(new int[] {7, 300, 513});   // N beyond the small workspace's NC (see below)
        s.add(new int[] {GemmBlocking.MC + 1, 129, GemmBlocking.KC + 1}); // one past MC and KC
        s.add(new int[] {13, 33, 2 * GemmBlocking.KC + 7}); // three K panels of unequal depth
        s.add(new int[] {2 * GemmBlocking.MC + 3, 17, 1}); // several MC blocks, K of 1
        return s;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (boolean simd : new boolean[] {true, false}) {
            for (int threads : new int[] {1, 2}) {
                for (int t = 0; t < 4; t++) {
                    for (float beta : new float[] {0f, 1f}) {
                        out.add(Arguments.of(simd, threads, (t & 2) != 0, (t & 1) != 0, beta));
                    }
                }
            }
        }
        out.add(Arguments.of(true, 1, false, true, 0.5f));
        out.add(Arguments.of(false, 2, true, false, -2f));
        return out.stream();
    }

    @ParameterizedTest(name = "simd={0} threads={1} transA={2} transB={3} beta={4}")
    @MethodSource("cases")
    void matchesDoublePrecisionReference(boolean simd, int threads, boolean transA, boolean transB, float beta) {
        if (simd && !Simd.ENABLED) {
            return; // vector module absent: the scalar cases still run
        }
        SplittableRandom rnd = new SplittableRandom(42);
        // maxN = 100 makes NC = 128 columns, so wide cases run several packed B blocks.
        GemmWorkspace ws = new GemmWorkspace(2, 100);
        for (int[] s : shapes()) {
            check(rnd, simd, threads == 2 ? TWO : null, ws, transA, transB, beta, s[0], s[1], s[2]);
        }
    }

    private static void check(SplittableRandom rnd, boolean simd, KernelThreads threads, GemmWorkspace ws,
                              boolean transA, boolean transB, float beta, int m, int n, int k) {
        // Leading dimensions and offsets deliberately larger than needed.
        int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 5, ldc = n + 2;
        int aOff = 7, bOff = 11, cOff = 13;
        float[] a = Reference.random(rnd, aOff + (transA ? k : m) * lda);
        float[] b = Reference.random(rnd, bOff + (transB ? n : k) * ldb);
        float[] c = Reference.random(rnd, cOff + m * ldc + 4);
        if (beta == 0f) {
            for (int i = cOff; i < cOff + m * ldc; i++) {
                c[i] = Float.NaN; // beta 0 must overwrite, not multiply
            }
        }
        float[] before = c.clone();
        double[] expected = new double[m * n];
        double[] bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0, abs = 0;
                for (int p = 0; p < k; p++) {
                    double x = a[aOff + (transA ? p * lda + i : i * lda + p)];
                    double y = b[bOff + (transB ? j * ldb + p : p * ldb + j)];
                    s += x * y;
                    abs += Math.abs(x * y);
                }
                double c0 = beta == 0f ? 0 : beta * (double) before[cOff + i * ldc + j];
                expected[i * n + j] = s + c0;
                bound[i * n + j] = abs + Math.abs(c0);
            }
        }
        Sgemm.run(simd, transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc,
                ws, threads, 0);
        String what = m + "x" + n + "x" + k;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double e = expected[i * n + j];
                float got = c[cOff + i * ldc + j];
                // float rounding of k products: a few ulps of the sum of magnitudes
                double tol = 1e-6 * (k + 2) * bound[i * n + j] + 1e-6;
                if (!(Math.abs(got - e) <= tol)) {
                    fail(what + " at (" + i + "," + j + "): expected " + e + " but was " + got);
                }
            }
            for (int j = n; j < ldc; j++) { // padding between rows untouched
                int at = cOff + i * ldc + j;
                if (Float.compare(c[at], before[at]) != 0) {
                    fail(what + ": wrote outside C at row " + i + " column " + j);
                }
            }
        }
        for (int i = 0; i < cOff; i++) {
            assertEquals(before[i], c[i], "wrote before C");
        }
    }

    /**
     * Split over two threads, every float of C must still be the one-thread float, bit for bit,
     * with or without an epilogue (which each thread runs on its own blocks, in C's coordinates),
     * across several packed B blocks (maxN 100: NC = 128) and K panels, with edge tiles.
     */
    @Test
    void twoThreadsGiveTheOneThreadBits() {
        if (!Simd.ENABLED) {
            return;
        }
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] shapes = {{256, 512, 512}, {400, 70, 600}, {7, 300, 513}, {GemmBlocking.MC + 1, 129, GemmBlocking.KC + 1},
                {33, 257, 2 * GemmBlocking.KC + 7}, {300, 31, 100}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean transA = (t & 2) != 0, transB = (t & 1) != 0;
                for (float beta : new float[] {0f, 1f}) {
                    for (boolean withEpilogue : new boolean[] {false, true}) {
                        float[] a = Reference.random(rnd, m * k), b = Reference.random(rnd, k * n), c0 = Reference.random(rnd, m * n);
                        float[][] out = new float[2][];
                        for (int threads = 1; threads <= 2; threads++) {
                            float[] c = c0.clone();
                            GemmEpilogue e = withEpilogue ? (cc, r0, r1, j0, j1) -> {
                                for (int i = r0; i < r1; i++)
                                    for (int j = j0; j < j1; j++) cc[i * n + j] = Math.max(0f, cc[i * n + j]) + i;
                            } : null;
                            Sgemm.run(true, transA, transB, m, n, k, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n,
                                    new GemmWorkspace(2, 100), threads == 2 ? TWO : null, 0, e);
                            out[threads - 1] = c;
                        }
                        String what = m + "x" + n + "x" + k + " transA=" + transA + " transB=" + transB + " beta=" + beta
                                + " epilogue=" + withEpilogue;
                        for (int i = 0; i < m * n; i++) {
                            if (Float.floatToRawIntBits(out[0][i]) != Float.floatToRawIntBits(out[1][i])) {
                                fail(what + ": C[" + i + "] " + out[0][i] + " on one thread, " + out[1][i] + " on two");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void kPanelsAreAtMostKcDeepAndCoverK() {
        for (int k : new int[] {1, 7, GemmBlocking.KC - 1, GemmBlocking.KC, GemmBlocking.KC + 1,
                2 * GemmBlocking.KC + 7, 5 * GemmBlocking.KC}) {
            int depth = GemmBlocking.panelDepth(k);
            int panels = (k + depth - 1) / depth;
            assertTrue(depth >= 1 && depth <= GemmBlocking.KC, "depth " + depth + " for k " + k);
            assertEquals((k + GemmBlocking.KC - 1) / GemmBlocking.KC, panels, "panels for k " + k);
            assertTrue(k - (panels - 1) * depth >= depth - panels, "last panel of k " + k + " too shallow");
        }
    }

    @Test
    void kZeroScalesOrClearsC() {
        float[] c = {1, 2, 3, 4};
        GemmWorkspace ws = new GemmWorkspace(1, 16);
        Sgemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, 1f, c, 0, 2, ws, null);
        assertEquals(3f, c[2]);
        Sgemm.sgemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, 0f, c, 0, 2, ws, null);
        assertEquals(0f, c[0] + c[1] + c[2] + c[3]);
    }

    @Test
    void warmedUpCallAllocatesNothing() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        SplittableRandom rnd = new SplittableRandom(1);
        int m = 37, n = 45, k = 70; // edge tiles in both directions
        float[] a = Reference.random(rnd, m * k), b = Reference.random(rnd, n * k), c = new float[m * n];
        GemmWorkspace ws = new GemmWorkspace(1, n);
        long allocated = -1;
        // Until C2 has compiled the kernels (and removed the vector boxes by escape
        // analysis) the interpreter does allocate; give it a bounded number of rounds.
        for (int round = 0; round < 30 && allocated != 0; round++) {
            for (int i = 0; i < 2000; i++) {
                Sgemm.sgemm(false, true, m, n, k, a, 0, k, b, 0, k, 0f, c, 0, n, ws, null);
                Sgemm.sgemm(true, false, m, n, k, a, 0, m, b, 0, n, 1f, c, 0, n, ws, null);
            }
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 500; i++) {
                Sgemm.sgemm(false, true, m, n, k, a, 0, k, b, 0, k, 0f, c, 0, n, ws, null);
                Sgemm.sgemm(true, false, m, n, k, a, 0, m, b, 0, n, 1f, c, 0, n, ws, null);
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        assertEquals(0, allocated, "bytes allocated by 1000 warmed-up GEMM calls");
        assertTrue(Float.isFinite(c[0]));
    }
}
