package dlm.ir.interp;

import static dlm.ir.interp.OpCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dlm.ir.Op;
import dlm.ir.Op.UpsampleMode;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConvPoolTest {
    private static double[] range(int from, int n) { return IntStream.range(from, from + n).asDoubleStream().toArray(); }
    private static double[] ones(int n) { double[] v = new double[n]; java.util.Arrays.fill(v, 1); return v; }

    private static Op.Conv2d conv(int stride, int dilation, int groups, int pt, int pl, int pb, int pr) {
        return new Op.Conv2d(stride, dilation, groups, pt, pl, pb, pr);
    }

    @Test void convValid() {
        // 3x3 of 1..9, 2x2 kernel of ones: sums of 2x2 windows
        Tensor y = eval(conv(1, 1, 1, 0, 0, 0, 0), t(s(1, 1, 3, 3), range(1, 9)), t(s(1, 1, 2, 2), ones(4)));
        assertArrayEquals(s(1, 1, 2, 2), y.shape());
        close(new double[]{12, 16, 24, 28}, y);
    }

    @Test void convKernelIsNotFlipped() {
        // cross-correlation, as torch: kernel [[1, 0], [0, 0]] picks the window's top-left
        Tensor y = eval(conv(1, 1, 1, 0, 0, 0, 0), t(s(1, 1, 3, 3), range(1, 9)), t(s(1, 1, 2, 2), 1, 0, 0, 0));
        close(new double[]{1, 2, 4, 5}, y);
    }

    @Test void convStrideAndPadding() {
        // 3x3 of 1..9, 3x3 ones, pad 1, stride 2: windows centred on the corners
        Tensor y = eval(conv(2, 1, 1, 1, 1, 1, 1), t(s(1, 1, 3, 3), range(1, 9)), t(s(1, 1, 3, 3), ones(9)));
        close(new double[]{12, 16, 24, 28}, y);
    }

    @Test void convDilation() {
        // 5x5 of 0..24, 2x2 kernel [[1,0],[0,1]] dilated by 2: y[i,j] = x[i,j] + x[i+2,j+2]
        Tensor y = eval(conv(1, 2, 1, 0, 0, 0, 0), t(s(1, 1, 5, 5), range(0, 25)), t(s(1, 1, 2, 2), 1, 0, 0, 1));
        assertArrayEquals(s(1, 1, 3, 3), y.shape());
        double[] want = new double[9];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) want[i * 3 + j] = (i * 5 + j) + ((i + 2) * 5 + j + 2);
        close(want, y);
    }

    @Test void convGroupsAndChannels() {
        Tensor x = t(s(1, 2, 1, 1), 3, 5);
        // groups = 2 (depthwise): each filter sees its own channel
        close(new double[]{6, 50}, eval(conv(1, 1, 2, 0, 0, 0, 0), x, t(s(2, 1, 1, 1), 2, 10)));
        // groups = 1: each filter sums over both channels
        close(new double[]{13, 29}, eval(conv(1, 1, 1, 0, 0, 0, 0), x, t(s(2, 2, 1, 1), 1, 2, 3, 4)));
        // groups = 2 with 2 channels per group and 2 filters per group, batch of 2
        Tensor x4 = t(s(2, 4, 1, 1), 1, 2, 3, 4, -1, -2, -3, -4);
        Tensor w = t(s(4, 2, 1, 1), 1, 0, 0, 1, 1, 1, 1, -1);
        close(new double[]{1, 2, 7, -1, -1, -2, -7, 1}, eval(conv(1, 1, 2, 0, 0, 0, 0), x4, w));
    }

    @Test void convAsymmetricPadding() {
        // top 1, left 0, bottom 0, right 2 around [[1,2],[3,4]] with a 1x1 identity kernel
        Tensor y = eval(conv(1, 1, 1, 1, 0, 0, 2), t(s(1, 1, 2, 2), 1, 2, 3, 4), t(s(1, 1, 1, 1), 1));
        assertArrayEquals(s(1, 1, 3, 4), y.shape());
        close(new double[]{0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0}, y);
    }

    @Test void maxPool() {
        close(new double[]{5, 7, 13, 15}, eval(new Op.MaxPool2d(2, 2, 0, 0, 0, 0), t(s(1, 1, 4, 4), range(0, 16))));
        // odd size, stride 1: 3x3 -> 2x2
        close(new double[]{5, 6, 8, 9}, eval(new Op.MaxPool2d(2, 1, 0, 0, 0, 0), t(s(1, 1, 3, 3), range(1, 9))));
    }

    @Test void maxPoolPaddingNeverWins() {
        // all-negative input: zero padding would win, -inf padding does not
        double[] neg = IntStream.rangeClosed(1, 9).mapToDouble(i -> -i).toArray();
        close(new double[]{-1, -2, -4, -5}, eval(new Op.MaxPool2d(2, 2, 1, 1, 1, 1), t(s(1, 1, 3, 3), neg)));
    }

    @Test void avgPoolWithPadding() {
        Tensor x = t(s(1, 1, 3, 3), range(1, 9));
        close(new double[]{0.25, 1.25, 2.75, 7}, eval(new Op.AvgPool2d(2, 2, 1, 1, 1, 1, true), x));
        close(new double[]{1, 2.5, 5.5, 7}, eval(new Op.AvgPool2d(2, 2, 1, 1, 1, 1, false), x));
        close(new double[]{3, 4, 6, 7}, eval(new Op.AvgPool2d(2, 1, 0, 0, 0, 0, true), x));
    }

    @Test void upsampleNearest() {
        Tensor y = eval(new Op.Upsample(2, UpsampleMode.NEAREST), t(s(1, 1, 2, 2), 1, 2, 3, 4));
        close(new double[]{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, y);
        Tensor y3 = eval(new Op.Upsample(3, UpsampleMode.NEAREST), t(s(1, 1, 1, 2), 1, 2));
        close(new double[]{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2}, y3);
    }

    @Test void upsampleBilinearAlignCornersFalse() {
        // source coordinate (o + 0.5)/2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped
        // to the last row); [[1,2],[3,4]] is f(i,j) = 1 + 2i + j, linear, so each output is
        // f at the clamped coordinates {0, .25, .75, 1}
        Tensor y = eval(new Op.Upsample(2, UpsampleMode.BILINEAR), t(s(1, 1, 2, 2), 1, 2, 3, 4));
        close(new double[]{1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4}, y);
        // a non-linear 2x2 input per channel, two channels: out (1,1) mixes all four corners
        Tensor z = eval(new Op.Upsample(2, UpsampleMode.BILINEAR), t(s(1, 2, 2, 2), 0, 0, 0, 16, 1, 1, 1, 1));
        assertEquals(16 * 0.25 * 0.25, z.data()[1 * 4 + 1], 1e-15);
        assertEquals(16 * 0.75 * 0.75, z.data()[2 * 4 + 2], 1e-15);
        assertEquals(1, z.data()[16 + 5], 1e-15);
    }
}
