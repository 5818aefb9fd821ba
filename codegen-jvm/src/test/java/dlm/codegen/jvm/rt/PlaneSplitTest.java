package dlm.codegen.jvm.rt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.codegen.jvm.kernels.ConvGeometry;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Pooling split over two kernel threads by planes gives the floats of one thread. */
class PlaneSplitTest {
    @ParameterizedTest(name = "planes={0} {1}x{2} k={3} stride={4} pad={5}")
    @CsvSource({
        "769, 28, 28, 2, 2, 0",  // lenet5's first pooling at batch 128, plus one plane (odd split)
        "45, 33, 31, 3, 2, 1",   // overlapping windows with padding, odd sizes
    })
    void splitEqualsOneThread(int planes, int h, int w, int k, int stride, int pad) {
        int oh = ConvGeometry.outSize(h, k, stride, 1, pad, pad), ow = ConvGeometry.outSize(w, k, stride, 1, pad, pad);
        int x = 0, dy = planes * h * w, y = dy + planes * oh * ow, dx = y + planes * oh * ow, size = dx + planes * h * w;
        float[] t = new float[size];
        SplittableRandom r = new SplittableRandom(planes);
        for (int i = 0; i < y; i++) t[i] = (float) r.nextGaussian();
        t[x + 5] = Float.NaN; // NaN wins its window on both paths
        float[] one = t.clone(), two = t.clone();
        try (RunContext ctx = new RunContext(2)) {
            assertTrue(PlaneSplit.worth(ctx, planes, h, w), "these sizes take the split");
            for (boolean max : new boolean[]{true, false}) {
                poolBoth(one, null, max, x, dy, y, dx, planes, h, w, oh, ow, k, stride, pad);
                poolBoth(two, ctx, max, x, dy, y, dx, planes, h, w, oh, ow, k, stride, pad);
                assertArrayEquals(one, two, (max ? "max" : "avg") + " pooling and its gradient");
            }
        }
    }

    private static void poolBoth(float[] t, RunContext ctx, boolean max, int x, int dy, int y, int dx,
                                 int planes, int h, int w, int oh, int ow, int k, int stride, int pad) {
        if (max) {
            PoolOps.maxPool(t, x, y, planes, h, w, oh, ow, k, stride, pad, pad, ctx);
            PoolOps.maxPoolGrad(t, dy, x, dx, planes, h, w, oh, ow, k, stride, pad, pad, ctx);
        } else {
            PoolOps.avgPool(t, x, y, planes, h, w, oh, ow, k, stride, pad, pad, pad, pad, true, ctx);
            PoolOps.avgPoolGrad(t, dy, dx, planes, h, w, oh, ow, k, stride, pad, pad, pad, pad, true, ctx);
        }
    }
}
