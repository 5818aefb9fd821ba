package dlm.codegen.jvm.rt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The batched convolution (column matrices of a chunk of images side by side, one product per
 * chunk, see {@link LinearOps#batched}) against a direct loop, over batches that take several
 * chunks and a last partial one; and the relu and 2x2 max-pool fast paths against the
 * interpreter's scalar definitions, NaN and signed zeros included.
 */
class BatchedConvTest {
    // n c h w f k stride pad dilation
    private static final int[][] CASES = {
            {100, 1, 28, 28, 6, 5, 1, 2, 1},   // lenet5 conv1 (pad same): 3 chunks, the last partial
            {70, 6, 14, 14, 16, 5, 1, 0, 1},   // lenet5 conv2: 2 chunks
            {5, 3, 9, 11, 7, 3, 2, 1, 1},      // strided, odd sizes, n smaller than a chunk
            {4, 2, 10, 10, 3, 3, 1, 2, 2},     // dilated
    };

    private static int out(int in, int k, int s, int p, int d) { return (in + 2 * p - d * (k - 1) - 1) / s + 1; }

    @Test void forwardAndGradientsMatchDirectLoops() {
        Random r = new Random(7);
        for (int[] cs : CASES) {
            int n = cs[0], c = cs[1], h = cs[2], w = cs[3], f = cs[4], k = cs[5], s = cs[6], p = cs[7], d = cs[8];
            int oh = out(h, k, s, p, d), ow = out(w, k, s, p, d), sp = oh * ow, kk = c * k * k;
            assertTrue(LinearOps.batched(1, k, k, s, p, p, p, p));
            int nx = n * c * h * w, nw = f * kk, ny = n * f * sp;
            int scratch = (int) LinearOps.batchedScratch(n, kk, f, sp);
            int xO = 0, wO = nx, yO = wO + nw, dyO = yO + ny, dxO = dyO + ny, dwO = dxO + nx, colO = dwO + nw;
            float[] t = new float[colO + scratch];
            for (int i = 0; i < dxO; i++) t[i] = (float) r.nextGaussian();
            try (RunContext ctx = new RunContext(2)) {
                LinearOps.conv2d(t, xO, wO, yO, colO, n, c, h, w, f, k, k, oh, ow, s, d, 1, p, p, p, p, ctx);
                LinearOps.conv2dGradInput(t, dyO, wO, dxO, colO, n, c, h, w, f, k, k, oh, ow, s, d, 1, p, p, p, p, ctx);
                LinearOps.conv2dGradWeight(t, dyO, xO, dwO, colO, n, c, h, w, f, k, k, oh, ow, s, d, 1, p, p, p, p, ctx);
            }
            double[] y = new double[ny], dx = new double[nx], dw = new double[nw];
            for (int b = 0; b < n; b++)
                for (int o = 0; o < f; o++)
                    for (int oy = 0; oy < oh; oy++)
                        for (int ox = 0; ox < ow; ox++) {
                            int yi = ((b * f + o) * oh + oy) * ow + ox;
                            for (int ch = 0; ch < c; ch++)
                                for (int i = 0; i < k; i++)
                                    for (int j = 0; j < k; j++) {
                                        int iy = oy * s - p + i * d, ix = ox * s - p + j * d;
                                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                        int xi = ((b * c + ch) * h + iy) * w + ix, wi = ((o * c + ch) * k + i) * k + j;
                                        y[yi] += (double) t[xO + xi] * t[wO + wi];
                                        dx[xi] += (double) t[dyO + yi] * t[wO + wi];
                                        dw[wi] += (double) t[dyO + yi] * t[xO + xi];
                                    }
                        }
            check("y", y, t, yO);
            check("dx", dx, t, dxO);
            check("dw", dw, t, dwO);
        }
    }

    private static void check(String what, double[] want, float[] t, int off) {
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], t[off + i], 1e-3 * (1 + Math.abs(want[i])), what + "[" + i + "]");
    }

    @Test void reluMatchesTheInterpreter() {
        float[] x = {1.5f, -2f, 0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3f, -1e-30f, 7f, -7f, 0.5f,
                -0.5f, Float.NaN, 2f, -3f, 4f, 1f, -1f};
        int n = x.length;
        float[] dyv = new float[n];
        for (int i = 0; i < n; i++) dyv[i] = i % 3 == 0 ? -(i + 1) : (i % 3 == 1 ? Float.NaN : i);
        float[] t = new float[4 * n];
        System.arraycopy(x, 0, t, 0, n);
        System.arraycopy(dyv, 0, t, n, n);
        ReluOps.relu(t, 0, 2 * n, n);
        ReluOps.reluGrad(t, n, 0, 3 * n, n);
        for (int i = 0; i < n; i++) {
            float want = x[i] > 0 ? x[i] : 0f, wantGrad = x[i] > 0 ? dyv[i] : 0f * dyv[i];
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(t[2 * n + i]), "relu " + x[i]);
            assertEquals(Float.floatToIntBits(wantGrad), Float.floatToIntBits(t[3 * n + i]), "reluGrad " + x[i] + " " + dyv[i]);
        }
    }

    @Test void twoByTwoMaxPoolMatchesTheGeneralPath() {
        Random r = new Random(3);
        int planes = 5, h = 8, w = 6, oh = 4, ow = 3, nx = planes * h * w, ny = planes * oh * ow;
        float[] t = new float[nx + 3 * ny + 2 * nx];
        for (int i = 0; i < nx; i++) t[i] = switch (r.nextInt(6)) {
            case 0 -> Float.NaN;
            case 1 -> 1f; // ties: the first one wins the gradient
            case 2 -> Float.NEGATIVE_INFINITY;
            default -> (float) r.nextGaussian();
        };
        for (int i = 0; i < ny; i++) t[nx + i] = (float) r.nextGaussian();
        int yFast = nx + ny, dxFast = nx + 3 * ny, dxRef = dxFast + nx;
        PoolOps.maxPool(t, 0, yFast, planes, h, w, oh, ow, 2, 2, 0, 0);
        PoolOps.maxPoolGrad(t, nx, 0, dxFast, planes, h, w, oh, ow, 2, 2, 0, 0);
        // reference: the general path's definition, written out
        for (int pl = 0; pl < planes; pl++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int best = -1;
                    float bv = Float.NEGATIVE_INFINITY;
                    for (int i = 0; i < 2; i++)
                        for (int j = 0; j < 2; j++) {
                            int at = pl * h * w + (2 * oy + i) * w + 2 * ox + j;
                            float v = t[at];
                            if (best < 0 || v > bv || (v != v && bv == bv)) { best = at; bv = v; }
                        }
                    int o = (pl * oh + oy) * ow + ox;
                    assertEquals(bv, t[yFast + o], 0f, "max of window " + o);
                    t[dxRef + best] += t[nx + o];
                }
        for (int i = 0; i < nx; i++) assertEquals(t[dxRef + i], t[dxFast + i], 0f, "dx[" + i + "]");
    }
}
