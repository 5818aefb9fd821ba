package dlm.codegen.jvm.rt;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 2x2, stride-2 max pooling of one output row in Vector API form (see {@link PoolOps}): the
 * maxima of the two input rows over 2L columns, then of the even and odd columns of those. The
 * value of a window's maximum does not depend on the order of Math.max (only which NaN comes
 * out, and any NaN is the interpreter's winner's value), so it equals the scalar loop's.
 * Loaded only when the Vector API is enabled (kernels.Simd).
 */
final class MaxPoolVector {
    private MaxPoolVector() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LANES = S.length();
    /** Lane i takes column 2i of the 2L columns of (this, other): indexes from L on pick from other. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);

    /**
     * out[o + ox] = max of the window at columns 2ox, 2ox + 1 of rows r0 and r1, for ox from 0
     * while a whole vector fits in ow; returns the first ox not done.
     */
    static int row(float[] t, int r0, int r1, int o, int ow) {
        int ox = 0;
        for (; ox + LANES <= ow; ox += LANES) {
            int c = 2 * ox;
            FloatVector lo = FloatVector.fromArray(S, t, r0 + c).max(FloatVector.fromArray(S, t, r1 + c));
            FloatVector hi = FloatVector.fromArray(S, t, r0 + c + LANES).max(FloatVector.fromArray(S, t, r1 + c + LANES));
            lo.rearrange(EVEN, hi).max(lo.rearrange(ODD, hi)).intoArray(t, o + ox);
        }
        return ox;
    }
}
