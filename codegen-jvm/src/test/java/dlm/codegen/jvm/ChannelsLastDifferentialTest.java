package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Op;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Value;
import dlm.runtime.DlmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The channels-last (NHWC) ops, forward and gradients, on odd shapes: the JVM backend against the interpreter. */
class ChannelsLastDifferentialTest {
    private final List<DynamicTest> cases = new ArrayList<>();
    private long seed = 100;

    private void add(String name, Consumer<Differential> body) {
        long s = seed++;
        cases.add(DynamicTest.dynamicTest(name, () -> body.accept(new Differential(s, 3))));
    }

    @TestFactory Stream<DynamicTest> convolution() {
        // stride, dilation, pads (top, left, bottom, right), input [H, W, C], filters, kernel kh, kw
        int[][] convs = {
            {1, 1, 0, 0, 0, 0, 7, 9, 3, 5, 3, 3},
            {2, 1, 1, 1, 1, 1, 9, 8, 3, 4, 3, 3},
            {1, 2, 2, 1, 0, 2, 9, 9, 2, 3, 3, 2},
            {1, 1, 0, 0, 0, 0, 6, 7, 5, 4, 1, 1},    // pointwise: x is the column matrix
            {2, 1, 0, 0, 0, 0, 7, 7, 4, 3, 1, 1},    // strided 1x1: im2col
            {1, 1, 3, 3, 3, 3, 5, 5, 13, 17, 7, 7},  // wide kernel, more channels than one vector
        };
        for (int[] c : convs) {
            Op.Conv2dNhwc op = new Op.Conv2dNhwc(c[0], c[1], 1, c[2], c[3], c[4], c[5]);
            String name = Arrays.toString(c);
            add("conv2d_nhwc and grads " + name, d -> {
                Value x = d.input(-1, 1, c[6], c[7], c[8]);
                Value w = d.param(-1, 1, c[9], c[8], c[10], c[11]);
                Value y = d.op(op, x, w);
                Value dy = d.op(new Op.Unary(UnaryFn.TANH, 0), y);
                d.check(y, d.op(new Op.Conv2dNhwcGradInput(c[0], c[1], 1, c[2], c[3], c[4], c[5], c[6], c[7]), dy, w),
                        d.op(new Op.Conv2dNhwcGradWeight(c[0], c[1], 1, c[2], c[3], c[4], c[5], c[10], c[11]), dy, x));
            });
        }
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> pooling() {
        int[][] pools = {{2, 2, 0, 0, 0, 0}, {3, 2, 1, 1, 1, 1}, {3, 1, 1, 0, 0, 1}, {2, 3, 1, 0, 0, 1}};
        for (int[] p : pools) {
            String name = Arrays.toString(p);
            add("max_pool2d_nhwc and grad " + name, d -> {
                Value x = d.input(-1, 1, 7, 9, 5);
                Value y = d.op(new Op.MaxPool2dNhwc(p[0], p[1], p[2], p[3], p[4], p[5]), x);
                d.check(y, d.op(new Op.MaxPool2dNhwcGrad(p[0], p[1], p[2], p[3], p[4], p[5]), d.op(new Op.Unary(UnaryFn.TANH, 0), y), x));
            });
            for (boolean cip : new boolean[]{true, false})
                add("avg_pool2d_nhwc and grad " + name + " countIncludePad=" + cip, d -> {
                    Value x = d.input(-1, 1, 7, 9, 5);
                    Value y = d.op(new Op.AvgPool2dNhwc(p[0], p[1], p[2], p[3], p[4], p[5], cip), x);
                    d.check(y, d.op(new Op.AvgPool2dNhwcGrad(p[0], p[1], p[2], p[3], p[4], p[5], cip, 7, 9), d.op(new Op.Unary(UnaryFn.TANH, 0), y)));
                });
        }
        return cases.stream();
    }

    @Test void groupedConvolutionIsRefusedByName() {
        Differential d = new Differential(1, 2);
        Value y = d.op(new Op.Conv2dNhwc(1, 1, 2, 0, 0, 0, 0), d.input(-1, 1, 5, 5, 4), d.param(-1, 1, 6, 2, 3, 3));
        DlmException e = assertThrows(DlmException.class, () -> d.check(y));
        assertTrue(e.getMessage().contains("conv2d_nhwc") && e.getMessage().contains("groups"), e.getMessage());
    }
}
