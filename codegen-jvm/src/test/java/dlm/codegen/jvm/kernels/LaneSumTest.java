package dlm.codegen.jvm.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The lane sum gives the documented order's bits on every call, before and after C2 compiles it. */
class LaneSumTest {
    @Test
    void everyCallAddsTheLanesInTheSameOrder() {
        assumeTrue(Simd.ENABLED, "the Vector API is off");
        int len = FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom r = new SplittableRandom(11);
        float[] lanes = new float[len];
        // Enough calls for the JIT to compile sum() with C2 part-way through; values spread over
        // many magnitudes so that a different order changes the last bits.
        for (int call = 0; call < 200_000; call++) {
            for (int i = 0; i < len; i++) lanes[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
            float got = LaneSum.sum(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, lanes, 0));
            float want = LaneSum.sumInOrder(lanes);
            if (Float.floatToIntBits(got) != Float.floatToIntBits(want))
                assertEquals(want, got, 0f, "call " + call + ": lanes " + java.util.Arrays.toString(lanes));
        }
    }
}
