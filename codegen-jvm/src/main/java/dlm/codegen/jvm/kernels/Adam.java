package dlm.codegen.jvm.kernels;

/**
 * One Adam step over a parameter range in a single pass (PyTorch's {@code torch.optim.Adam},
 * amsgrad off): g' = g + weightDecay p; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). {@code g} is not modified.
 * Uses the Vector API when {@link Simd#ENABLED}: the sqrt and divide per element are
 * what a scalar loop spends its time on.
 */
public final class Adam {
    private Adam() {}

    /** {@code step} is t, counted from 1. */
    public static void step(float[] p, int pOff, float[] g, int gOff, float[] m, int mOff, float[] v, int vOff,
                            int n, float lr, float beta1, float beta2, float eps, float weightDecay, int step) {
        step(Simd.ENABLED, p, pOff, g, gOff, m, mOff, v, vOff, n, lr, beta1, beta2, eps, weightDecay, step);
    }

    static void step(boolean simd, float[] p, int pOff, float[] g, int gOff, float[] m, int mOff,
                     float[] v, int vOff, int n, float lr, float beta1, float beta2, float eps,
                     float weightDecay, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("Adam step counts from 1: " + step);
        }
        // Bias corrections in double: 1 - 0.999^t loses digits in float for small t.
        float stepSize = (float) (lr / (1 - Math.pow(beta1, step)));
        float invSqrtBc2 = (float) (1 / Math.sqrt(1 - Math.pow(beta2, step)));
        int i = simd ? AdamVector.step(p, pOff, g, gOff, m, mOff, v, vOff, n, stepSize, invSqrtBc2,
                beta1, beta2, eps, weightDecay) : 0;
        for (; i < n; i++) {
            float gi = g[gOff + i] + weightDecay * p[pOff + i];
            float mi = beta1 * m[mOff + i] + (1f - beta1) * gi;
            float vi = beta2 * v[vOff + i] + (1f - beta2) * gi * gi;
            m[mOff + i] = mi;
            v[vOff + i] = vi;
            p[pOff + i] -= stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + eps);
        }
    }
}
