package dlm.bench.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The timing protocol of the PyTorch peer script (bench/peers/pytorch/bench.py), in Java:
 * warm-up, then repeats of at least {@code minTime} seconds each; min/median/max over the
 * repeats. Each repeat also records the CPU share taken by other processes during it
 * ({@code foreign_cpu_frac}, as bench.py computes it from /proc/stat), so a reader can see
 * which repeats a noisy machine spoiled. Unlike bench.py it never waits for a quiet machine:
 * the comparison is the plain protocol ({@code --wait-quiet 0 --wait-repeat 0}).
 */
final class Timing {

    /**
     * @param warmupSeconds  warm-up time before the first repeat
     * @param minWarmupCalls calls made during warm-up even if they take longer
     * @param minTime        seconds per repeat (a repeat is at least one call)
     * @param repeats        repeats wanted
     * @param budgetSeconds  no further repeat is started once this much time was spent on the
     *                       metric (warm-up included) and at least one repeat is done; 0: no budget
     * @param steadyWarmupMaxSeconds when above {@code warmupSeconds}: after the warm-up, go on
     *                       in 1 s windows while the call rate still rises by more than
     *                       {@link #STEADY_GAIN} from one window to the next, up to this many
     *                       seconds of warm-up in all. The JIT compiles the generated code and
     *                       the Vector API kernels over several seconds, so a fixed short
     *                       warm-up would time a mix of tiers, different from run to run
     */
    record Protocol(double warmupSeconds, int minWarmupCalls, double minTime, int repeats, double budgetSeconds,
                    double steadyWarmupMaxSeconds) {
        Protocol(double warmupSeconds, int minWarmupCalls, double minTime, int repeats, double budgetSeconds) {
            this(warmupSeconds, minWarmupCalls, minTime, repeats, budgetSeconds, 0);
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("warmup_s", warmupSeconds);
            m.put("steady_warmup_max_s", steadyWarmupMaxSeconds);
            m.put("steady_gain", STEADY_GAIN);
            m.put("min_warmup_calls", minWarmupCalls);
            m.put("min_time_s", minTime);
            m.put("repeats", repeats);
            m.put("budget_s", budgetSeconds);
            return m;
        }
    }

    /** A warm-up window this much faster than the one before means the JIT is still at work. */
    static final double STEADY_GAIN = 1.03;

    /** What the warm-up did: its length and the time of its last call. */
    private record Warmup(double seconds, double lastCallSeconds) {}

    private Timing() {}

    /** Items per second: {@code items} per call of {@code fn}. */
    static Map<String, Object> throughput(Runnable fn, int items, Protocol p) {
        long start = System.nanoTime();
        Warmup warm = warmup(fn, p);
        List<Double> rates = new ArrayList<>();
        List<Integer> iters = new ArrayList<>();
        List<Double> noise = new ArrayList<>();
        while (more(rates.size(), start, p)) {
            Noise nz = Noise.start();
            long t0 = System.nanoTime();
            int n = 0;
            double dt;
            do {
                fn.run();
                n++;
                dt = (System.nanoTime() - t0) / 1e9;
            } while (dt < p.minTime());
            noise.add(nz.stop());
            rates.add(n * (double) items / dt);
            iters.add(n);
        }
        Map<String, Object> r = stats(rates);
        r.put("per_repeat", rates);
        r.put("iters_per_repeat", iters);
        r.put("foreign_cpu_frac_per_repeat", noise);
        r.put("last_warmup_call_s", warm.lastCallSeconds());
        r.put("warmup_used_s", warm.seconds());
        return r;
    }

