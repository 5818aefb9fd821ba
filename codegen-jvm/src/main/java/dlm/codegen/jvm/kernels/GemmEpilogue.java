package dlm.codegen.jvm.kernels;

/**
 * Work {@link Sgemm} does on a block of C once the block is final (after its last panel of K),
 * while the block is still in cache: a layer's bias and activation. Called from the kernel
 * threads, each on its own disjoint block, so an implementation only reads its own fields.
 */
public interface GemmEpilogue {
    /** Rows [i0, i1) by columns [j0, j1) of C, in C's coordinates, are final. */
    void finish(float[] c, int i0, int i1, int j0, int j1);
}
