package dlm.codegen.jvm.rt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dlm.codegen.jvm.kernels.Simd;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stride-1 convolutions in their direct form (no column matrix), forward with a bias + relu
 * epilogue and both backward: the same floats on one and two threads, and the sums of a plain
 * loop in double. The forward and the weight gradient take both their forms (over wide rows, and
 * over output positions with whole vectors of filters). The input sits at the very end of the
 * arena, so the product's last strips must not read past it.
 */
class DirectConvTest {
    @ParameterizedTest(name = "n={0} c={1} {2}x{3} f={4} k={5}x{6} pad={7},{8},{9},{10}")
    @CsvSource({
        "5, 1, 28, 28, 6, 5, 5, 2, 2, 2, 2",    // lenet5's first layer ("same")
        "12, 1, 28, 28, 6, 5, 5, 2, 2, 2, 2",   // the same, enough work to split over two threads
        "7, 6, 14, 14, 16, 5, 5, 0, 0, 0, 0",   // lenet5's second layer ("valid")
        "3, 5, 9, 13, 17, 3, 3, 1, 1, 1, 1",    // odd filters (17: the direct weight gradient)
        "4, 3, 11, 7, 20, 3, 5, 0, 2, 1, 1",    // a 3x5 kernel, uneven padding
        "1, 2, 6, 5, 9, 2, 2, 1, 0, 0, 1",      // even kernel, one image
        "6, 4, 5, 5, 16, 5, 5, 4, 4, 4, 4",     // padding kh - 1: a full correlation
        "3, 3, 9, 11, 32, 3, 3, 0, 0, 0, 0",    // forward by positions: 63 of them (not whole passes of 6)
        "2, 6, 14, 14, 64, 5, 5, 0, 1, 2, 0",   // by positions, several blocks of filters, uneven padding
    })
    void equalsThePlainLoopOnOneAndTwoThreads(int n, int c, int h, int w, int f, int kh, int kw, int pt, int pl, int pb, int pr) {
        int oh = h + pt + pb - kh + 1, ow = w + pl + pr - kw + 1, kk = c * kh * kw, sp = oh * ow;
        if (Simd.ENABLED) assertTrue(DirectConv.handles(1, kh, kw, 1, 1, pt, pl, pb, pr), "the direct form takes this convolution");
        long scratch = Math.max(LinearOps.batchedScratch(n, kk, f, sp), Math.max(LinearOps.directScratch(0, 1, c, h, w, f, kh, kw, 1, 1, pt, pl, pb, pr),
                Math.max(LinearOps.directScratch(1, 1, c, h, w, f, kh, kw, 1, 1, pt, pl, pb, pr), LinearOps.directScratch(2, 1, c, h, w, f, kh, kw, 1, 1, pt, pl, pb, pr))));
        // scratch first, the input last: reads past the image would leave the array
        int col = 0, wt = (int) scratch, dy = wt + f * kk, bias = dy + n * f * sp, dx = bias + f, dw = dx + n * c * h * w;
        int out = dw + f * kk, x = out + n * f * sp, size = x + n * c * h * w;
        float[] t = new float[size];
        SplittableRandom r = new SplittableRandom(n * 131 + c * 7 + f);
        for (int i = wt; i < dx; i++) t[i] = (float) r.nextGaussian();
        for (int i = x; i < size; i++) t[i] = (float) r.nextGaussian();
        float[] one = t.clone(), two = t.clone();
        run(one, 1, x, wt, dy, bias, dx, dw, out, col, n, c, h, w, f, kh, kw, oh, ow, pt, pl, pb, pr);
        run(two, 2, x, wt, dy, bias, dx, dw, out, col, n, c, h, w, f, kh, kw, oh, ow, pt, pl, pb, pr);
        assertArrayEquals(Arrays.copyOfRange(one, dx, x), Arrays.copyOfRange(two, dx, x), "dx, dw and y on two threads equal those on one");
        ConvReference.assertMatches(t, two, new ConvReference.Layout(x, wt, dy, bias, dx, dw, out),
                new ConvReference.Geometry(n, c, h, w, f, kh, kw, oh, ow, 1, pt, pl));
    }

