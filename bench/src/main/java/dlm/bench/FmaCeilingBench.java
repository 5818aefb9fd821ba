package dlm.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's FMA ceiling through the Vector API: 12 independent FMA chains on
 * {@code SPECIES_PREFERRED}, enough to keep two FMA ports busy through a 4-5 cycle
 * latency (2 ports x 5 cycles = 10 chains needed) while leaving registers for the two
 * operands (12 + 2 of AVX2's 16). Nothing but FMAs in the loop: no loads, no stores.
 * Reported as the {@code flops} counter (flop/s, summed over threads), on one thread
 * and on two at once, so SGEMM can be compared with the ceiling of the same run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
public class FmaCeilingBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int ITERATIONS = 1 << 18;
    private static final int CHAINS = 12;

    /** Per-thread counter of floating-point operations; JMH reports it per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Flops {
        public long flops;

        @Setup(Level.Iteration)
        public void reset() {
            flops = 0;
        }
    }

    /** Multiplier below 1 and a small addend: the chains converge, no overflow or denormals. */
    @State(Scope.Thread)
    public static class Operands {
        public float x = 0.999f;
        public float y = 0.001f;
    }

    @Benchmark
    @Threads(1)
    public float oneThread(Operands o, Flops f) {
        return fmaLoop(o, f);
    }

    @Benchmark
    @Threads(2)
    public float twoThreads(Operands o, Flops f) {
        return fmaLoop(o, f);
    }

    private static float fmaLoop(Operands o, Flops f) {
        FloatVector x = FloatVector.broadcast(S, o.x), y = FloatVector.broadcast(S, o.y);
        FloatVector a0 = y, a1 = y.add(1f), a2 = y.add(2f), a3 = y.add(3f), a4 = y.add(4f), a5 = y.add(5f);
        FloatVector a6 = y.add(6f), a7 = y.add(7f), a8 = y.add(8f), a9 = y.add(9f), a10 = y.add(10f), a11 = y.add(11f);
        for (int i = 0; i < ITERATIONS; i++) {
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
        f.flops += (long) ITERATIONS * CHAINS * 2 * S.length();
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
