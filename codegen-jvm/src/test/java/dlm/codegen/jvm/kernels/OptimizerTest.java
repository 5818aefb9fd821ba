package dlm.codegen.jvm.kernels;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Adam and SGD-momentum over several steps against PyTorch's update rules in double. */
class OptimizerTest {
    private static final int[] SIZES = {1, 15, 17, 31, 33, 100, 257};

    @ParameterizedTest(name = "simd={0}")
    @ValueSource(booleans = {true, false})
    void adamFollowsPyTorch(boolean simd) {
        if (simd && !Simd.ENABLED) {
            return;
        }
        SplittableRandom rnd = new SplittableRandom(21);
        float lr = 1e-2f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        for (float wd : new float[] {0f, 0.01f}) {
            for (int n : SIZES) {
                int off = 3;
                float[] p = Reference.random(rnd, off + n), m = new float[off + n], v = new float[off + n];
                double[] pd = new double[n], md = new double[n], vd = new double[n];
                for (int i = 0; i < n; i++) {
                    pd[i] = p[off + i];
                }
                for (int t = 1; t <= 5; t++) {
                    float[] g = Reference.random(rnd, n);
                    for (int i = 0; i < n; i++) {
                        double gi = g[i] + wd * pd[i];
                        md[i] = b1 * md[i] + (1 - b1) * gi;
                        vd[i] = b2 * vd[i] + (1 - b2) * gi * gi;
                        double mHat = md[i] / (1 - Math.pow(b1, t));
                        double vHat = vd[i] / (1 - Math.pow(b2, t));
                        pd[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                    }
                    Adam.step(simd, p, off, g, 0, m, off, v, off, n, lr, b1, b2, eps, wd, t);
                }
                Reference.assertClose("adam p n=" + n, pd, p, off, 1e-5);
                Reference.assertClose("adam m n=" + n, md, m, off, 1e-5);
                Reference.assertClose("adam v n=" + n, vd, v, off, 1e-5);
            }
        }
    }

    @ParameterizedTest(name = "momentum={0}")
    @ValueSource(floats = {0f, 0.9f})
    void sgdMomentumFollowsPyTorch(float momentum) {
        SplittableRandom rnd = new SplittableRandom(22);
        float lr = 0.1f, wd = 1e-3f;
        for (int n : SIZES) {
            float[] p = Reference.random(rnd, n), buf = new float[n];
            double[] pd = new double[n], bd = new double[n];
            for (int i = 0; i < n; i++) {
                pd[i] = p[i];
            }
            for (int t = 1; t <= 4; t++) {
                float[] g = Reference.random(rnd, n);
                for (int i = 0; i < n; i++) {
                    double gi = g[i] + wd * pd[i];
                    bd[i] = t == 1 ? gi : momentum * bd[i] + gi; // PyTorch: first step buf = g
                    pd[i] -= lr * (momentum == 0 ? gi : bd[i]);
                }
                SgdMomentum.step(p, 0, g, 0, momentum == 0 ? null : buf, 0, n, lr, momentum, wd);
            }
            Reference.assertClose("sgd p n=" + n, pd, p, 0, 1e-5);
        }
    }
}
