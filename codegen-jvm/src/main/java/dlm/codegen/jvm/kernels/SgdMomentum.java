package dlm.codegen.jvm.kernels;

/**
 * One SGD step with momentum over a parameter range in a single pass (PyTorch's
 * {@code torch.optim.SGD}, dampening 0, not Nesterov): g' = g + weightDecay p;
 * buf = momentum buf + g'; p -= lr buf. With {@code buf} starting at zeros the first step
 * sets buf = g', as PyTorch does. With momentum 0, {@code buf} is not touched and may be
 * null. Plain loop: C2 vectorizes it.
 */
public final class SgdMomentum {
    private SgdMomentum() {}

    public static void step(float[] p, int pOff, float[] g, int gOff, float[] buf, int bufOff, int n,
                            float lr, float momentum, float weightDecay) {
        if (momentum == 0f) {
            for (int i = 0; i < n; i++) {
                p[pOff + i] -= lr * (g[gOff + i] + weightDecay * p[pOff + i]);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float b = momentum * buf[bufOff + i] + g[gOff + i] + weightDecay * p[pOff + i];
            buf[bufOff + i] = b;
            p[pOff + i] -= lr * b;
        }
    }
}
