package dlm.codegen.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum of a vector's lanes in one fixed order, whatever tier runs it.
 *
 * <p>{@code reduceLanes(ADD)} leaves the order of its additions open: the interpreter and C1 add
 * the lanes one after another, C2 adds them as a tree, so the same call returns different bits
 * before and after the method is compiled. A model must give the same floats for the same
 * inputs on every call, so lanes are summed in one fixed order instead: a tree of lane-wise
 * adds over rotations, which every tier computes exactly. For 8 lanes the order is
 * {@code ((v0+v4)+(v2+v6)) + ((v1+v5)+(v3+v7))}. Generated code applies the rotations to the
 * vector ({@code codegen.jvm.VectorCalls}) and so do the dot products ({@code rt.DotVector});
 * kernels with several sums at once store the vectors and call {@link #sum(float[], int, int)},
 * the same additions on floats. No method here takes a
 * vector: C2 inlines a method of ours only while its inlining budget lasts, and a vector passed
 * to a call it leaves out becomes an object allocated on every call. Loaded only when
 * {@link Simd#ENABLED}.
 */
public final class LaneSum {
    private LaneSum() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector of the preferred species. */
    public static final int LANES = S.length();
    private static final int L = LANES;
    // Public for generated code, which adds a vector's lanes in place (codegen.jvm.VectorCalls).
    public static final VectorShuffle<Float> ROTATE_8 = L > 8 ? VectorShuffle.iota(S, 8, 1, true) : null;
    public static final VectorShuffle<Float> ROTATE_4 = L > 4 ? VectorShuffle.iota(S, 4, 1, true) : null;
    public static final VectorShuffle<Float> ROTATE_2 = L > 2 ? VectorShuffle.iota(S, 2, 1, true) : null;
    public static final VectorShuffle<Float> ROTATE_1 = L > 1 ? VectorShuffle.iota(S, 1, 1, true) : null;

    /** The name of the field holding the rotation by w lanes (w = 8, 4, 2 or 1). */
    public static String rotation(int w) { return "ROTATE_" + w; }

    /**
     * The lanes of a vector stored at lanes[at .. at+n), n its lane count, added in the order
     * above (the rotations' additions, on floats). It overwrites those floats.
     */
    public static float sum(float[] lanes, int at, int n) {
        for (int w = n / 2; w >= 1; w /= 2)
            for (int i = 0; i < w; i++) lanes[at + i] += lanes[at + i + w];
        return lanes[at];
    }
}
