package dlm.ir.interp;

import static dlm.ir.interp.OpCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Op;
import dlm.ir.Shape;
import dlm.ir.ShapeException;
import dlm.ir.Type;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The channels-last ops: NHWC activations, OIHW weights. */
class ChannelsLastTest {
    @Test void convReadsChannelsLastAndWritesChannelsLast() {
        // x [1, 2, 2, 2] NHWC: pixel (i, j) holds channels (a, b); a 1x1 kernel [[1, 10], [100, 1000]] (OIHW [2, 2, 1, 1])
        Tensor x = t(s(1, 2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8);
        Tensor w = t(s(2, 2, 1, 1), 1, 10, 100, 1000);
        Tensor y = eval(new Op.Conv2dNhwc(1, 1, 1, 0, 0, 0, 0), x, w);
        assertArrayEquals(s(1, 2, 2, 2), y.shape());
        // per pixel: (a + 10 b, 100 a + 1000 b)
        close(new double[]{21, 2100, 43, 4300, 65, 6500, 87, 8700}, y);
    }

    @Test void convWithPaddingSumsWindowsPerFilter() {
        // x 3x3 with one channel of 1..9, a 3x3 kernel of ones and pad 1, stride 2: corner windows
        double[] v = new double[9];
        for (int i = 0; i < 9; i++) v[i] = i + 1;
        double[] ones = new double[18];
        java.util.Arrays.fill(ones, 1);
        for (int i = 9; i < 18; i++) ones[i] = 2;      // second filter: twice the first
        Tensor y = eval(new Op.Conv2dNhwc(2, 1, 1, 1, 1, 1, 1), t(s(1, 3, 3, 1), v), t(s(2, 1, 3, 3), ones));
        assertArrayEquals(s(1, 2, 2, 2), y.shape());
        close(new double[]{12, 24, 16, 32, 24, 48, 28, 56}, y);
    }

    @Test void gradWeightIsOihw() {
        // one pixel, 2 channels (3, 5), 2 filters with dy (1, 2): dw[f, c] = dy[f] x[c]
        Tensor dw = eval(new Op.Conv2dNhwcGradWeight(1, 1, 1, 0, 0, 0, 0, 1, 1), t(s(1, 1, 1, 2), 1, 2), t(s(1, 1, 1, 2), 3, 5));
        assertArrayEquals(s(2, 2, 1, 1), dw.shape());
        close(new double[]{3, 5, 6, 10}, dw);
    }

    @Test void poolsEachChannelOnItsOwn() {
        // 2x2 image, channels (v, -v): max picks 4 for the first, -1 for the second; avg is 2.5, -2.5
        Tensor x = t(s(1, 2, 2, 2), 1, -1, 2, -2, 3, -3, 4, -4);
        close(new double[]{4, -1}, eval(new Op.MaxPool2dNhwc(2, 2, 0, 0, 0, 0), x));
        close(new double[]{2.5, -2.5}, eval(new Op.AvgPool2dNhwc(2, 2, 0, 0, 0, 0, true), x));
        close(new double[]{0, -1, 0, 0, 0, 0, 1, 0}, eval(new Op.MaxPool2dNhwcGrad(2, 2, 0, 0, 0, 0), t(s(1, 1, 1, 2), 1, -1), x));
        close(new double[]{1, 2, 1, 2, 1, 2, 1, 2}, eval(new Op.AvgPool2dNhwcGrad(2, 2, 0, 0, 0, 0, true, 2, 2), t(s(1, 1, 1, 2), 4, 8)));
    }

    @Test void agreesWithTheNchwOpOnRandomOddShapes() {
        SplittableRandom r = new SplittableRandom(7);
        Tensor x = random(r, 2, 3, 7, 5), w = random(r, 4, 3, 3, 2);
        Op.Conv2d nchw = new Op.Conv2d(2, 1, 1, 1, 0, 1, 1);
        Tensor want = eval(nchw, x, w);
        Tensor got = eval(new Op.Conv2dNhwc(2, 1, 1, 1, 0, 1, 1), Movement.transpose(x, Op.ChannelsLast.TO_NHWC), w);
        close(Movement.transpose(want, Op.ChannelsLast.TO_NHWC).data(), got.data(), 1e-12);
    }

    @Test void shapeRuleNamesTheOp() {
        Type x = Type.f32(Shape.batched(List.of(7, 5, 3)));
        assertArrayEquals(new int[]{-1, 4, 3, 6}, new Op.Conv2dNhwc(2, 1, 1, 1, 1, 1, 1).infer(List.of(x, Type.f32(6, 3, 3, 3))).shape().toArray());
        assertArrayEquals(new int[]{6, 3, 3, 3}, new Op.Conv2dNhwcGradWeight(2, 1, 1, 1, 1, 1, 1, 3, 3)
                .infer(List.of(Type.f32(Shape.batched(List.of(4, 3, 6))), x)).shape().toArray());
        ShapeException e = assertThrows(ShapeException.class,
                () -> new Op.Conv2dNhwc(1, 1, 1, 0, 0, 0, 0).infer(List.of(x, Type.f32(6, 4, 3, 3))));
        assertTrue(e.getMessage().contains("input channels"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> new Op.MaxPool2dNhwc(2, 2, 0, 0, 0, 0).infer(List.of(Type.f32(3, 4))));
        assertTrue(e.getMessage().contains("max_pool2d_nhwc"), e.getMessage());
    }
}
