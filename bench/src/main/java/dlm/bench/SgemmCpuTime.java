package dlm.bench;

import dlm.codegen.jvm.kernels.GemmWorkspace;
import dlm.codegen.jvm.kernels.Sgemm;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One-thread SGEMM and FMA ceiling in GFLOP per second of the thread's own CPU time.
 *
 * <p>On a shared machine JMH's wall-clock figures mostly measure how much of a core the
 * benchmark got; CPU time leaves the time-slicing out (not the cache pollution from the
 * other tenants), so the ratio SGEMM / ceiling is steadier. A complement to
 * {@link SgemmBench}, not a replacement.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dlm.bench.SgemmCpuTime [n,n,...]}
 */
public final class SgemmCpuTime {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final long WINDOW_NS = 500_000_000L;
    private static final int WINDOWS = 10;

    private SgemmCpuTime() {}

    public static void main(String[] args) {
        String sizes = args.length > 0 ? args[0] : "512,1024,2048";
        double[] fma = new double[WINDOWS];
        for (int w = -3; w < WINDOWS; w++) { // 3 warm-up windows
            long iters = 0, t0 = MX.getCurrentThreadCpuTime();
            float sink = 0;
            do {
                sink += fmaLoop(1 << 20);
                iters += 1 << 20;
            } while (MX.getCurrentThreadCpuTime() - t0 < WINDOW_NS);
            if (w >= 0) {
                fma[w] = iters * 12.0 * 2 * S.length() / (MX.getCurrentThreadCpuTime() - t0);
            }
            if (sink == 42f) {
                System.out.print("");
            }
        }
        Arrays.sort(fma);
        double ceiling = median(fma);
        System.out.printf("FMA ceiling, 1 thread: min %.1f median %.1f GFLOP/cpu-s%n", fma[0], ceiling);
        for (String s : sizes.split(",")) {
            int n = Integer.parseInt(s.trim());
            double[] g = gemm(n);
            System.out.printf("SGEMM NN n=%d, 1 thread: min %.1f median %.1f GFLOP/cpu-s = %.0f%% of ceiling%n",
                    n, g[0], median(g), 100 * median(g) / ceiling);
        }
    }

    private static double[] gemm(int n) {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
        GemmWorkspace ws = new GemmWorkspace(1);
        double[] g = new double[WINDOWS];
        for (int w = -3; w < WINDOWS; w++) {
            long calls = 0, t0 = MX.getCurrentThreadCpuTime();
            do {
                Sgemm.sgemm(false, false, n, n, n, a, 0, n, b, 0, n, 0f, c, 0, n, ws, null);
                calls++;
            } while (MX.getCurrentThreadCpuTime() - t0 < WINDOW_NS);
            if (w >= 0) {
                g[w] = calls * 2.0 * n * n * n / (MX.getCurrentThreadCpuTime() - t0);
            }
        }
        Arrays.sort(g);
        return g;
    }

    private static double median(double[] sorted) {
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /** The same 12 independent FMA chains as {@link FmaCeilingBench}. */
    private static float fmaLoop(int iterations) {
        FloatVector x = FloatVector.broadcast(S, 0.999f), y = FloatVector.broadcast(S, 0.001f);
        FloatVector a0 = y, a1 = y.add(1f), a2 = y.add(2f), a3 = y.add(3f), a4 = y.add(4f), a5 = y.add(5f);
        FloatVector a6 = y.add(6f), a7 = y.add(7f), a8 = y.add(8f), a9 = y.add(9f), a10 = y.add(10f), a11 = y.add(11f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
