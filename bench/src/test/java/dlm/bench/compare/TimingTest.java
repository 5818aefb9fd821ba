package dlm.bench.compare;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The steady warm-up: it goes on while a call gets faster from one 1 s window to the next (as
 * generated code does while the JIT compiles it) and stops soon once the rate is flat, never
 * past its limit. Calls are busy waits of a set length, so the rates do not depend on the load.
 */
class TimingTest {
    /** A call that takes {@code micros(elapsed seconds since the first call)}. */
    private static Runnable call(java.util.function.DoubleUnaryOperator micros) {
        long[] start = {0};
        return () -> {
            long now = System.nanoTime();
            if (start[0] == 0) start[0] = now;
            long end = now + (long) (1e3 * micros.applyAsDouble((now - start[0]) / 1e9));
            while (System.nanoTime() < end) Thread.onSpinWait();
        };
    }

    private static double warmupUsed(Runnable fn, double max) {
        Map<String, Object> r = Timing.throughput(fn, 1, new Timing.Protocol(0.5, 1, 0.1, 1, 0, max));
        return (Double) r.get("warmup_used_s");
    }

    @Test
    void aFlatRateStopsAfterTwoWindows() {
        double used = warmupUsed(call(t -> 500), 20);
        assertTrue(used >= 2.4 && used < 3.6, "warm-up " + used + " s for a flat rate");
    }

    @Test
    void aRisingRateIsWaitedForUntilItLevelsOff() {
        // 4 ms a call for the first second, then 2 ms, then 1 ms from 2 s on: flat only after 3 s
        double used = warmupUsed(call(t -> t < 1 ? 4000 : t < 2 ? 2000 : 1000), 20);
        assertTrue(used >= 3.4 && used < 6.6, "warm-up " + used + " s for a rate rising until 2 s");
    }

    @Test
    void theWarmUpNeverPassesItsLimit() {
        // ever faster: the rate rises by more than 3% in every window
        double used = warmupUsed(call(t -> 4000 / Math.pow(2, t)), 3);
        assertTrue(used >= 2.9 && used < 4.1, "warm-up " + used + " s with a limit of 3 s");
    }

    @Test
    void noLimitMeansTheFixedWarmUpOnly() {
        double used = warmupUsed(call(t -> 4000 / Math.pow(2, t)), 0);
        assertTrue(used >= 0.5 && used < 0.7, "warm-up " + used + " s without the steady part");
    }
}
