package dlm.codegen.jvm.rt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.codegen.jvm.kernels.ConvGeometry;
import dlm.codegen.jvm.kernels.Simd;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Batched (im2col) convolutions split over two kernel threads, forward (with a bias + relu
 * epilogue) and both backward: the same floats as on one thread (each output computed by the
 * same operations), and the sums of a plain loop in double. Strided ones: stride 1 runs in
 * DirectConv (DirectConvTest) on the Vector API path.
 */
class BatchedConvSplitTest {
    @ParameterizedTest(name = "n={0} c={1} {2}x{3} f={4} k={5} stride={6} pad={7}")
    @CsvSource({
        "9, 3, 25, 23, 17, 5, 2, 2",   // odd everything, an odd image count for two parts
        "37, 6, 28, 28, 16, 5, 2, 0",  // several groups of images per part
        "45, 8, 9, 9, 13, 3, 2, 1",    // small images
    })
    void splitEqualsOneThreadAndThePlainLoop(int n, int c, int h, int w, int f, int k, int stride, int pad) {
        int oh = ConvGeometry.outSize(h, k, stride, 1, pad, pad), ow = ConvGeometry.outSize(w, k, stride, 1, pad, pad);
        int kk = c * k * k, sp = oh * ow;
        assertTrue(LinearOps.batched(1, k, k, stride, pad, pad, pad, pad));
        assertFalse(DirectConv.handles(1, k, k, stride, 1, pad, pad, pad, pad), "the column form takes this convolution");
        int x = 0, wt = x + n * c * h * w, dy = wt + f * kk, bias = dy + n * f * sp, dx = bias + f, dw = dx + n * c * h * w;
        int out = dw + f * kk, col = out + n * f * sp;
        int size = (int) (col + LinearOps.batchedScratch(n, kk, f, sp));
        float[] t = new float[size];
        SplittableRandom r = new SplittableRandom(n * 31 + c);
        for (int i = 0; i < dx; i++) t[i] = (float) r.nextGaussian();
        float[] one = t.clone(), two = t.clone();
        run(one, 1, x, wt, dy, bias, dx, dw, out, col, n, c, h, w, f, k, oh, ow, stride, pad);
        run(two, 2, x, wt, dy, bias, dx, dw, out, col, n, c, h, w, f, k, oh, ow, stride, pad);
        assertArrayEquals(java.util.Arrays.copyOfRange(one, dx, col), java.util.Arrays.copyOfRange(two, dx, col),
                "dx, dw and y on two threads equal those on one");
        if (Simd.ENABLED) // the split happens on the Vector API path only: check that these sizes take it
            try (RunContext ctx = new RunContext(2)) {
                assertTrue(BatchedConvSplit.worth(ctx.threads, Math.min(n, LinearOps.chunk(n, kk, f, sp)), kk, f, sp));
            }
        ConvReference.assertMatches(t, two, new ConvReference.Layout(x, wt, dy, bias, dx, dw, out),
                new ConvReference.Geometry(n, c, h, w, f, k, k, oh, ow, stride, pad, pad));
    }

    private static void run(float[] t, int threads, int x, int wt, int dy, int bias, int dx, int dw, int out, int col,
                            int n, int c, int h, int w, int f, int k, int oh, int ow, int stride, int pad) {
        try (RunContext ctx = new RunContext(threads)) {
            for (int rep = 0; rep < 2; rep++) { // the task object is reused
                LinearOps.conv2dEpilogue(t, x, wt, col, n, c, h, w, f, k, k, oh, ow, stride, 1, 1, pad, pad, pad, pad,
                        bias, -1, false, EpilogueOps.RELU, 0f, -1, out, ctx);
                LinearOps.conv2dGradInput(t, dy, wt, dx, col, n, c, h, w, f, k, k, oh, ow, stride, 1, 1, pad, pad, pad, pad, ctx);
                LinearOps.conv2dGradWeight(t, dy, x, dw, col, n, c, h, w, f, k, k, oh, ow, stride, 1, 1, pad, pad, pad, pad, ctx);
            }
        }
    }
}
