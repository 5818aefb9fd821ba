package dlm.codegen.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector bodies of {@link Activations}; each returns how many elements it did (the caller does the tail). */
final class ActivationsVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private ActivationsVector() {}

    static int sigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        int bound = S.loopBound(n);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            // exp(-x) overflows to +inf for x < -88: 1 / (1 + inf) = 0, the right limit.
            one.div(v.neg().lanewise(VectorOperators.EXP).add(one)).intoArray(y, yOff + i);
        }
        return bound;
    }

    static int tanh(float[] x, int xOff, float[] y, int yOff, int n) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).lanewise(VectorOperators.TANH).intoArray(y, yOff + i);
        }
        return bound;
    }
}
