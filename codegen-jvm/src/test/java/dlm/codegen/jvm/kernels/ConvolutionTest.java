package dlm.codegen.jvm.kernels;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Convolution as im2col + GEMM (and GEMM + col2im) against direct loops in double. */
class ConvolutionTest {

    @ParameterizedTest(name = "C={0} OC={1} groups={2} {3}x{4} k={5}x{6} s={7},{8} d={9},{10} pad={11},{12},{13},{14}")
    @CsvSource({
        // c, oc, groups, h, w, kh, kw, sh, sw, dh, dw, top, left, bottom, right
        "3, 4, 1, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1",
        "6, 4, 2, 9, 11, 3, 2, 2, 1, 1, 2, 1, 2, 0, 1",
        "6, 6, 3, 7, 10, 2, 3, 1, 3, 2, 1, 0, 1, 2, 0",
        "1, 5, 1, 5, 5, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0",
        "4, 4, 4, 6, 6, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0",
        "2, 3, 1, 17, 15, 4, 3, 3, 2, 2, 1, 3, 0, 1, 2",
    })
    void forwardAndBothBackwardsMatchDirectLoops(int c, int oc, int groups, int h, int w, int kh, int kw,
                                                 int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr) {
        int batch = 2, cg = c / groups, ocg = oc / groups;
        int oh = ConvGeometry.outSize(h, kh, sh, dh, pt, pb);
        int ow = ConvGeometry.outSize(w, kw, sw, dw, pl, pr);
        int kk = cg * kh * kw, spatial = oh * ow;
        SplittableRandom rnd = new SplittableRandom(c * 31 + h);
        float[] x = Reference.random(rnd, batch * c * h * w);
        float[] wt = Reference.random(rnd, oc * kk);
        float[] dy = Reference.random(rnd, batch * oc * spatial);

        double[] y = new double[batch * oc * spatial];
        double[] dx = new double[batch * c * h * w];
        double[] dwt = new double[oc * kk];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < oc; o++) {
                int g = o / ocg;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        int yi = ((n * oc + o) * oh + oy) * ow + ox;
                        for (int ic = 0; ic < cg; ic++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * sh - pt + i * dh, ix = ox * sw - pl + j * dw;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                        continue;
                                    }
                                    int xi = ((n * c + g * cg + ic) * h + iy) * w + ix;
                                    int wi = ((o * cg + ic) * kh + i) * kw + j;
                                    y[yi] += (double) wt[wi] * x[xi];
                                    dx[xi] += (double) wt[wi] * dy[yi];
                                    dwt[wi] += (double) dy[yi] * x[xi];
                                }
                            }
                        }
                    }
                }
            }
        }

        GemmWorkspace ws = new GemmWorkspace(1, 64);
        float[] col = new float[kk * spatial];
        float[] gotY = new float[y.length];
        float[] gotDx = new float[dx.length];
        float[] gotDw = new float[dwt.length];
        for (int n = 0; n < batch; n++) {
            for (int g = 0; g < groups; g++) {
                int xAt = (n * c + g * cg) * h * w;
                int yAt = (n * oc + g * ocg) * spatial;
                int wAt = g * ocg * kk;
                Arrays.fill(col, Float.NaN); // im2col must write every entry
                Im2col.im2col(x, xAt, cg, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, col, 0);
                // forward: y_g = W_g col (NN)
                Sgemm.sgemm(false, false, ocg, spatial, kk, wt, wAt, kk, col, 0, spatial, 0f,
                        gotY, yAt, spatial, ws, null);
                // weight gradient: dW_g += dY_g col^T (NT), summed over the batch
                Sgemm.sgemm(false, true, ocg, kk, spatial, dy, yAt, spatial, col, 0, spatial, 1f,
                        gotDw, wAt, kk, ws, null);
                // input gradient: dcol = W_g^T dY_g (TN), then col2im
                Sgemm.sgemm(true, false, kk, spatial, ocg, wt, wAt, kk, dy, yAt, spatial, 0f,
                        col, 0, spatial, ws, null);
                Col2im.col2im(col, 0, cg, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, gotDx, xAt);
            }
        }
        Reference.assertClose("y", y, gotY, 0, 1e-4);
        Reference.assertClose("dX", dx, gotDx, 0, 1e-4);
        Reference.assertClose("dW", dwt, gotDw, 0, 1e-4);
    }
}
