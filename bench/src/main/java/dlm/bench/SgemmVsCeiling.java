package dlm.bench;

import dlm.codegen.jvm.kernels.GemmWorkspace;
import dlm.codegen.jvm.kernels.KernelThreads;
import dlm.codegen.jvm.kernels.Sgemm;
import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM as a fraction of the FMA ceiling, the two measured in alternating half-second
 * wall-clock windows on the same threads: ceiling, SGEMM, ceiling, SGEMM, ...
 *
 * <p>Why a second harness next to {@link SgemmBench} and {@link FmaCeilingBench}: on the shared
 * machines dlm is measured on, the ceiling itself drifts by +-20% within minutes (67-88 GFLOP/s
 * on one thread in one morning) as the other tenants' load changes the core's clock. JMH runs
 * the ceiling and SGEMM minutes apart, so their ratio carries that drift. Here each SGEMM window
 * is divided by the ceiling window measured just before it, and the median of those paired
 * ratios is reported. The ceiling loop is the same as FmaCeilingBench's (12 independent FMA
 * chains on {@code SPECIES_PREFERRED}, no memory traffic); on two threads each thread runs it.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dlm.bench.SgemmVsCeiling \
 *      [sizes, default 256,512,1024,2048] [threads, default 1,2] [windows, default 16]
 * </pre>
 */
public final class SgemmVsCeiling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final long WINDOW_NS = 500_000_000L;
    private static final int FMA_ITERATIONS = 1 << 18;
    private static final int CHAINS = 12;
    /** Keeps the FMA loop's result alive. */
    private static volatile float sink;

    private SgemmVsCeiling() {}

    public static void main(String[] args) {
        int[] sizes = ints(args.length > 0 ? args[0] : "256,512,1024,2048");
        int[] threadCounts = ints(args.length > 1 ? args[1] : "1,2");
        int windows = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        System.out.printf("%d paired windows of %.1f s (+3 warm-up pairs) per row%n", windows, WINDOW_NS / 1e9);
        System.out.println("  n      threads  ceiling GF/s  SGEMM GF/s  SGEMM/ceiling, median of pairs [min-max]");
        for (int t : threadCounts) {
            for (int n : sizes) {
                row(n, t, windows);
            }
        }
    }

    private static void row(int n, int threads, int windows) {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
        GemmWorkspace ws = new GemmWorkspace(threads);
        double[] ceiling = new double[windows], sgemm = new double[windows], ratio = new double[windows];
        try (KernelThreads team = new KernelThreads(threads)) {
            KernelThreads.Task fma = (part, parts) -> sink += fmaLoop(FMA_ITERATIONS);
            for (int w = -3; w < windows; w++) {
                long t0 = System.nanoTime(), flops = 0;
                do {
                    team.run(fma, threads);
                    flops += (long) FMA_ITERATIONS * CHAINS * 2 * S.length() * threads;
                } while (System.nanoTime() - t0 < WINDOW_NS);
                double ce = flops / (double) (System.nanoTime() - t0);
                long calls = 0;
                t0 = System.nanoTime();
                do {
                    Sgemm.sgemm(false, false, n, n, n, a, 0, n, b, 0, n, 0f, c, 0, n, ws, team);
                    calls++;
                } while (System.nanoTime() - t0 < WINDOW_NS);
                double g = calls * 2.0 * n * n * n / (System.nanoTime() - t0);
                if (w >= 0) {
                    ceiling[w] = ce;
                    sgemm[w] = g;
                    ratio[w] = g / ce;
                }
            }
        }
        Arrays.sort(ceiling);
        Arrays.sort(sgemm);
        Arrays.sort(ratio);
        System.out.printf("  %-6d %-8d %12.1f %11.1f  %5.0f%% [%.0f-%.0f%%]%n", n, threads, median(ceiling),
                median(sgemm), 100 * median(ratio), 100 * ratio[0], 100 * ratio[windows - 1]);
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static double median(double[] sorted) {
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /**
     * FmaCeilingBench's loop, repeated on purpose: with the two benchmarks calling one shared
     * copy, JMH measured a ceiling of 38-44 GFLOP/s on one thread against 76-82 with its own copy
     * (alternating runs, 2026-11-22), so the copy stays.
     */
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
