package dlm.codegen.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector body of {@link Adam}; returns how many elements it did. */
final class AdamVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private AdamVector() {}

    static int step(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                    int n, float stepSize, float invSqrtBc2, float beta1, float beta2, float eps,
                    float weightDecay) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
            FloatVector gv = FloatVector.fromArray(S, g, gOff + i).add(pv.mul(weightDecay));
            FloatVector mv = FloatVector.fromArray(S, m, mOff + i).mul(beta1).add(gv.mul(1f - beta1));
            FloatVector vv = FloatVector.fromArray(S, v, vOff + i).mul(beta2).add(gv.mul(gv).mul(1f - beta2));
            mv.intoArray(m, mOff + i);
            vv.intoArray(v, vOff + i);
            FloatVector denom = vv.lanewise(VectorOperators.SQRT).mul(invSqrtBc2).add(eps);
            pv.sub(mv.mul(stepSize).div(denom)).intoArray(p, pOff + i);
        }
        return bound;
    }
}
