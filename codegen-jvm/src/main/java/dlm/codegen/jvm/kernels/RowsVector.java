package dlm.codegen.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The short row copies and row additions of {@link Im2col} and {@link Col2im} on vectors.
 * Their rows are one output row of a convolution (10 to 30 floats for small images), too short
 * for {@code System.arraycopy}'s fixed cost and, as an addition within one array, never
 * vectorized by the JIT. Lane by lane the same operations as the scalar loops: the same bits.
 * Loaded only when {@link Simd#ENABLED}.
 */
final class RowsVector {
    private RowsVector() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** dst[d, d + len) = src[s, s + len). */
    static void copy(float[] src, int s, float[] dst, int d, int len) {
        int i = 0;
        for (; i + L <= len; i += L) FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
        for (; i < len; i++) dst[d + i] = src[s + i];
    }

    /** dst[d + i] += src[s + i] for i < len. */
    static void add(float[] src, int s, float[] dst, int d, int len) {
        int i = 0;
        for (; i + L <= len; i += L)
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        for (; i < len; i++) dst[d + i] += src[s + i];
    }
}