    /** Per-call latency in microseconds: median and p99 per repeat, min/median/max of those over repeats. */
    static Map<String, Object> latency(Runnable fn, Protocol p) {
        long start = System.nanoTime();
        Warmup warm = warmup(fn, p);
        List<Double> meds = new ArrayList<>();
        List<Double> p99s = new ArrayList<>();
        List<Integer> iters = new ArrayList<>();
        List<Double> noise = new ArrayList<>();
        long[] ts = new long[1 << 16];
        while (more(meds.size(), start, p)) {
            Noise nz = Noise.start();
            long end = System.nanoTime() + (long) (p.minTime() * 1e9);
            int n = 0;
            long t1;
            do {
                long t0 = System.nanoTime();
                fn.run();
                t1 = System.nanoTime();
                if (n == ts.length) ts = Arrays.copyOf(ts, n * 2);
                ts[n++] = t1 - t0;
            } while (t1 < end);
            noise.add(nz.stop());
            long[] s = Arrays.copyOf(ts, n);
            Arrays.sort(s);
            meds.add(median(s) / 1e3);
            p99s.add(s[Math.max(0, Math.min(n - 1, (int) Math.ceil(0.99 * n) - 1))] / 1e3);
            iters.add(n);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("median_us", stats(meds));
        r.put("p99_us", stats(p99s));
        r.put("median_us_per_repeat", meds);
        r.put("iters_per_repeat", iters);
        r.put("foreign_cpu_frac_per_repeat", noise);
        r.put("warmup_used_s", warm.seconds());
        return r;
    }

    private static boolean more(int done, long start, Protocol p) {
        if (done >= p.repeats()) return false;
        if (done == 0) return true;
        return p.budgetSeconds() <= 0 || (System.nanoTime() - start) / 1e9 < p.budgetSeconds();
    }

    /** Runs the warm-up: the fixed part, then, if asked, 1 s windows until the rate stops rising. */
    private static Warmup warmup(Runnable fn, Protocol p) {
        long t0 = System.nanoTime();
        int n = 0;
        double last;
        do {
            long c = System.nanoTime();
            fn.run();
            last = (System.nanoTime() - c) / 1e9;
            n++;
        } while (n < p.minWarmupCalls() || (System.nanoTime() - t0) / 1e9 < p.warmupSeconds());
        double before = 0;
        while ((System.nanoTime() - t0) / 1e9 < p.steadyWarmupMaxSeconds()) {
            long w0 = System.nanoTime();
            int calls = 0;
            do {
                long c = System.nanoTime();
                fn.run();
                last = (System.nanoTime() - c) / 1e9;
                calls++;
            } while (System.nanoTime() - w0 < 1_000_000_000L);
            double rate = calls / ((System.nanoTime() - w0) / 1e9);
            if (before > 0 && rate <= before * STEADY_GAIN) {
                break;
            }
            before = rate;
        }
        return new Warmup((System.nanoTime() - t0) / 1e9, last);
    }

    private static double median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    static Map<String, Object> stats(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = s.length;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("min", s[0]);
        m.put("median", n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2);
        m.put("max", s[n - 1]);
        m.put("n_repeats", n);
        return m;
    }

    /** The share of the machine's CPU used by other processes between start and stop. */
    static final class Noise {
        private static final double TICK = 100.0; // USER_HZ on Linux
        private static final int NCPU = Runtime.getRuntime().availableProcessors();
        private final long busy0;
        private final long own0;
        private final long wall0;

        private Noise(long busy0, long own0, long wall0) {
            this.busy0 = busy0;
            this.own0 = own0;
            this.wall0 = wall0;
        }

        static Noise start() {
            return new Noise(busyTicks(), ownCpuNanos(), System.nanoTime());
        }

        /** Rounded to 3 decimals; -1 when /proc/stat cannot be read. */
        double stop() {
            long b1 = busyTicks(), o1 = ownCpuNanos(), w1 = System.nanoTime();
            if (busy0 < 0 || b1 < 0 || own0 < 0 || o1 < 0) return -1;
            double all = (b1 - busy0) / TICK;
            double own = (o1 - own0) / 1e9;
            double frac = Math.max(0, (all - own) / (NCPU * ((w1 - wall0) / 1e9)));
            return Math.round(frac * 1000) / 1000.0;
        }

        private static long busyTicks() {
            try {
                String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
                String[] f = line.trim().split("\\s+");
                // cpu user nice system idle iowait irq softirq steal ...
                return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3])
                        + Long.parseLong(f[6]) + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        private static long ownCpuNanos() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
                return os.getProcessCpuTime();
            return -1;
        }
    }
}
