package dlm.codegen.jvm.kernels;

/**
 * Cache blocking of the packed SGEMM (the Goto/BLIS loop nest), tuned on the AVX2 Zen 3
 * machines dlm is measured on (32 KB L1d, 512 KB L2 per core, shared L3). Generated code
 * cannot issue prefetches, so the sizes keep each operand where its latency is hidden:
 * <ul>
 *   <li>{@link #KC} = 1024: deep panels, so that C is read and written once per 1024 of K
 *       rather than once per 384. C's tiles are 4 rows of C, each row in its own 4 KB page
 *       at the sizes that matter, where neither the hardware prefetcher (it stops at page
 *       boundaries) nor a prefetch instruction (Java has none) can fetch them ahead, so every
 *       pass over C costs a miss per row. One packed B micro-panel (KC x NR floats, 64 KB at
 *       NR = 16) no longer fits in L1; it streams from L2 sequentially, which the L1
 *       prefetcher does follow. K is cut into equal panels ({@link #panelDepth}) so that
 *       k = KC + 1 is two panels of about KC / 2, not a full one and a 1-deep one.</li>
 *   <li>{@link #MC} = 64: the packed A block (MC x KC floats, 256 KB) stays in L2, half of
 *       it, next to the B micro-panel, while the micro-kernel walks every B micro-panel of
 *       the packed B block.</li>
 *   <li>{@link #NC} = 1024: the packed B block (KC x NC floats, 4 MB per thread) lives in
 *       L3.</li>
 * </ul>
 * Measured against the previous KC = 384, MC = 128, NC = 2048 (see the commit that set
 * these). {@link #MR} = 4 rows by two vectors of columns: 8 independent FMA chains, enough
 * to hide the 4-cycle FMA latency on two FMA ports, in few enough registers that C2 does
 * not spill on AVX2's 16 (see {@link SgemmVector}).
 */
public final class GemmBlocking {
    /** Rows of the micro-kernel's tile of C. */
    public static final int MR = 4;
    /** Largest depth of one packed block. */
    public static final int KC = 1024;
    /** Rows of C per packed A block; a multiple of {@link #MR}. */
    public static final int MC = 64;
    /** Columns of C per packed B block; a multiple of {@link #NR_MAX}. */
    public static final int NC = 1024;
    /** Largest micro-kernel width over all species (2 x 16 floats with AVX-512). */
    public static final int NR_MAX = 32;

    private GemmBlocking() {}

    /**
     * Depth of the K panels for a product of depth {@code k}: the fewest panels of at most
     * {@link #KC}, made equal (the last one may be shorter by less than the panel count).
     * Depends on k only, so the order of the additions into C, and with it every rounding,
     * is the same whatever the number of threads.
     */
    static int panelDepth(int k) {
        int panels = Math.max(1, (k + KC - 1) / KC);
        return (k + panels - 1) / panels;
    }
}
