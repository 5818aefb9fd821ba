package dlm.codegen.jvm.rt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 2x2, stride-2 max pooling. The forward (rows in vector form when the Vector API is on, the
 * suite runs again without it) gives each window's Math.max, whatever the order it takes them
 * in. The gradient (vector or branch-free scalar winner, no fill of the covered floats) gives
 * the floats of the interpreter's rule written out plainly here: dy at the first maximum of
 * each window in window order, NaN counting as the maximum, 0 everywhere else, including the
 * rows and columns of an odd-sized plane that no window covers. The inputs are full of ties
 * (values from a small set, with -0 and +0 and -infinity) and hold NaNs; the dx range starts
 * dirty, as an arena's reused floats do.
 */
class MaxPool2x2Test {
    @ParameterizedTest(name = "planes={0} {1}x{2}")
    @CsvSource({"3, 7, 9", "4, 28, 28", "2, 10, 5", "1, 2, 2", "5, 3, 8", "2, 40, 36", "3, 33, 34", "2, 16, 67"})
    void twoByTwoMatchesTheFirstMaximumRule(int planes, int h, int w) {
        int oh = h / 2, ow = w / 2;
        int x = 3, dy = x + planes * h * w, dx = dy + planes * oh * ow + 1, size = dx + planes * h * w + 2;
        SplittableRandom r = new SplittableRandom(planes * 31L + h * 7L + w);
        float[] values = {-0f, 0f, 1f, -1f, 2f, Float.NEGATIVE_INFINITY, 0.5f};
        float[] t = new float[size];
        for (int i = 0; i < dx; i++) t[i] = values[r.nextInt(values.length)];
        for (int i = dy; i < dy + planes * oh * ow; i++) t[i] = (float) r.nextGaussian();
        for (int i = dx; i < size; i++) t[i] = 42f; // stale floats of the arena
        t[x + 1] = Float.NaN;
        if (planes * h * w > 20) { t[x + 20] = Float.NaN; t[x + 5] = Float.NaN; }
        for (int i = x; i < dy; i++) if (r.nextInt(200) == 0) t[i] = Float.NaN; // NaN in some groups of windows, not in others
        float[] want = t.clone();
        reference(want, dy, x, dx, planes, h, w, oh, ow);
        PoolOps.maxPoolGrad(t, dy, x, dx, planes, h, w, oh, ow, 2, 2, 0, 0);
        assertArrayEquals(want, t);
    }

    @ParameterizedTest(name = "planes={0} {1}x{2}")
    @CsvSource({"3, 7, 9", "4, 28, 28", "2, 10, 5", "1, 2, 2", "5, 3, 8", "2, 67, 67", "3, 33, 34"})
    void forwardIsTheMaximumOfEachWindow(int planes, int h, int w) {
        int oh = h / 2, ow = w / 2;
        int x = 1, y = x + planes * h * w + 3, size = y + planes * oh * ow + 2;
        SplittableRandom r = new SplittableRandom(planes * 17L + h * 5L + w);
        float[] values = {-0f, 0f, 1f, -1f, 2f, Float.NEGATIVE_INFINITY, 0.5f, Float.NaN};
        float[] t = new float[size];
        for (int i = 0; i < y; i++) t[i] = r.nextInt(4) == 0 ? values[r.nextInt(values.length)] : (float) r.nextGaussian();
        for (int i = y; i < size; i++) t[i] = 42f;
        float[] want = t.clone();
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int at = x + p * h * w + 2 * oy * w + 2 * ox;
                    want[y + p * oh * ow + oy * ow + ox] = Math.max(Math.max(t[at], t[at + 1]), Math.max(t[at + w], t[at + w + 1]));
                }
        PoolOps.maxPool(t, x, y, planes, h, w, oh, ow, 2, 2, 0, 0);
        assertArrayEquals(want, t);
    }

    private static void reference(float[] t, int dyOff, int xOff, int dxOff, int planes, int h, int w, int oh, int ow) {
        for (int i = 0; i < planes * h * w; i++) t[dxOff + i] = 0f;
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    int best = -1;
                    float bv = 0;
                    for (int i = 0; i < 2; i++)
                        for (int j = 0; j < 2; j++) {
                            int at = (2 * oy + i) * w + 2 * ox + j;
                            float v = t[xOff + p * h * w + at];
                            if (best < 0 || v > bv || (Float.isNaN(v) && !Float.isNaN(bv))) { best = at; bv = v; }
                        }
                    t[dxOff + p * h * w + best] = t[dyOff + p * oh * ow + oy * ow + ox];
                }
    }
}
