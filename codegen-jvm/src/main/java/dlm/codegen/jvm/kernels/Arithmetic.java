package dlm.codegen.jvm.kernels;

/**
 * Elementwise arithmetic over {@code n} floats. Plain loops: C2 vectorizes each of them
 * already, so the Vector API would add code and gain nothing (measured, STACK-NOTES).
 */
public final class Arithmetic {
    private Arithmetic() {}

    /** out = a + b. */
    public static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] + b[bOff + i];
        }
    }

    /** out = a * b. */
    public static void mul(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = a[aOff + i] * b[bOff + i];
        }
    }

    /** y += alpha * x (gradient accumulation, residual adds). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /** x *= alpha. */
    public static void scale(float alpha, float[] x, int xOff, int n) {
        for (int i = 0; i < n; i++) {
            x[xOff + i] *= alpha;
        }
    }
}
