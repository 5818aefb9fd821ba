package dlm.codegen.jvm.rt;

/** Loss primitives called by generated code; same formulas as the reference interpreter. */
public final class LossOps {
    private LossOps() {}

    /** -(y log p + (1-y) log(1-p)), each log clamped at -100 as PyTorch does. */
    public static void binaryCrossEntropy(float[] t, int pOff, int yOff, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            double p = t[pOff + i], y = t[yOff + i];
            t[outOff + i] = (float) -(y * Math.max(Math.log(p), -100) + (1 - y) * Math.max(Math.log(1 - p), -100));
        }
    }

    /** dy (p - y) / max(p (1 - p), 1e-12): finite at p = 0 and 1. */
    public static void binaryCrossEntropyGrad(float[] t, int dyOff, int pOff, int yOff, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            double p = t[pOff + i];
            t[outOff + i] = (float) (t[dyOff + i] * (p - t[yOff + i]) / Math.max(p * (1 - p), 1e-12));
        }
    }
}
