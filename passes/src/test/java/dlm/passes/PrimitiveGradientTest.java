package dlm.passes;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dlm.ir.Op;
import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.ReduceFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Op.UpsampleMode;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Gradient of every primitive op against finite differences, on odd shapes. */
class PrimitiveGradientTest {
    private final List<DynamicTest> cases = new ArrayList<>();
    private long seed = 1;

    private void add(String name, Consumer<GradCheck> body) {
        long s = seed++;
        cases.add(DynamicTest.dynamicTest(name, () -> body.accept(new GradCheck(s))));
    }

    @AfterAll static void report() { System.out.println("worst relative gradient error: " + GradCheck.worst); }

    @TestFactory Stream<DynamicTest> unary() {
        for (UnaryFn fn : UnaryFn.values()) {
            boolean positive = fn == UnaryFn.LOG || fn == UnaryFn.SQRT || fn == UnaryFn.RSQRT;
            double lo = positive ? 0.5 : fn == UnaryFn.LOG1P ? -0.5 : -2, hi = 2;
            double alpha = fn == UnaryFn.LEAKY_RELU ? 0.1 : 0;
            add(fn.name().toLowerCase(), c -> c.check(c.op(new Op.Unary(fn, alpha), c.param("x", lo, hi, 3, 5))));
        }
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> binary() {
        int[][][] shapes = {
            {{3, 5}, {3, 5}}, {{3, 5}, {5}}, {{5}, {3, 5}}, {{3, 1}, {1, 5}}, {{}, {2, 3}}, {{4, 1, 3}, {2, 1}},
        };
        for (BinaryFn fn : BinaryFn.values())
            for (int[][] s : shapes) {
                // divisors kept away from zero; max/min operands spread so ties are impossible
                double lo = fn == BinaryFn.DIV ? 0.5 : -2;
                add(fn.name().toLowerCase() + " " + java.util.Arrays.toString(s[0]) + " " + java.util.Arrays.toString(s[1]),
                        c -> c.check(c.op(new Op.Binary(fn), c.param("a", -2, 2, s[0]), c.param("b", lo, 2, s[1]))));
            }
        add("mul with a batched input: the gradient sums over the batch",
                c -> c.check(c.e.mul(c.input("x", -1, 1, 5), c.param("w", -1, 1, 5))));
        add("max with a constant (the clamp of binary cross-entropy)",
                c -> c.check(c.e.max(c.param("x", -2, 2, 3, 5), c.e.scalar(0.3))));
        add("a value used twice accumulates",
                c -> { Value x = c.param("x", -2, 2, 3, 5); c.check(c.e.mul(x, c.e.unary(UnaryFn.TANH, x))); });
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> matmul() {
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true}) {
                String t = "transA=" + ta + " transB=" + tb;
                add("rank 2 " + t, c -> c.check(c.op(new Op.MatMul(ta, tb),
                        c.param("a", -1, 1, ta ? 5 : 3, ta ? 3 : 5), c.param("b", -1, 1, tb ? 7 : 5, tb ? 5 : 7))));
                add("batched rank 3 " + t, c -> c.check(c.op(new Op.MatMul(ta, tb),
                        c.param("a", -1, 1, 2, ta ? 5 : 3, ta ? 3 : 5), c.param("b", -1, 1, 2, tb ? 7 : 5, tb ? 5 : 7))));
                add("rank 3 times shared rank 2 " + t, c -> c.check(c.op(new Op.MatMul(ta, tb),
                        c.param("a", -1, 1, 2, ta ? 5 : 3, ta ? 3 : 5), c.param("b", -1, 1, tb ? 7 : 5, tb ? 5 : 7))));
            }
        add("dense layer on a batched [N, T, F] input",
                c -> c.check(c.op(new Op.MatMul(false, true), c.input("x", -1, 1, 3, 5), c.param("w", -1, 1, 7, 5))));
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> convolution() {
        add("conv2d plain", c -> c.check(c.op(new Op.Conv2d(1, 1, 1, 0, 0, 0, 0),
                c.param("x", -1, 1, 2, 3, 7, 6), c.param("w", -1, 1, 5, 3, 3, 3))));
        add("conv2d stride 2, dilation 2, asymmetric padding", c -> c.check(c.op(new Op.Conv2d(2, 2, 1, 1, 2, 0, 1),
                c.param("x", -1, 1, 2, 3, 9, 7), c.param("w", -1, 1, 3, 3, 3, 2))));
        add("conv2d groups 3, padding 1", c -> c.check(c.op(new Op.Conv2d(1, 1, 3, 1, 1, 1, 1),
                c.param("x", -1, 1, 1, 6, 5, 5), c.param("w", -1, 1, 9, 2, 3, 3))));
        add("conv2d stride 3 groups 2 dilation 2", c -> c.check(c.op(new Op.Conv2d(3, 2, 2, 2, 1, 1, 2),
                c.param("x", -1, 1, 2, 4, 11, 9), c.param("w", -1, 1, 6, 2, 3, 3))));
        // conv_transpose2d: the output size 6 is one more than 5 (output_padding), 5 for width
        add("conv2d_grad_input (conv_transpose2d)", c -> c.check(c.op(new Op.Conv2dGradInput(2, 1, 1, 1, 1, 1, 1, 6, 5),
                c.param("dy", -1, 1, 2, 4, 3, 3), c.param("w", -1, 1, 4, 3, 3, 3))));
        add("conv2d_grad_input groups 2 dilation 2", c -> c.check(c.op(new Op.Conv2dGradInput(1, 2, 2, 1, 0, 1, 0, 7, 5),
                c.param("dy", -1, 1, 1, 4, 5, 1), c.param("w", -1, 1, 4, 3, 3, 3))));
        add("conv2d_grad_weight", c -> c.check(c.op(new Op.Conv2dGradWeight(2, 1, 1, 1, 1, 1, 1, 3, 3),
                c.param("dy", -1, 1, 2, 4, 3, 3), c.param("x", -1, 1, 2, 3, 6, 5))));
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> poolingAndUpsampling() {
        add("maxpool 3x3 stride 2 padding 1", c -> c.check(c.op(new Op.MaxPool2d(3, 2, 1, 1, 1, 1), c.param("x", -1, 1, 2, 3, 7, 7))));
        add("maxpool 2x2 stride 2, odd size", c -> c.check(c.op(new Op.MaxPool2d(2, 2, 0, 0, 0, 0), c.param("x", -1, 1, 1, 2, 5, 7))));
        add("maxpool 3 stride 1, asymmetric padding", c -> c.check(c.op(new Op.MaxPool2d(3, 1, 0, 1, 2, 0), c.param("x", -1, 1, 1, 2, 5, 6))));
        add("avgpool 3 stride 2 padding 1, counting padding", c -> c.check(c.op(new Op.AvgPool2d(3, 2, 1, 1, 1, 1, true), c.param("x", -1, 1, 2, 3, 7, 7))));
        add("avgpool 3 stride 2 padding 1, not counting padding", c -> c.check(c.op(new Op.AvgPool2d(3, 2, 1, 1, 1, 1, false), c.param("x", -1, 1, 2, 3, 7, 7))));
        add("avgpool 2 stride 2", c -> c.check(c.op(new Op.AvgPool2d(2, 2, 0, 0, 0, 0, true), c.param("x", -1, 1, 1, 3, 5, 6))));
        add("avgpool_grad", c -> c.check(c.op(new Op.AvgPool2dGrad(3, 2, 1, 1, 1, 1, false, 7, 7), c.param("dy", -1, 1, 2, 3, 4, 4))));
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> channelsLast() {
        // x [N, H, W, C], weights OIHW
        add("conv2d_nhwc stride 2, dilation 2, asymmetric padding", c -> c.check(c.op(new Op.Conv2dNhwc(2, 2, 1, 1, 2, 0, 1),
                c.param("x", -1, 1, 2, 9, 7, 3), c.param("w", -1, 1, 5, 3, 3, 2))));
        add("conv2d_nhwc groups 2", c -> c.check(c.op(new Op.Conv2dNhwc(1, 1, 2, 1, 1, 1, 1),
                c.param("x", -1, 1, 1, 5, 4, 4), c.param("w", -1, 1, 6, 2, 3, 3))));
        add("conv2d_nhwc_grad_input", c -> c.check(c.op(new Op.Conv2dNhwcGradInput(2, 1, 1, 1, 1, 1, 1, 6, 5),
                c.param("dy", -1, 1, 2, 3, 3, 4), c.param("w", -1, 1, 4, 3, 3, 3))));
        add("conv2d_nhwc_grad_weight", c -> c.check(c.op(new Op.Conv2dNhwcGradWeight(2, 1, 1, 1, 1, 1, 1, 3, 3),
                c.param("dy", -1, 1, 2, 3, 3, 4), c.param("x", -1, 1, 2, 6, 5, 3))));
        add("maxpool_nhwc 3x3 stride 2 padding 1", c -> c.check(c.op(new Op.MaxPool2dNhwc(3, 2, 1, 1, 1, 1), c.param("x", -1, 1, 2, 7, 5, 3))));
        add("avgpool_nhwc 3 stride 2, not counting padding", c -> c.check(c.op(new Op.AvgPool2dNhwc(3, 2, 1, 1, 1, 1, false), c.param("x", -1, 1, 2, 7, 5, 3))));
        add("avgpool_nhwc_grad", c -> c.check(c.op(new Op.AvgPool2dNhwcGrad(3, 2, 1, 1, 1, 1, true, 7, 7), c.param("dy", -1, 1, 2, 4, 4, 3))));
        for (UpsampleMode m : UpsampleMode.values())
            for (int scale : new int[] {2, 3}) {
                add("upsample " + m + " x" + scale, c -> c.check(c.op(new Op.Upsample(scale, m), c.param("x", -1, 1, 2, 3, 3, 5))));
                add("upsample_grad " + m + " x" + scale, c -> c.check(c.op(new Op.UpsampleGrad(scale, m), c.param("dy", -1, 1, 1, 2, 3 * scale, 5 * scale))));
            }
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> reductionsAndSoftmax() {
        List<List<Integer>> axesList = List.of(List.of(1), List.of(0, 2), List.of(-1), List.of(0, 1, 2));
        for (ReduceFn fn : List.of(ReduceFn.SUM, ReduceFn.MEAN, ReduceFn.MAX))
            for (List<Integer> axes : axesList)
                for (boolean keep : new boolean[] {false, true})
                    add(fn + " over " + axes + (keep ? " keepdims" : ""),
                            c -> c.check(c.op(new Op.Reduce(fn, axes, keep), c.param("x", -2, 2, 3, 4, 5))));
        add("sum_to [4, 1]", c -> c.check(c.op(new Op.SumTo(List.of(4, 1)), c.param("x", -1, 1, 3, 4, 5))));
        add("sum_to []", c -> c.check(c.op(new Op.SumTo(List.of()), c.param("x", -1, 1, 3, 5))));
        add("sum_to [3, 1, 5]", c -> c.check(c.op(new Op.SumTo(List.of(3, 1, 5)), c.param("x", -1, 1, 3, 4, 5))));
        for (int axis : new int[] {0, 1, 2, -1}) {
            add("softmax axis " + axis, c -> c.check(c.op(new Op.Softmax(axis), c.param("x", -2, 2, 3, 4, 5))));
            add("log_softmax axis " + axis, c -> c.check(c.op(new Op.LogSoftmax(axis), c.param("x", -2, 2, 3, 4, 5))));
        }
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> dataMovement() {
        add("reshape", c -> c.check(c.op(new Op.Reshape(List.of(12, 5)), c.param("x", -1, 1, 3, 4, 5))));
        add("reshape of a batched value", c -> c.check(c.op(new Op.Reshape(List.of(-1, 15)),
                c.e.mul(c.input("x", -1, 1, 3, 5), c.param("w", -1, 1, 5)))));
        add("transpose [2, 0, 1]", c -> c.check(c.op(new Op.Transpose(List.of(2, 0, 1)), c.param("x", -1, 1, 3, 4, 5))));
        add("transpose [0, 2, 1, 3]", c -> c.check(c.op(new Op.Transpose(List.of(0, 2, 1, 3)), c.param("x", -1, 1, 2, 3, 4, 5))));
        add("concat axis 1", c -> c.check(c.g.add(new Op.Concat(1),
                List.of(c.param("a", -1, 1, 2, 3, 4), c.param("b", -1, 1, 2, 1, 4), c.param("c", -1, 1, 2, 5, 4)))));
        add("concat axis -1, same value twice", c -> { Value a = c.param("a", -1, 1, 3, 2);
                c.check(c.g.add(new Op.Concat(-1), List.of(a, c.param("b", -1, 1, 3, 5), a))); });
        add("slice axis 2", c -> c.check(c.op(new Op.Slice(2, 1, 4), c.param("x", -1, 1, 3, 4, 5))));
        add("slice axis 0", c -> c.check(c.op(new Op.Slice(0, 2, 3), c.param("x", -1, 1, 3, 4, 5))));
        add("slice_grad", c -> c.check(c.op(new Op.SliceGrad(1, 2, 7), c.param("dy", -1, 1, 3, 4, 5))));
        add("embedding (repeated ids accumulate)", c -> c.check(c.op(new Op.Embedding(), c.param("w", -1, 1, 7, 4), c.ids("ids", 7, 5, 3))));
        add("embedding_grad", c -> c.check(c.op(new Op.EmbeddingGrad(7), c.param("dy", -1, 1, 9, 4), c.ids("ids", 7, 9))));
        add("one_hot times a parameter: no gradient through the ids",
                c -> c.check(c.e.mul(c.op(new Op.OneHot(5), c.ids("ids", 5, 4)), c.param("w", -1, 1, 4, 5))));
        return cases.stream();
    }

    @Test void secondOrderThroughAGradientOpIsRefused() {
        GradCheck c = new GradCheck(99);
        Value x = c.param("x", -1, 1, 3, 5);
        Value dy = c.op(new Op.UnaryGrad(UnaryFn.RELU, 0), c.e.fill(1, x.shape()), x);
        c.g.output("loss", c.e.reduceAll(ReduceFn.SUM, dy));
        IllegalStateException err = assertThrows(IllegalStateException.class, () -> new Autodiff().run(c.g));
        assertTrue(err.getMessage().contains("unary_grad"), err.getMessage());
    }
}
