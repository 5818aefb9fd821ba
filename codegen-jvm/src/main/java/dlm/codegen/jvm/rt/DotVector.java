package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.LaneSum;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products on the Vector API; loaded only when {@code Simd.ENABLED} (see {@link SmallGemm}).
 *
 * <p>The accumulators' lanes are summed in LaneSum's order by rotations written out in each
 * method, never by a method of ours taking the vector: C2 inlines a method of ours only while
 * its inlining budget lasts, and a vector passed to a call it leaves out becomes an object,
 * allocated on every call (seen: 3.6 KB per lenet5 batch-1 prediction, depending on what C2
 * had compiled before).
 */
final class DotVector {
    private DotVector() {}

    /** A static final species: the JIT sees a constant and keeps the vectors in registers. */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    static float dot(float[] t, int a, int b, int n) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int len = S.length(), p = 0;
        for (; p + 2 * len <= n; p += 2 * len) {
            acc0 = FloatVector.fromArray(S, t, a + p).fma(FloatVector.fromArray(S, t, b + p), acc0);
            acc1 = FloatVector.fromArray(S, t, a + p + len).fma(FloatVector.fromArray(S, t, b + p + len), acc1);
        }
        for (; p + len <= n; p += len) acc0 = FloatVector.fromArray(S, t, a + p).fma(FloatVector.fromArray(S, t, b + p), acc0);
        FloatVector v = acc0.add(acc1);
        if (L > 8) v = v.add(v.rearrange(LaneSum.ROTATE_8));
        if (L > 4) v = v.add(v.rearrange(LaneSum.ROTATE_4));
        if (L > 2) v = v.add(v.rearrange(LaneSum.ROTATE_2));
        v = v.add(v.rearrange(LaneSum.ROTATE_1));
        float s = v.lane(0);
        for (; p < n; p++) s += t[a + p] * t[b + p];
        return s;
    }

    /**
     * The dot products of the row at {@code a} with the four rows of length {@code k} at
     * {@code b}, {@code b + k}, {@code b + 2k}, {@code b + 3k}, into {@code t[out..out + 3]}.
     * Each is added in exactly the order of {@link #dot}, so the result does not depend on
     * whether an output falls in a group of four; the group loads each vector of the row once
     * for four rows and keeps eight FMA chains in flight where one dot keeps two, which is
     * what a batch-1 dense layer is bound by while its weights come from L2.
     */
    static void dot4(float[] t, int a, int b, int k, int out) {
        int b1 = b + k, b2 = b1 + k, b3 = b2 + k, len = S.length(), p = 0;
        // One zero for all eight: C2 counts every node it parses against its inlining budget.
        FloatVector e0 = FloatVector.zero(S), o0 = e0, e1 = e0, o1 = e0, e2 = e0, o2 = e0, e3 = e0, o3 = e0;
        for (; p + 2 * len <= k; p += 2 * len) {
            FloatVector x0 = FloatVector.fromArray(S, t, a + p), x1 = FloatVector.fromArray(S, t, a + p + len);
            e0 = x0.fma(FloatVector.fromArray(S, t, b + p), e0);
            o0 = x1.fma(FloatVector.fromArray(S, t, b + p + len), o0);
            e1 = x0.fma(FloatVector.fromArray(S, t, b1 + p), e1);
            o1 = x1.fma(FloatVector.fromArray(S, t, b1 + p + len), o1);
            e2 = x0.fma(FloatVector.fromArray(S, t, b2 + p), e2);
            o2 = x1.fma(FloatVector.fromArray(S, t, b2 + p + len), o2);
            e3 = x0.fma(FloatVector.fromArray(S, t, b3 + p), e3);
            o3 = x1.fma(FloatVector.fromArray(S, t, b3 + p + len), o3);
        }
        if (p + len <= k) {
            FloatVector x0 = FloatVector.fromArray(S, t, a + p);
            e0 = x0.fma(FloatVector.fromArray(S, t, b + p), e0);
            e1 = x0.fma(FloatVector.fromArray(S, t, b1 + p), e1);
            e2 = x0.fma(FloatVector.fromArray(S, t, b2 + p), e2);
            e3 = x0.fma(FloatVector.fromArray(S, t, b3 + p), e3);
            p += len;
        }
        // LaneSum's rotations, as in dot, for the four at once: stored and summed through an
        // array they cost more than the products at k = 512 (a chain of stores and loads per sum).
        FloatVector v0 = e0.add(o0), v1 = e1.add(o1), v2 = e2.add(o2), v3 = e3.add(o3);
        if (L > 8) {
            v0 = v0.add(v0.rearrange(LaneSum.ROTATE_8)); v1 = v1.add(v1.rearrange(LaneSum.ROTATE_8));
            v2 = v2.add(v2.rearrange(LaneSum.ROTATE_8)); v3 = v3.add(v3.rearrange(LaneSum.ROTATE_8));
        }
        if (L > 4) {
            v0 = v0.add(v0.rearrange(LaneSum.ROTATE_4)); v1 = v1.add(v1.rearrange(LaneSum.ROTATE_4));
            v2 = v2.add(v2.rearrange(LaneSum.ROTATE_4)); v3 = v3.add(v3.rearrange(LaneSum.ROTATE_4));
        }
        if (L > 2) {
            v0 = v0.add(v0.rearrange(LaneSum.ROTATE_2)); v1 = v1.add(v1.rearrange(LaneSum.ROTATE_2));
            v2 = v2.add(v2.rearrange(LaneSum.ROTATE_2)); v3 = v3.add(v3.rearrange(LaneSum.ROTATE_2));
        }
        v0 = v0.add(v0.rearrange(LaneSum.ROTATE_1)); v1 = v1.add(v1.rearrange(LaneSum.ROTATE_1));
        v2 = v2.add(v2.rearrange(LaneSum.ROTATE_1)); v3 = v3.add(v3.rearrange(LaneSum.ROTATE_1));
        float s0 = v0.lane(0), s1 = v1.lane(0), s2 = v2.lane(0), s3 = v3.lane(0);
        for (; p < k; p++) {
            float x = t[a + p];
            s0 += x * t[b + p];
            s1 += x * t[b1 + p];
            s2 += x * t[b2 + p];
            s3 += x * t[b3 + p];
        }
        t[out] = s0;
        t[out + 1] = s1;
        t[out + 2] = s2;
        t[out + 3] = s3;
    }
}
