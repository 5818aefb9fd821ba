package dlm.codegen.jvm.rt;

/**
 * The epilogue of a matrix product or convolution, applied to a run of its output while the
 * run is still in cache: x = product + bias (+ residual), stored when the backward pass needs
 * the activation's input, then y = act(x) (+ residual). Each step is the float operation of the
 * elementwise op it replaces (the same {@link MathFns} and {@link ReluOps} functions), in the
 * chain's order, so the results are the bits of the separate loop.
 */
public final class EpilogueOps {
    private EpilogueOps() {}

    /** Activation codes; generated code passes them as constants. */
    public static final int NONE = 0, RELU = 1, LEAKY_RELU = 2, SIGMOID = 3, TANH = 4, GELU = 5;

    /**
     * One contiguous run of {@code n} outputs. With {@code mid} = {@code pre} when it is set
     * (>= 0), else {@code out}: t[mid+i] = t[src+i] + bias (t[bias+i] when {@code biasStep} is 1,
     * t[bias] when 0, none when bias < 0) + t[res+i] (when res >= 0 and not {@code resAfter});
     * then t[out+i] = act(t[mid+i]) (+ t[res+i] when {@code resAfter}). {@code src} may be mid
     * (the product was written in place); bias and residual must not overlap mid or out.
     */
    public static void run(float[] t, int src, int n, int bias, int biasStep, int res, boolean resAfter,
                           int act, float alpha, int pre, int out) {
        int mid = pre >= 0 ? pre : out;
        if (bias >= 0 && res < 0 && act == RELU) {
            biasRelu(t, src, n, bias, biasStep, pre, out);
            return;
        }
        // a few short passes over a run in L1, each a loop C2 can vectorize, rather than one loop
        // that branches on every option
        if (bias >= 0 && biasStep == 1) {
            for (int i = 0; i < n; i++) t[mid + i] = t[src + i] + t[bias + i];
        } else if (bias >= 0) {
            float b = t[bias];
            for (int i = 0; i < n; i++) t[mid + i] = t[src + i] + b;
        } else if (src != mid) {
            System.arraycopy(t, src, t, mid, n);
        }
        if (res >= 0 && !resAfter) addInto(t, mid, res, n);
        switch (act) {
            case NONE -> { if (mid != out) System.arraycopy(t, mid, t, out, n); }
            case RELU -> ReluOps.relu(t, mid, out, n);
            case LEAKY_RELU -> { for (int i = 0; i < n; i++) t[out + i] = MathFns.leakyRelu(t[mid + i], alpha); }
            case SIGMOID -> { for (int i = 0; i < n; i++) t[out + i] = MathFns.sigmoid(t[mid + i], alpha); }
            case TANH -> { for (int i = 0; i < n; i++) t[out + i] = MathFns.tanh(t[mid + i], alpha); }
            case GELU -> { for (int i = 0; i < n; i++) t[out + i] = MathFns.gelu(t[mid + i], alpha); }
            default -> throw new IllegalArgumentException("activation code " + act);
        }
        if (res >= 0 && resAfter) addInto(t, out, res, n);
    }

    /**
     * The common layer, bias then relu, in one pass rather than two: the same float add and
     * relu (so the same bits), one read and one or two writes per element.
     */
    private static void biasRelu(float[] t, int src, int n, int bias, int biasStep, int pre, int out) {
        if (biasStep == 1 && pre < 0) {
            for (int i = 0; i < n; i++) t[out + i] = ReluOps.reluOf(t[src + i] + t[bias + i]);
        } else if (biasStep == 1) {
            for (int i = 0; i < n; i++) {
                float x = t[src + i] + t[bias + i];
                t[pre + i] = x;
                t[out + i] = ReluOps.reluOf(x);
            }
        } else if (pre < 0) {
            float b = t[bias];
            for (int i = 0; i < n; i++) t[out + i] = ReluOps.reluOf(t[src + i] + b);
        } else {
            float b = t[bias];
            for (int i = 0; i < n; i++) {
                float x = t[src + i] + b;
                t[pre + i] = x;
                t[out + i] = ReluOps.reluOf(x);
            }
        }
    }

    private static void addInto(float[] t, int to, int from, int n) {
        for (int i = 0; i < n; i++) t[to + i] += t[from + i];
    }
}
