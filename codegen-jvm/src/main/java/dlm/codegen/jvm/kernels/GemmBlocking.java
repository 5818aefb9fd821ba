package dlm.codegen.jvm.kernels;

/**
 * Cache blocking of the packed SGEMM (the Goto/BLIS loop nest), tuned on the AVX2 Zen 3
 * machines dlm is measured on (32 KB L1d, 512 KB L2 per core, shared L3). Generated code
 * cannot issue prefetches, so the sizes keep each operand where its latency is hidden:
 * <ul>
 *   <li>{@link #KC} = 384: one packed B micro-panel (KC x NR floats, 24 KB at NR = 16)
 *       stays in L1 while the micro-kernel sweeps every A micro-panel of the block. A deep
 *       KC also means fewer passes over C (k / KC), and C's tiles come from L3:
 *       384 measured ~10% faster than 256 at n = 1024 and 2048.</li>
 *   <li>{@link #MC} = 128: the packed A block (MC x KC floats, 192 KB) stays in L2 while
 *       the micro-kernel walks every B micro-panel of the packed B block.</li>
 *   <li>{@link #NC} = 2048: the packed B block (KC x NC floats, 3 MB per thread) lives in
 *       L3; large so that A is repacked rarely.</li>
 * </ul>
 * {@link #MR} = 4 rows by two vectors of columns: 8 independent FMA chains, enough to
 * hide the 4-cycle FMA latency on two FMA ports, in few enough registers that C2 does
 * not spill on AVX2's 16 (see {@link SgemmVector}). With AVX-512 (NR = 32) the B
 * micro-panel is 48 KB: retune KC there.
 */
public final class GemmBlocking {
    /** Rows of the micro-kernel's tile of C. */
    public static final int MR = 4;
    /** Depth of one packed block. */
    public static final int KC = 384;
    /** Rows of C per packed A block; a multiple of {@link #MR}. */
    public static final int MC = 128;
    /** Columns of C per packed B block; a multiple of {@link #NR_MAX}. */
    public static final int NC = 2048;
    /** Largest micro-kernel width over all species (2 x 16 floats with AVX-512). */
    public static final int NR_MAX = 32;

    private GemmBlocking() {}
}
