package dlm.bench;

import dlm.codegen.jvm.kernels.GemmWorkspace;
import dlm.codegen.jvm.kernels.KernelThreads;
import dlm.codegen.jvm.kernels.Sgemm;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square SGEMM C = A B (NN, beta 0) through {@link Sgemm} with a team of 1 or 2 threads.
 * The score is calls per second; GFLOP/s = score x 2 n^3 / 1e9 (bench/run-sgemm.sh
 * prints it next to {@link FmaCeilingBench}'s ceiling).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
// Many short windows rather than few long ones: the machine is shared (STACK-NOTES).
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 8, time = 1)
public class SgemmBench {
    @Param({"256", "512", "1024", "2048"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    private float[] a, b, c;
    private GemmWorkspace ws;
    private KernelThreads team;

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(1);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextDouble(-1, 1);
            b[i] = (float) rnd.nextDouble(-1, 1);
        }
        ws = new GemmWorkspace(threads);
        team = new KernelThreads(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        team.close();
    }

    @Benchmark
    public float[] sgemmNN() {
        Sgemm.sgemm(false, false, n, n, n, a, 0, n, b, 0, n, 0f, c, 0, n, ws, team);
        return c;
    }
}
