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
        // Enough calls for the JIT to compile the sums with C2 part-way through; values spread over
        // many magnitudes so that a different order changes the last bits.
        for (int call = 0; call < 200_000; call++) {
            for (int i = 0; i < len; i++) lanes[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-3, 4)));
            float got = rotationSum(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, lanes, 0));
            float want = sumInOrder(lanes);
            if (Float.floatToIntBits(got) != Float.floatToIntBits(want))
                assertEquals(want, got, 0f, "call " + call + ": lanes " + java.util.Arrays.toString(lanes));
            float[] stored = new float[len + 3];
            System.arraycopy(lanes, 0, stored, 3, len);
            float inArray = LaneSum.sum(stored, 3, len);
            if (Float.floatToIntBits(inArray) != Float.floatToIntBits(want))
                assertEquals(want, inArray, 0f, "stored lanes, call " + call + ": lanes " + java.util.Arrays.toString(lanes));
        }
    }

    @Test
    void storedLanesAreSummedInTheDocumentedOrderForEveryWidth() {
        // For 4, 8 and 16 lanes, whichever the machine has: ((v0+v4)+(v2+v6))+((v1+v5)+(v3+v7)) for 8.
        float[] v = {1e8f, 1f, -1e8f, 3f, 5f, 7f, 11f, 13f, 17f, 19f, 23f, 29f, 31f, 37f, 41f, 43f};
        for (int n : new int[]{4, 8, 16}) {
            float[] lanes = java.util.Arrays.copyOf(v, n);
            assertEquals(sumInOrder(lanes), LaneSum.sum(lanes.clone(), 0, n), 0f, n + " lanes");
        }
        float[] eight = {1e8f, 1f, -1e8f, 3f, 5f, 7f, 11f, 13f};
        assertEquals(((1e8f + 5f) + (-1e8f + 11f)) + ((1f + 7f) + (3f + 13f)), LaneSum.sum(eight, 0, 8), 0f);
    }

    /** The rotations and adds that generated code applies to a vector (VectorCalls.sumInto). */
    private static float rotationSum(FloatVector v) {
        for (int w = v.length() / 2; w >= 1; w /= 2) v = v.add(v.rearrange(rotation(w)));
        return v.lane(0);
    }

    private static jdk.incubator.vector.VectorShuffle<Float> rotation(int w) {
        return switch (w) {
            case 8 -> LaneSum.ROTATE_8;
            case 4 -> LaneSum.ROTATE_4;
            case 2 -> LaneSum.ROTATE_2;
            default -> LaneSum.ROTATE_1;
        };
    }

    /** The documented order as whole-vector rotations written out on an array: the tests' oracle. */
    private static float sumInOrder(float[] lanes) {
        float[] v = lanes.clone();
        for (int w = v.length / 2; w >= 1; w /= 2) {
            float[] r = new float[v.length];
            for (int i = 0; i < v.length; i++) r[i] = v[i] + v[(i + w) % v.length];
            v = r;
        }
        return v[0];
    }
}
