package dlm.codegen.jvm.kernels;

/**
 * Elementwise activations and their backward passes, over {@code n} floats from each
 * offset (in place when input and output are the same range). relu is plain Java, which
 * C2 vectorizes by itself; sigmoid and tanh use the Vector API's EXP/TANH when
 * {@link Simd#ENABLED} since C2 does not vectorize {@link Math#exp}.
 */
public final class Activations {
    private Activations() {}

    public static void relu(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.max(x[xOff + i], 0f);
        }
    }

    /** dx = dy where x > 0, else 0 ({@code x} is relu's input, or its output: same sign test). */
    public static void reluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = x[xOff + i] > 0f ? dy[dyOff + i] : 0f;
        }
    }

    public static void sigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        sigmoid(Simd.ENABLED, x, xOff, y, yOff, n);
    }

    static void sigmoid(boolean simd, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = simd ? ActivationsVector.sigmoid(x, xOff, y, yOff, n) : 0;
        for (; i < n; i++) {
            y[yOff + i] = sigmoid(x[xOff + i]);
        }
    }

    static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    /** dx = dy * y * (1 - y), from sigmoid's output y. */
    public static void sigmoidBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            float s = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * s * (1f - s);
        }
    }

    public static void tanh(float[] x, int xOff, float[] y, int yOff, int n) {
        tanh(Simd.ENABLED, x, xOff, y, yOff, n);
    }

    static void tanh(boolean simd, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = simd ? ActivationsVector.tanh(x, xOff, y, yOff, n) : 0;
        for (; i < n; i++) {
            y[yOff + i] = (float) Math.tanh(x[xOff + i]);
        }
    }

    /** dx = dy * (1 - y^2), from tanh's output y. */
    public static void tanhBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            float t = y[yOff + i];
            dx[dxOff + i] = dy[dyOff + i] * (1f - t * t);
        }
    }
}
