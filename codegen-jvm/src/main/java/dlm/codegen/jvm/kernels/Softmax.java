package dlm.codegen.jvm.kernels;

/**
 * Softmax and log-softmax along each row of x[rows, cols] (contiguous rows), into y of
 * the same shape; y may be x. The row maximum is subtracted first so exp never
 * overflows. Uses the Vector API when {@link Simd#ENABLED}.
 */
public final class Softmax {
    private Softmax() {}

    public static void softmaxRows(float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
        softmaxRows(Simd.ENABLED, x, xOff, y, yOff, rows, cols);
    }

    public static void logSoftmaxRows(float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
        logSoftmaxRows(Simd.ENABLED, x, xOff, y, yOff, rows, cols);
    }

    static void softmaxRows(boolean simd, float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * cols, yi = yOff + r * cols;
            float sum;
            if (simd) {
                sum = ReductionsVector.expShiftedSum(x, xi, ReductionsVector.max(x, xi, cols), y, yi, cols);
            } else {
                float max = max(x, xi, cols);
                sum = 0f;
                for (int c = 0; c < cols; c++) {
                    float e = (float) Math.exp(x[xi + c] - max);
                    y[yi + c] = e;
                    sum += e;
                }
            }
            Arithmetic.scale(1f / sum, y, yi, cols);
        }
    }

    static void logSoftmaxRows(boolean simd, float[] x, int xOff, float[] y, int yOff, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * cols, yi = yOff + r * cols;
            float max, sum;
            if (simd) {
                max = ReductionsVector.max(x, xi, cols);
                sum = ReductionsVector.expShiftedSum(x, xi, max, cols);
            } else {
                max = max(x, xi, cols);
                sum = 0f;
                for (int c = 0; c < cols; c++) {
                    sum += (float) Math.exp(x[xi + c] - max);
                }
            }
            float shift = max + (float) Math.log(sum);
            for (int c = 0; c < cols; c++) {
                y[yi + c] = x[xi + c] - shift;
            }
        }
    }

    private static float max(float[] x, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }
}
