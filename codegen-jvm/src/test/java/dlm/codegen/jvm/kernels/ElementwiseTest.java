package dlm.codegen.jvm.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Activations, arithmetic, reductions and softmax against double-precision loops. */
class ElementwiseTest {
    private static final int[] SIZES = {1, 15, 17, 31, 33, 100, 257};
    private static final int OFF = 5;

    private static float[] scaled(SplittableRandom rnd, int n, float s) {
        float[] x = Reference.random(rnd, n);
        for (int i = 0; i < n; i++) {
            x[i] *= s;
        }
        return x;
    }

    @ParameterizedTest(name = "simd={0}")
    @ValueSource(booleans = {true, false})
    void activationsAndBackwards(boolean simd) {
        if (simd && !Simd.ENABLED) {
            return;
        }
        SplittableRandom rnd = new SplittableRandom(11);
        for (int n : SIZES) {
            float[] x = scaled(rnd, OFF + n, 12f); // reaches both saturated ends
            x[OFF] = -100f; // exp(100) overflows float: sigmoid must still give 0
            float[] dy = Reference.random(rnd, n);
            double[] sig = new double[n], th = new double[n], re = new double[n];
            double[] dSig = new double[n], dTh = new double[n], dRe = new double[n];
            for (int i = 0; i < n; i++) {
                double v = x[OFF + i];
                sig[i] = 1 / (1 + Math.exp(-v));
                th[i] = Math.tanh(v);
                re[i] = Math.max(v, 0);
                dRe[i] = v > 0 ? dy[i] : 0;
            }
            float[] y = new float[OFF + n];
            Activations.sigmoid(simd, x, OFF, y, OFF, n);
            Reference.assertClose("sigmoid n=" + n, sig, y, OFF, 2e-6);
            for (int i = 0; i < n; i++) {
                dSig[i] = dy[i] * (double) y[OFF + i] * (1 - (double) y[OFF + i]);
            }
            float[] dx = new float[n];
            Activations.sigmoidBackward(y, OFF, dy, 0, dx, 0, n);
            Reference.assertClose("sigmoid backward n=" + n, dSig, dx, 0, 1e-6);

            Activations.tanh(simd, x, OFF, y, OFF, n);
            Reference.assertClose("tanh n=" + n, th, y, OFF, 2e-6);
            for (int i = 0; i < n; i++) {
                dTh[i] = dy[i] * (1 - (double) y[OFF + i] * y[OFF + i]);
            }
            Activations.tanhBackward(y, OFF, dy, 0, dx, 0, n);
            Reference.assertClose("tanh backward n=" + n, dTh, dx, 0, 1e-6);

            Activations.relu(x, OFF, y, OFF, n);
            Reference.assertClose("relu n=" + n, re, y, OFF, 0);
            Activations.reluBackward(x, OFF, dy, 0, dx, 0, n);
            Reference.assertClose("relu backward n=" + n, dRe, dx, 0, 0);
        }
    }

    @Test
    void arithmetic() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (int n : SIZES) {
            float[] a = Reference.random(rnd, n + OFF), b = Reference.random(rnd, n);
            double[] sum = new double[n], prod = new double[n], axpy = new double[n], sc = new double[n];
            for (int i = 0; i < n; i++) {
                sum[i] = (double) a[OFF + i] + b[i];
                prod[i] = (double) a[OFF + i] * b[i];
                axpy[i] = b[i] + 0.5 * a[OFF + i];
                sc[i] = 3.0 * b[i];
            }
            float[] out = new float[n];
            Arithmetic.add(a, OFF, b, 0, out, 0, n);
            Reference.assertClose("add", sum, out, 0, 1e-7);
            Arithmetic.mul(a, OFF, b, 0, out, 0, n);
            Reference.assertClose("mul", prod, out, 0, 1e-7);
            float[] y = b.clone();
            Arithmetic.axpy(0.5f, a, OFF, y, 0, n);
            Reference.assertClose("axpy", axpy, y, 0, 1e-7);
            y = b.clone();
            Arithmetic.scale(3f, y, 0, n);
            Reference.assertClose("scale", sc, y, 0, 1e-7);
        }
    }

    @ParameterizedTest(name = "simd={0}")
    @ValueSource(booleans = {true, false})
    void sums(boolean simd) {
        if (simd && !Simd.ENABLED) {
            return;
        }
        SplittableRandom rnd = new SplittableRandom(13);
        for (int n : SIZES) {
            float[] x = Reference.random(rnd, OFF + n);
            double s = 0, abs = 0;
            for (int i = 0; i < n; i++) {
                s += x[OFF + i];
                abs += Math.abs(x[OFF + i]);
            }
            float got = Reductions.sum(simd, x, OFF, n);
            assertTrue(Math.abs(got - s) <= 1e-6 * n * abs + 1e-7, "sum n=" + n + ": " + got + " vs " + s);
        }
        int rows = 7, cols = 33, ld = 35;
        float[] x = Reference.random(rnd, OFF + rows * ld);
        double[] colSums = new double[cols], rowSums = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                colSums[c] += 1 + x[OFF + r * ld + c]; // starts from 1: accumulate mode
            }
        }
        for (int c = 0; c < cols; c++) {
            colSums[c] = colSums[c] - rows + 1;
        }
        float[] out = new float[cols];
        java.util.Arrays.fill(out, 1f);
        Reductions.sumColumns(x, OFF, rows, cols, ld, out, 0, true);
        Reference.assertClose("sumColumns", colSums, out, 0, 1e-6);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < ld; c++) {
                rowSums[r] += x[OFF + r * ld + c];
            }
        }
        float[] rs = new float[rows];
        Reductions.sumRows(x, OFF, rows, ld, rs, 0, false);
        Reference.assertClose("sumRows", rowSums, rs, 0, 1e-6);
    }

    @ParameterizedTest(name = "simd={0}")
    @ValueSource(booleans = {true, false})
    void softmaxAndLogSoftmaxRows(boolean simd) {
        if (simd && !Simd.ENABLED) {
            return;
        }
        SplittableRandom rnd = new SplittableRandom(14);
        int rows = 3;
        for (int cols : SIZES) {
            float[] x = scaled(rnd, OFF + rows * cols, 20f);
            x[OFF] = 500f; // would overflow exp without the max shift
            double[] sm = new double[rows * cols], lsm = new double[rows * cols];
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, x[OFF + r * cols + c]);
                }
                for (int c = 0; c < cols; c++) {
                    sum += Math.exp(x[OFF + r * cols + c] - max);
                }
                for (int c = 0; c < cols; c++) {
                    double z = x[OFF + r * cols + c] - max;
                    sm[r * cols + c] = Math.exp(z) / sum;
                    lsm[r * cols + c] = z - Math.log(sum);
                }
            }
            float[] y = new float[rows * cols];
            Softmax.softmaxRows(simd, x, OFF, y, 0, rows, cols);
            Reference.assertClose("softmax cols=" + cols, sm, y, 0, 1e-5);
            Softmax.logSoftmaxRows(simd, x, OFF, y, 0, rows, cols);
            Reference.assertClose("logSoftmax cols=" + cols, lsm, y, 0, 1e-5);
            float[] inPlace = x.clone();
            Softmax.softmaxRows(simd, inPlace, OFF, inPlace, OFF, rows, cols);
            Reference.assertClose("softmax in place cols=" + cols, sm, inPlace, OFF, 1e-5);
        }
        float[] one = {42f};
        Softmax.softmaxRows(simd, one, 0, one, 0, 1, 1);
        assertEquals(1f, one[0]);
    }
}
