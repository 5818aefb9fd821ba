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
}
