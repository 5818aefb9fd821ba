package dlm.codegen.jvm.kernels;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BiasActivationTest {
    @Test
    void perColumnAndPerChannelWithAndWithoutRelu() {
        SplittableRandom rnd = new SplittableRandom(3);
        int rows = 5, cols = 17, ld = 19;
        float[] bias = Reference.random(rnd, cols + 2);
        for (int act : new int[] {BiasActivation.NONE, BiasActivation.RELU}) {
            float[] y = Reference.random(rnd, 3 + rows * ld);
            double[] want = new double[rows * ld];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < ld; c++) {
                    double v = y[3 + r * ld + c];
                    if (c < cols) {
                        v += bias[2 + c];
                        v = act == BiasActivation.RELU ? Math.max(v, 0) : v;
                    }
                    want[r * ld + c] = v;
                }
            }
            BiasActivation.perColumn(y, 3, rows, cols, ld, bias, 2, act);
            Reference.assertClose("perColumn act=" + act, want, y, 3, 1e-6);

            float[] z = Reference.random(rnd, rows * cols);
            double[] wantZ = new double[rows * cols];
            for (int ch = 0; ch < rows; ch++) {
                for (int s = 0; s < cols; s++) {
                    double v = z[ch * cols + s] + bias[1 + ch];
                    wantZ[ch * cols + s] = act == BiasActivation.RELU ? Math.max(v, 0) : v;
                }
            }
            BiasActivation.perChannel(z, 0, rows, cols, bias, 1, act);
            Reference.assertClose("perChannel act=" + act, wantZ, z, 0, 1e-6);
        }
    }
}
