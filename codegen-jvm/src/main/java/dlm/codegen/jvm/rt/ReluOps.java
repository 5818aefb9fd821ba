package dlm.codegen.jvm.rt;

/**
 * relu and its gradient over contiguous ranges of the arena, with the interpreter's exact
 * semantics (relu(x) = x > 0 ? x : 0, so NaN and -0 give +0; dx = x > 0 ? dy : 0 * dy) but
 * without the data-dependent branch of the generated scalar loop, which mispredicts on half of
 * the elements of real activations: the test x > 0 is done on the float's bits as an all-ones
 * or all-zeros mask (x > 0 exactly when its bits, as an int, are in [1, 0x7f800000]).
 */
public final class ReluOps {
    private ReluOps() {}

    /** -1 when the float with these bits is > 0 (not NaN, not a zero), else 0. */
    private static int positive(int bits) {
        int b = bits - 1;
        return ~(b | (0x7f7fffff - b)) >> 31;
    }

    /** One element of {@link #relu(float[], int, int, int)}: branch-free, for fused loops. */
    public static float reluOf(float x) {
        int bits = Float.floatToRawIntBits(x);
        return Float.intBitsToFloat(bits & positive(bits));
    }

    /** One element of {@link #reluGrad(float[], int, int, int, int)}: branch-free, for fused loops. */
    public static float reluGradOf(float dy, float x) {
        int m = positive(Float.floatToRawIntBits(x));
        return Float.intBitsToFloat((Float.floatToRawIntBits(dy) & m) | (Float.floatToRawIntBits(0f * dy) & ~m));
    }

    public static void relu(float[] t, int x, int y, int n) {
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(t[x + i]);
            t[y + i] = Float.intBitsToFloat(bits & positive(bits));
        }
    }

    public static void reluGrad(float[] t, int dy, int x, int dx, int n) {
        for (int i = 0; i < n; i++) {
            float g = t[dy + i];
            int m = positive(Float.floatToRawIntBits(t[x + i]));
            t[dx + i] = Float.intBitsToFloat((Float.floatToRawIntBits(g) & m) | (Float.floatToRawIntBits(0f * g) & ~m));
        }
    }
}
