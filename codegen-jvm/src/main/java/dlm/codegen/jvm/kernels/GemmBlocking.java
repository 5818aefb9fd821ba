package dlm.codegen.jvm.kernels;

/**
 * Cache blocking of the packed SGEMM (the Goto/BLIS loop nest).
 *
 * <p>Sizes are for the machines dlm is measured on (Zen 3 / Skylake-class: 32-48 KB L1d,
 * 512 KB-1 MB L2, a shared L3 of many MB):
 * <ul>
 *   <li>{@link #KC} = 256: one packed B micro-panel (KC x NR floats, 16 KB at NR = 16)
 *       stays in L1 while the micro-kernel sweeps every A micro-panel of the block.</li>
 *   <li>{@link #MC} = 192: the packed A block (MC x KC floats, 192 KB) stays in L2 while
 *       the micro-kernel walks every B micro-panel of the packed B block.</li>
 *   <li>{@link #NC} = 2048: the packed B block (KC x NC floats, 2 MB per thread) lives in
 *       L3; large so that A is repacked rarely.</li>
 * </ul>
 * {@link #MR} = 4 rows by two vectors of columns: 8 independent FMA chains, enough to
 * hide the 4-cycle FMA latency on two FMA ports, in few enough registers that C2 does
 * not spill on AVX2's 16 (see {@link SgemmVector}).
 */
public final class GemmBlocking {
    /** Rows of the micro-kernel's tile of C. */
    public static final int MR = 4;
    /** Depth of one packed block. */
    public static final int KC = 256;
    /** Rows of C per packed A block; a multiple of {@link #MR}. */
    public static final int MC = 192;
    /** Columns of C per packed B block; a multiple of {@link #NR_MAX}. */
    public static final int NC = 2048;
    /** Largest micro-kernel width over all species (2 x 16 floats with AVX-512). */
    public static final int NR_MAX = 32;

    private GemmBlocking() {}
}
