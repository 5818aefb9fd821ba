package dlm.codegen.jvm.rt;

import dlm.codegen.jvm.kernels.LaneSum;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Dot products on the Vector API; loaded only when {@code Simd.ENABLED} (see {@link SmallGemm}). */
final class DotVector {
    private DotVector() {}

    /** A static final species: the JIT sees a constant and keeps the vectors in registers. */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    static float dot(float[] t, int a, int b, int n) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int len = S.length(), p = 0;
        for (; p + 2 * len <= n; p += 2 * len) {
            acc0 = FloatVector.fromArray(S, t, a + p).fma(FloatVector.fromArray(S, t, b + p), acc0);
            acc1 = FloatVector.fromArray(S, t, a + p + len).fma(FloatVector.fromArray(S, t, b + p + len), acc1);
        }
        for (; p + len <= n; p += len) acc0 = FloatVector.fromArray(S, t, a + p).fma(FloatVector.fromArray(S, t, b + p), acc0);
        float s = LaneSum.sum(acc0.add(acc1));
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
        // One zero for all eight: C2 counts every node it parses against its inlining budget, and
        // with eight zeros the fourth lane sum below was left a call taking a boxed vector.
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
        float s0 = LaneSum.sum(e0.add(o0)), s1 = LaneSum.sum(e1.add(o1));
        float s2 = LaneSum.sum(e2.add(o2)), s3 = LaneSum.sum(e3.add(o3));
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
