package dlm.codegen.jvm.kernels;

/**
 * Sums. C2 does not vectorize a float sum (it may not reorder the additions), so
 * {@link #sum} uses the Vector API when {@link Simd#ENABLED}; its result then differs
 * from a left-to-right sum by rounding only.
 */
public final class Reductions {
    private Reductions() {}

    /** x[off] + ... + x[off + n - 1]. */
    public static float sum(float[] x, int off, int n) {
        return sum(Simd.ENABLED, x, off, n);
    }

    static float sum(boolean simd, float[] x, int off, int n) {
        if (simd) {
            return ReductionsVector.sum(x, off, n);
        }
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    /**
     * out[c] (+)= sum over r of x[r, c], for x[rows, cols] with row stride {@code ld}:
     * the bias gradient of a dense layer. Accumulates into {@code out} if {@code accumulate}.
     * Row by row, so the inner loop is contiguous and C2 vectorizes it.
     */
    public static void sumColumns(float[] x, int off, int rows, int cols, int ld,
                                  float[] out, int outOff, boolean accumulate) {
        if (!accumulate) {
            java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
        }
        for (int r = 0; r < rows; r++) {
            int row = off + r * ld;
            for (int c = 0; c < cols; c++) {
                out[outOff + c] += x[row + c];
            }
        }
    }

    /**
     * out[r] (+)= sum of row r of x[rows, cols] (contiguous rows): the bias gradient of a
     * convolution from one image's dY[channels, H*W].
     */
    public static void sumRows(float[] x, int off, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            float s = sum(x, off + r * cols, cols);
            out[outOff + r] = accumulate ? out[outOff + r] + s : s;
        }
    }
}