    /** The shapes above that have whole blocks of filters take the forward and the weight gradient by output positions. */
    @Test
    void forwardGoesByPositionsWithWholeBlocksOfFilters() {
        assumeTrue(Simd.ENABLED, "the direct form needs the Vector API");
        int block = ConvGemmVector.FILTER_BLOCK; // 16 with AVX2, 32 with AVX-512, 8 with 128-bit vectors
        assertTrue(DirectConv.byPositions(64, 10, 11, 15, 5), "64 filters, 10 x 11 outputs on rows 15 wide");
        assertTrue(DirectConv.byPositions(32, 7, 9, 11, 3), "32 filters, 7 x 9 outputs on rows 11 wide");
        assertEquals(block <= 16, DirectConv.byPositions(16, 10, 10, 14, 5), "lenet5's second layer");
        assertFalse(DirectConv.byPositions(block + block / 2, 7, 9, 11, 3), "a partial block of filters");
        assertFalse(DirectConv.byPositions(32, 28, 28, 32, 5), "wide rows only 1.14 times the outputs");
        assertTrue(DirectConv.gradWeightByPositions(64) && DirectConv.gradWeightByPositions(32), "weight gradients by positions");
        assertEquals(block <= 16, DirectConv.gradWeightByPositions(16), "lenet5's second layer's weight gradient");
        assertEquals(24 % block == 0, DirectConv.gradWeightByPositions(20), "20 filters, padded to 24");
        assertFalse(DirectConv.gradWeightByPositions(6), "6 filters: dot products");
    }

    /**
     * Over output positions each output is the chain of fused multiply-adds the wide rows compute
     * for it: the same bits (LeNet-5's second layer, and 32 filters of 3 x 3 on 3 x 9 x 11).
     */
    @ParameterizedTest(name = "c={0} {1}x{2} f={3} k={4}x{5}")
    @CsvSource({"6, 14, 14, 16, 5, 5", "3, 9, 11, 32, 3, 3"})
    void forwardByPositionsGivesTheWideRowsBits(int c, int hp, int wp, int f, int kh, int kw) {
        assumeTrue(Simd.ENABLED, "the direct form needs the Vector API");
        assumeTrue(f % ConvGemmVector.FILTER_BLOCK == 0, f + " filters are not whole blocks of two vectors here");
        int oh = hp - kh + 1, ow = wp - kw + 1, kk = c * kh * kw, npos = oh * ow, whole = (npos + 5) / 6 * 6;
        int cols = (oh - 1) * wp + ow, ldc = (cols + 15) / 16 * 16, fb = ConvGemmVector.FILTER_BLOCK;
        int w = 0, x = w + f * kk, wide = x + c * hp * wp + ldc, wt = wide + f * ldc, tile = wt + f * kk;
        float[] t = new float[tile + whole * f];
        SplittableRandom r = new SplittableRandom(f);
        for (int i = 0; i < wide; i++) t[i] = (float) r.nextGaussian();
        int[] filterRows = new int[f], taps = new int[kk], positions = new int[whole];
        for (int o = 0; o < f; o++) filterRows[o] = o * kk;
        for (int ch = 0, p = 0; ch < c; ch++)
            for (int a = 0; a < kh; a++)
                for (int b = 0; b < kw; b++, p++) taps[p] = ch * hp * wp + a * wp + b;
        for (int y = 0, s = 0; y < oh; y++)
            for (int z = 0; z < ow; z++, s++) positions[s] = y * wp + z;
        for (int o = 0; o < f; o++)
            for (int p = 0; p < kk; p++) t[wt + (o / fb) * kk * fb + p * fb + o % fb] = t[w + o * kk + p];
        ConvGemmVector.nn(f, ldc, kk, t, w, filterRows, 1, x, taps, wide, ldc, false);
        ConvGemmVector.filtersAsLanes(whole, f, kk, t, x, positions, taps, wt, tile, false);
        for (int o = 0; o < f; o++)
            for (int s = 0; s < npos; s++)
                assertEquals(Float.floatToRawIntBits(t[wide + o * ldc + positions[s]]), Float.floatToRawIntBits(t[tile + s * f + o]),
                        "filter " + o + ", position " + s);
    }

    private static void run(float[] t, int threads, int x, int wt, int dy, int bias, int dx, int dw, int out, int col,
                            int n, int c, int h, int w, int f, int kh, int kw, int oh, int ow, int pt, int pl, int pb, int pr) {
        try (RunContext ctx = new RunContext(threads)) {
            for (int rep = 0; rep < 2; rep++) { // the task object and its tables are reused
                Arrays.fill(t, col, wt, Float.NaN); // scratch left by another op must not leak in
                LinearOps.conv2dEpilogue(t, x, wt, col, n, c, h, w, f, kh, kw, oh, ow, 1, 1, 1, pt, pl, pb, pr,
                        bias, -1, false, EpilogueOps.RELU, 0f, -1, out, ctx);
                Arrays.fill(t, col, wt, Float.NaN);
                LinearOps.conv2dGradInput(t, dy, wt, dx, col, n, c, h, w, f, kh, kw, oh, ow, 1, 1, 1, pt, pl, pb, pr, ctx);
                Arrays.fill(t, col, wt, Float.NaN);
                LinearOps.conv2dGradWeight(t, dy, x, dw, col, n, c, h, w, f, kh, kw, oh, ow, 1, 1, 1, pt, pl, pb, pr, ctx);
            }
        }
    }
}
