package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.GemmWorkspace;
import dlm.codegen.jvm.kernels.KernelThreads;

/**
 * What a generated step needs besides the arena: GEMM scratch, the kernel thread team and
 * the dropout generator. One per compiled model (thread-confined, like the model), shared by
 * the model's compiled graphs.
 *
 * <p>The dropout generator is java.util.SplittableRandom's algorithm (same seed, same gamma,
 * same nextDouble) kept as a bare long so that reseeding per step allocates nothing; seeded
 * like the interpreter's, it draws exactly the interpreter's masks.
 */
public final class RunContext implements AutoCloseable {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    public final GemmWorkspace gemm;
    public final KernelThreads threads; // null: single-threaded
    /** The reusable task that splits a few-row product over the team (no allocation per call). */
    final SmallGemm.Split smallGemm = new SmallGemm.Split();
    /** The reusable task that splits a chunk of a batched convolution over the team. */
    final BatchedConvSplit batchedConv = new BatchedConvSplit();
    /** The reusable task that runs a stride-1 convolution without a column matrix. */
    final DirectConv directConv = new DirectConv();
    /** The reusable task that splits a pooling call over the team by planes. */
    final PlaneSplit planes = new PlaneSplit();
    /** The reusable bias-and-activation epilogue of a dense layer's product. */
    final DenseEpilogue epilogue = new DenseEpilogue();
    /** The reusable task that splits a big elementwise loop of the generated code over the team. */
    final RangeSplit ranges = new RangeSplit();
    private long rngState;

    public RunContext(int threads) {
        this.gemm = new GemmWorkspace(Math.max(1, threads));
        this.threads = threads > 1 ? new KernelThreads(threads) : null;
    }

    /**
     * Call when a run starts, before its feeds: a parked kernel thread then wakes while the
     * inputs are copied, not when the first kernel needs it (see {@link KernelThreads#wake}).
     */
    public void startRun() {
        if (threads != null) threads.wake();
    }

    /** Restarts the dropout stream as {@code new SplittableRandom(seed)} would. */
    public void seed(long seed) { rngState = seed; }

    /** The next double of the stream, equal to SplittableRandom.nextDouble(). */
    public double nextDouble() {
        long z = (rngState += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    @Override public void close() {
        if (threads != null) threads.close();
    }
}
