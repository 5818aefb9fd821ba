package dlm.codegen.jvm.rt;

import dlm.runtime.DlmException;
import java.util.Arrays;

/** Data movement and lookups on the arena: block copies, embedding, one-hot, dropout masks. */
public final class MoveOps {
    private MoveOps() {}

    /** {@code blocks} copies of {@code len} floats, source and destination advancing by their strides. */
    public static void copyBlocks(float[] t, int src, int srcStride, int dst, int dstStride, int blocks, int len) {
        for (int b = 0; b < blocks; b++) System.arraycopy(t, src + b * srcStride, t, dst + b * dstStride, len);
    }

    public static void fill(float[] t, int off, int n, float v) { Arrays.fill(t, off, off + n, v); }

    /** An id held as a float: an exact integer in [0, n), else a user error naming the op. */
    private static int id(float v, int n, String op) {
        if (v != Math.rint(v) || v < 0 || v >= n)
            throw new DlmException(op + ": id " + v + " is not an integer in [0, " + n + ")");
        return (int) v;
    }

    /** y[k, :] = w[ids[k], :] for count ids, rows of d floats. */
    public static void embedding(float[] t, int wOff, int idsOff, int yOff, int count, int vocab, int d) {
        for (int k = 0; k < count; k++)
            System.arraycopy(t, wOff + id(t[idsOff + k], vocab, "embedding") * d, t, yOff + k * d, d);
    }

    public static void embeddingGrad(float[] t, int dyOff, int idsOff, int dwOff, int count, int vocab, int d) {
        Arrays.fill(t, dwOff, dwOff + vocab * d, 0f);
        for (int k = 0; k < count; k++) {
            int row = dwOff + id(t[idsOff + k], vocab, "embedding_grad") * d;
            for (int j = 0; j < d; j++) t[row + j] += t[dyOff + k * d + j];
        }
    }

    public static void oneHot(float[] t, int idsOff, int yOff, int count, int classes) {
        Arrays.fill(t, yOff, yOff + count * classes, 0f);
        for (int k = 0; k < count; k++) t[yOff + k * classes + id(t[idsOff + k], classes, "one_hot")] = 1f;
    }

    /** 0 with probability rate, else 1/(1-rate), drawn in element order from the context's stream. */
    public static void dropoutMask(float[] t, int yOff, int n, double rate, RunContext ctx) {
        float keep = (float) (1 / (1 - rate));
        for (int i = 0; i < n; i++) t[yOff + i] = ctx.nextDouble() < rate ? 0f : keep;
    }
}
