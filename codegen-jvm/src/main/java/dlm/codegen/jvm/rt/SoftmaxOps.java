package dlm.codegen.jvm.rt;

/**
 * Softmax and log_softmax along one axis of a tensor seen as [outer, len, inner], and their
 * gradients. Sums are kept in double: a float sum over a long class axis would drift from
 * the interpreter by more than the tests allow.
 */
public final class SoftmaxOps {
    private SoftmaxOps() {}

    public static void softmax(float[] t, int xOff, int yOff, int outer, int len, int inner, boolean log) {
        for (int o = 0; o < outer; o++)
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                float m = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < len; k++) m = Math.max(m, t[xOff + base + k * inner]);
                double s = 0;
                for (int k = 0; k < len; k++) s += Math.exp((double) t[xOff + base + k * inner] - m);
                double ls = Math.log(s);
                for (int k = 0; k < len; k++) {
                    double z = (double) t[xOff + base + k * inner] - m;
                    t[yOff + base + k * inner] = (float) (log ? z - ls : Math.exp(z) / s);
                }
            }
    }

    /** softmax: dx = y (dy - sum(dy y)); log_softmax: dx = dy - exp(y) sum(dy). */
    public static void softmaxGrad(float[] t, int dyOff, int yOff, int dxOff, int outer, int len, int inner, boolean log) {
        for (int o = 0; o < outer; o++)
            for (int in = 0; in < inner; in++) {
                int base = o * len * inner + in;
                double s = 0;
                for (int k = 0; k < len; k++) {
                    int i = base + k * inner;
                    s += log ? t[dyOff + i] : (double) t[dyOff + i] * t[yOff + i];
                }
                for (int k = 0; k < len; k++) {
                    int i = base + k * inner;
                    double g = t[dyOff + i], y = t[yOff + i];
                    t[dxOff + i] = (float) (log ? g - Math.exp(y) * s : y * (g - s));
                }
            }
    }
}
