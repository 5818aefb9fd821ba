package dlm.codegen.jvm.kernels;

/**
 * Epilogue of a GEMM or convolution: adds a bias and applies an activation in one pass
 * over the output while it is still in cache. Plain loops: C2 vectorizes them.
 */
public final class BiasActivation {
    /** No activation. */
    public static final int NONE = 0;
    /** max(x, 0). */
    public static final int RELU = 1;

    private BiasActivation() {}

    /**
     * Dense layer output y[rows, cols] (row stride {@code ld}): y[r, c] = act(y[r, c] + bias[c]).
     * {@code bias} may be null for activation only.
     */
    public static void perColumn(float[] y, int yOff, int rows, int cols, int ld,
                                 float[] bias, int biasOff, int activation) {
        for (int r = 0; r < rows; r++) {
            int row = yOff + r * ld;
            if (bias != null) {
                for (int c = 0; c < cols; c++) {
                    y[row + c] += bias[biasOff + c];
                }
            }
            if (activation == RELU) {
                for (int c = 0; c < cols; c++) {
                    y[row + c] = Math.max(y[row + c], 0f);
                }
            }
        }
    }

    /**
     * Convolution output of one image, y[channels, spatial] (NCHW, spatial = H*W):
     * y[c, s] = act(y[c, s] + bias[c]). {@code bias} may be null.
     */
    public static void perChannel(float[] y, int yOff, int channels, int spatial,
                                  float[] bias, int biasOff, int activation) {
        for (int c = 0; c < channels; c++) {
            int row = yOff + c * spatial;
            float b = bias == null ? 0f : bias[biasOff + c];
            if (activation == RELU) {
                for (int s = 0; s < spatial; s++) {
                    y[row + s] = Math.max(y[row + s] + b, 0f);
                }
            } else {
                for (int s = 0; s < spatial; s++) {
                    y[row + s] += b;
                }
            }
        }
    }
}
