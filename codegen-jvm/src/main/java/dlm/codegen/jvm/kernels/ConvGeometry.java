package dlm.codegen.jvm.kernels;

/** Output extent of a convolution or pooling window along one axis (floor mode, like PyTorch). */
public final class ConvGeometry {
    private ConvGeometry() {}

    /**
     * Number of window positions along an axis of length {@code in} padded by
     * {@code padBefore} and {@code padAfter}, for a window of {@code kernel} taps spaced
     * {@code dilation} apart, moved by {@code stride}.
     */
    public static int outSize(int in, int kernel, int stride, int dilation, int padBefore, int padAfter) {
        int span = dilation * (kernel - 1) + 1;
        int padded = in + padBefore + padAfter;
        return padded < span ? 0 : (padded - span) / stride + 1;
    }

    /** First output index {@code o} with {@code o*stride + base >= 0}. */
    static int firstInside(int base, int stride) {
        return base >= 0 ? 0 : Math.ceilDiv(-base, stride);
    }

    /** One past the last output index {@code o} with {@code o*stride + base < in}, at least {@code lo}. */
    static int endInside(int base, int stride, int in, int out, int lo) {
        int hi = in - base <= 0 ? 0 : Math.ceilDiv(in - base, stride);
        return Math.max(lo, Math.min(out, hi));
    }
}
