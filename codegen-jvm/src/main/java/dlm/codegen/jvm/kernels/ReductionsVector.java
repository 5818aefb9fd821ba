package dlm.codegen.jvm.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector bodies of {@link Reductions} and of the row reductions in {@link Softmax}. */
final class ReductionsVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private ReductionsVector() {}

    static float sum(float[] x, int off, int n) {
        // Two accumulators: the add latency (3-4 cycles) would otherwise bound the loop.
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(S, x, off + i));
            s1 = s1.add(FloatVector.fromArray(S, x, off + i + L));
        }
        for (; i + L <= n; i += L) {
            s0 = s0.add(FloatVector.fromArray(S, x, off + i));
        }
        float s = LaneSum.sum(s0.add(s1));
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    static float max(float[] x, int off, int n) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i + L <= n; i += L) {
            m = m.max(FloatVector.fromArray(S, x, off + i));
        }
        float r = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            r = Math.max(r, x[off + i]);
        }
        return r;
    }

    /** y = exp(x - shift), returning the sum of y. */
    static float expShiftedSum(float[] x, int xOff, float shift, float[] y, int yOff, int n) {
        FloatVector sh = FloatVector.broadcast(S, shift);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector e = FloatVector.fromArray(S, x, xOff + i).sub(sh).lanewise(VectorOperators.EXP);
            e.intoArray(y, yOff + i);
            acc = acc.add(e);
        }
        float s = LaneSum.sum(acc);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[xOff + i] - shift);
            y[yOff + i] = e;
            s += e;
        }
        return s;
    }

    /** sum of exp(x - shift), writing nothing. */
    static float expShiftedSum(float[] x, int xOff, float shift, int n) {
        FloatVector sh = FloatVector.broadcast(S, shift);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i + L <= n; i += L) {
            acc = acc.add(FloatVector.fromArray(S, x, xOff + i).sub(sh).lanewise(VectorOperators.EXP));
        }
        float s = LaneSum.sum(acc);
        for (; i < n; i++) {
            s += (float) Math.exp(x[xOff + i] - shift);
        }
        return s;
    }
}
