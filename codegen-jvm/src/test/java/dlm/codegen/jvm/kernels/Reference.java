package dlm.codegen.jvm.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Random data and double-precision comparisons shared by the kernel tests. */
final class Reference {
    private Reference() {}

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Fails if |actual - expected| > tol anywhere in [off, off + n). */
    static void assertClose(String what, double[] expected, float[] actual, int off, double tol) {
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[off + i];
            if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
                fail(what + ": at " + i + " expected " + e + " but was " + a);
            }
        }
    }
}
