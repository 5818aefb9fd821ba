package dlm.codegen.jvm.rt;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 2x2, stride-2 max pooling of one output row in Vector API form (see {@link PoolOps}): the
 * maxima of the two input rows, then of each column with its neighbour, L / 2 windows a step. The
 * value of a window's maximum does not depend on the order of Math.max (only which NaN comes
 * out, and any NaN is the interpreter's winner's value), so it equals the scalar loop's.
 * Its gradient takes L / 2 windows at a time, with the scalar loop's rule. Loaded only when the
 * Vector API is enabled (kernels.Simd).
 */
final class MaxPoolVector {
    private MaxPoolVector() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int LANES = S.length();
    /** Lane i takes lane i ^ 1: each float of a window's row next to the other one. */
    private static final VectorShuffle<Float> SWAP = VectorShuffle.fromOp(S, i -> i ^ 1);
    /** Lane i takes lane i / 2: a window's dy on both of its columns. */
    private static final VectorShuffle<Float> DUP = VectorShuffle.fromOp(S, i -> i / 2);
    /** The lanes of a window's second column. */
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(S, 0xAAAAAAAAAAAAAAAAL);

    /** Half a vector: the L / 2 window maxima of one step of {@link #row}, stored as they are. */
    private static final VectorSpecies<Float> HALF = LANES >= 4
            ? VectorSpecies.of(float.class, VectorShape.forBitSize(S.vectorBitSize() / 2)) : null;
    /** Lane i takes lane 2i (i < L / 2): the first lane of each window to the front. */
    private static final VectorShuffle<Float> COMPACT = VectorShuffle.fromOp(S, i -> (2 * i) % LANES);
    /** Windows per step of {@link #row}. */
    static final int WINDOWS = LANES / 2;

    /**
     * out[o + ox] = max of the window at columns 2ox, 2ox + 1 of rows r0 and r1, for ox from 0
     * while L / 2 windows fit in ow; returns the first ox not done. Works on the rows as they
     * lie, like {@link #gradRow}: the maximum of the two rows, then of each pair of lanes with
     * its partner (one-vector shuffles only), the pairs' first lanes moved to the front and
     * stored as half a vector. Reads only the 2ox .. 2ox + L - 1 columns of each row.
     */
    static int row(float[] t, int r0, int r1, int o, int ow) {
        int ox = 0;
        for (; ox + WINDOWS <= ow; ox += WINDOWS) {
            int c = 2 * ox;
            FloatVector m = FloatVector.fromArray(S, t, r0 + c).max(FloatVector.fromArray(S, t, r1 + c));
            m = m.max(m.rearrange(SWAP)).rearrange(COMPACT);
            ((FloatVector) m.reinterpretShape(HALF, 0)).intoArray(t, o + ox);
        }
        return ox;
    }

    /**
     * The gradient of {@link #row}: for L / 2 windows at a time, dy (at {@code g + ox}) goes to
     * the window's first float not below its maximum, in the order (r0, 2ox), (r0, 2ox + 1),
     * (r1, 2ox), (r1, 2ox + 1), and 0 to its other three, written at the same columns of rows
     * d0 and d1. No value exceeds the maximum, so "not below" is "equal", -0 equal to +0, as in
     * the scalar loop. Works on the rows as they lie (a window is a pair of lanes in each row;
     * one-vector shuffles only: two-vector ones are slow on AVX2). Stops before a group of
     * windows holding NaN (the scalar loop takes the exact rule there) and returns the first ox
     * not done.
     */
    static int gradRow(float[] t, int r0, int r1, int g, int d0, int d1, int ow) {
        FloatVector zero = FloatVector.zero(S);
        int half = LANES / 2, ox = 0;
        for (; ox + half <= ow && g + ox + LANES <= t.length; ox += half) {
            int c = 2 * ox;
            FloatVector x0 = FloatVector.fromArray(S, t, r0 + c), x1 = FloatVector.fromArray(S, t, r1 + c);
            FloatVector s0 = x0.rearrange(SWAP), s1 = x1.rearrange(SWAP);
            FloatVector m = x0.max(s0).max(x1.max(s1));
            if (m.test(VectorOperators.IS_NAN).anyTrue()) break;
            FloatVector dy = FloatVector.fromArray(S, t, g + ox).rearrange(DUP);
            // row 0: the first column, or the second when the first is below the maximum
            VectorMask<Float> ge = x0.compare(VectorOperators.GE, m), partner = s0.compare(VectorOperators.GE, m);
            VectorMask<Float> row0 = ge.or(partner);
            zero.blend(dy, ge.andNot(ODD_LANES.and(partner))).intoArray(t, d0 + c);
            // row 1 likewise, when row 0 has no winner
            ge = x1.compare(VectorOperators.GE, m);
            partner = s1.compare(VectorOperators.GE, m);
            zero.blend(dy, ge.andNot(row0).andNot(ODD_LANES.and(partner))).intoArray(t, d1 + c);
        }
        return ox;
    }
}
