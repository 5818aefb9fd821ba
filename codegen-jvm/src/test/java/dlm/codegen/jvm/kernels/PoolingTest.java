package dlm.codegen.jvm.kernels;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolingTest {

    @ParameterizedTest(name = "{0}x{1} k={2}x{3} s={4},{5} pad={6},{7},{8},{9} includePad={10}")
    @CsvSource({
        "8, 8, 2, 2, 2, 2, 0, 0, 0, 0, true",
        "7, 9, 3, 3, 2, 2, 1, 1, 1, 1, true",
        "7, 9, 3, 3, 2, 2, 1, 1, 1, 1, false",
        "10, 5, 3, 2, 1, 3, 1, 0, 0, 1, true",
        "5, 6, 2, 3, 3, 1, 0, 1, 1, 0, false",
    })
    void avgMatchesDirectLoops(int h, int w, int kh, int kw, int sh, int sw,
                                   int pt, int pl, int pb, int pr, boolean includePad) {
        int planes = 3;
        int oh = ConvGeometry.outSize(h, kh, sh, 1, pt, pb), ow = ConvGeometry.outSize(w, kw, sw, 1, pl, pr);
        SplittableRandom rnd = new SplittableRandom(h * 17 + w);
        float[] x = Reference.random(rnd, planes * h * w);
        float[] dy = Reference.random(rnd, planes * oh * ow);
        double[] avg = new double[planes * oh * ow];
        double[] dxAvg = new double[x.length];
        for (int p = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int o = (p * oh + oy) * ow + ox;
                    double sum = 0;
                    int real = 0, padded = 0;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            int iy = oy * sh - pt + i, ix = ox * sw - pl + j;
                            if (iy < h + pb && ix < w + pr) {
                                padded++; // inside the padded extent
                            }
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            int xi = (p * h + iy) * w + ix;
                            real++;
                            sum += x[xi];
                        }
                    }
                    int div = includePad ? padded : real;
                    avg[o] = sum / div;
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            int iy = oy * sh - pt + i, ix = ox * sw - pl + j;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                dxAvg[(p * h + iy) * w + ix] += dy[o] / div;
                            }
                        }
                    }
                }
            }
        }
        float[] y = new float[avg.length];
        AvgPool2d.forward(x, 0, planes, h, w, kh, kw, sh, sw, pt, pl, pb, pr, includePad, y, 0);
        Reference.assertClose("avg", avg, y, 0, 1e-6);
        float[] dx = new float[x.length];
        AvgPool2d.backward(dy, 0, planes, h, w, kh, kw, sh, sw, pt, pl, pb, pr, includePad, dx, 0);
        Reference.assertClose("avg backward", dxAvg, dx, 0, 1e-6);
    }
}
