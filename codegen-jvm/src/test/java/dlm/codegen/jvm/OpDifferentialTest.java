package dlm.codegen.jvm;

import dlm.ir.Op;
import dlm.ir.Op.BinaryFn;
import dlm.ir.Op.ReduceFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Op.UpsampleMode;
import dlm.ir.Shape;
import dlm.ir.Type;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every primitive op, forward and gradient, on odd shapes: the JVM backend against the interpreter. */
class OpDifferentialTest {
    private final List<DynamicTest> cases = new ArrayList<>();
    private long seed = 1;

    private void add(String name, Consumer<Differential> body) {
        long s = seed++;
        cases.add(DynamicTest.dynamicTest(name, () -> body.accept(new Differential(s, 3))));
    }

    private static double lo(UnaryFn fn) {
        return switch (fn) {
            case LOG, SQRT, RSQRT -> 0.5;
            case LOG1P -> -0.5;
            default -> -3;
        };
    }

    @TestFactory Stream<DynamicTest> elementwise() {
        for (UnaryFn fn : UnaryFn.values()) {
            double alpha = fn == UnaryFn.LEAKY_RELU ? 0.1 : 0;
            add("unary " + fn, d -> d.check(d.op(new Op.Unary(fn, alpha), d.input(lo(fn), 3, 5, 17))));
            add("unary_grad " + fn, d -> d.check(d.op(new Op.UnaryGrad(fn, alpha), d.input(-2, 2, 17, 3), d.input(lo(fn), 3, 17, 3))));
        }
        int[][][] shapes = {
            {{3, 5}, {3, 5}}, {{3, 5}, {5}}, {{5}, {3, 5}}, {{3, 1}, {1, 5}}, {{}, {2, 3}}, {{4, 1, 3}, {2, 1}}, {{19, 33}, {33}},
        };
        for (BinaryFn fn : BinaryFn.values()) {
            for (int[][] s : shapes)
                add("binary " + fn + " " + Arrays.toString(s[0]) + " " + Arrays.toString(s[1]),
                        d -> d.check(d.op(new Op.Binary(fn), d.param(-2, 2, s[0]), d.param(0.5, 2, s[1]))));
            add("binary " + fn + " batched with a broadcast row and a constant", d -> {
                Value c = d.g.addLeaf(new Op.Fill(0.7), Type.f32());
                Value x = d.op(new Op.Binary(fn), d.input(-2, 2, 4, 7), d.param(0.5, 2, 7));
                d.check(x, d.op(new Op.Binary(fn), c, x), d.op(new Op.Binary(fn), x, c));
            });
        }
        add("binary_cross_entropy and grad, p at 0 and 1 included", d -> {
            Value p = d.op(new Op.Binary(BinaryFn.MIN), d.op(new Op.Unary(UnaryFn.RELU, 0), d.input(-0.3, 1.3, 4, 9)), d.g.addLeaf(new Op.Fill(1), Type.f32()));
            Value y = d.input(0, 1, 4, 9);
            Value l = d.op(new Op.BinaryCrossEntropy(), p, y);
            d.check(l, d.op(new Op.BinaryCrossEntropyGrad(), d.op(new Op.Unary(UnaryFn.TANH, 0), l), p, y));
        });
        add("fill of a batched shape", d -> d.check(d.op(new Op.Binary(BinaryFn.ADD), d.input(-1, 1, 3),
                d.g.addLeaf(new Op.Fill(2.5), Type.f32(Shape.batched(List.of(3)))))));
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> linear() {
        for (boolean ta : new boolean[]{false, true})
            for (boolean tb : new boolean[]{false, true}) {
                String t = (ta ? "T" : "N") + (tb ? "T" : "N");
                add("matmul " + t, d -> d.check(d.op(new Op.MatMul(ta, tb), d.param(-1, 1, ta ? 7 : 5, ta ? 5 : 7), d.param(-1, 1, tb ? 3 : 7, tb ? 7 : 3))));
                add("matmul batched " + t, d -> d.check(d.op(new Op.MatMul(ta, tb), d.param(-1, 1, 2, ta ? 7 : 5, ta ? 5 : 7), d.param(-1, 1, 2, tb ? 3 : 7, tb ? 7 : 3))));
                add("matmul shared " + t, d -> d.check(d.op(new Op.MatMul(ta, tb), d.input(-1, 1, 2, ta ? 37 : 5, ta ? 5 : 37), d.param(-1, 1, tb ? 19 : 37, tb ? 37 : 19))));
            }
        for (int rows = 1; rows <= 5; rows++) {
            int m = rows;
            add("matmul few rows " + m + " NT", d -> d.check(d.op(new Op.MatMul(false, true), d.param(-1, 1, m, 67), d.param(-1, 1, 19, 67))));
            add("matmul few rows " + m + " NN", d -> d.check(d.op(new Op.MatMul(false, false), d.param(-1, 1, m, 67), d.param(-1, 1, 67, 19))));
        }
        add("matmul dense layer, large", d -> d.check(d.op(new Op.MatMul(false, true), d.input(-1, 1, 70), d.param(-1, 1, 129, 70))));
        // stride, dilation, groups, pads (top, left, bottom, right), input [C, H, W], filters, kernel
        int[][] convs = {
            {1, 1, 1, 0, 0, 0, 0, 3, 7, 9, 5, 3, 3},
            {2, 1, 1, 1, 1, 1, 1, 3, 9, 8, 4, 3, 3},
            {1, 2, 1, 2, 1, 0, 2, 2, 9, 9, 3, 3, 2},
            {1, 1, 3, 1, 0, 1, 0, 6, 5, 7, 9, 3, 1},
            {1, 1, 1, 0, 0, 0, 0, 5, 6, 7, 4, 1, 1},
            {2, 1, 1, 0, 0, 0, 0, 4, 7, 7, 3, 1, 1},
        };
        for (int[] c : convs) {
            Op.Conv2d op = new Op.Conv2d(c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
            String name = Arrays.toString(c);
            add("conv2d " + name, d -> d.check(d.op(op, d.input(-1, 1, c[7], c[8], c[9]), d.param(-1, 1, c[10], c[7] / c[2], c[11], c[12]))));
            add("conv2d grads " + name, d -> {
                Value x = d.input(-1, 1, c[7], c[8], c[9]);
                Value w = d.param(-1, 1, c[10], c[7] / c[2], c[11], c[12]);
                Value y = d.op(op, x, w);
                Value dy = d.op(new Op.Unary(UnaryFn.TANH, 0), y);
                d.check(d.op(new Op.Conv2dGradInput(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[8], c[9]), dy, w),
                        d.op(new Op.Conv2dGradWeight(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[11], c[12]), dy, x));
            });
        }
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> pooling() {
        int[][] pools = {{2, 2, 0, 0, 0, 0}, {3, 2, 1, 1, 1, 1}, {3, 1, 1, 0, 0, 1}, {2, 3, 1, 0, 0, 1}};
        for (int[] p : pools) {
            String name = Arrays.toString(p);
            add("max_pool2d and grad " + name, d -> {
                Value x = d.input(-1, 1, 3, 7, 9);
                Value y = d.op(new Op.MaxPool2d(p[0], p[1], p[2], p[3], p[4], p[5]), x);
                d.check(y, d.op(new Op.MaxPool2dGrad(p[0], p[1], p[2], p[3], p[4], p[5]), d.op(new Op.Unary(UnaryFn.TANH, 0), y), x));
            });
            for (boolean cip : new boolean[]{true, false})
                add("avg_pool2d and grad " + name + " countIncludePad=" + cip, d -> {
                    Value x = d.input(-1, 1, 3, 7, 9);
                    Value y = d.op(new Op.AvgPool2d(p[0], p[1], p[2], p[3], p[4], p[5], cip), x);
                    d.check(y, d.op(new Op.AvgPool2dGrad(p[0], p[1], p[2], p[3], p[4], p[5], cip, 7, 9), d.op(new Op.Unary(UnaryFn.TANH, 0), y)));
                });
        }
        for (UpsampleMode mode : UpsampleMode.values())
            for (int scale : new int[]{2, 3})
                add("upsample and grad " + mode + " x" + scale, d -> {
                    Value x = d.input(-1, 1, 2, 5, 3);
                    Value y = d.op(new Op.Upsample(scale, mode), x);
                    d.check(y, d.op(new Op.UpsampleGrad(scale, mode), d.op(new Op.Unary(UnaryFn.TANH, 0), y)));
                });
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> reductions() {
        List<List<Integer>> axesList = List.of(List.of(1), List.of(0, 2), List.of(0, 2, 3), List.of(3), List.of(0, 1, 2, 3), List.of(-1));
        for (ReduceFn fn : ReduceFn.values())
            for (List<Integer> axes : axesList)
                for (boolean keep : new boolean[]{false, true})
                    add("reduce " + fn + " " + axes + " keep=" + keep, d -> {
                        Value x = d.input(-2, 2, 5, 3, 17);
                        Value y = d.op(new Op.Reduce(fn, axes, keep), x);
                        Value dy = d.op(new Op.Unary(UnaryFn.TANH, 0), y);
                        d.check(y, d.op(new Op.ReduceGrad(fn, axes, keep), dy, x, y));
                    });
        add("reduce max grad with ties", d -> {
            Value x = d.op(new Op.Unary(UnaryFn.RELU, 0), d.input(-2, 0.3, 4, 5));
            Value y = d.op(new Op.Reduce(ReduceFn.MAX, List.of(2), false), x);
            d.check(y, d.op(new Op.ReduceGrad(ReduceFn.MAX, List.of(2), false), d.op(new Op.Unary(UnaryFn.EXP, 0), y), x, y));
        });
        int[][][] sumTo = {{{4, 3, 5}, {3, 1}}, {{4, 3, 5}, {5}}, {{4, 3, 5}, {}}, {{4, 3, 5}, {4, 1, 5}}, {{4, 3, 5}, {4, 3, 5}}};
        for (int[][] s : sumTo)
            add("sum_to " + Arrays.toString(s[0]) + " -> " + Arrays.toString(s[1]),
                    d -> d.check(d.op(new Op.SumTo(Arrays.stream(s[1]).boxed().toList()), d.param(-1, 1, s[0]))));
        add("sum_to over the batch", d -> d.check(d.op(new Op.SumTo(List.of(7)), d.input(-1, 1, 7))));
        for (int axis : new int[]{-1, 1, 2}) {
            add("softmax and grad axis " + axis, d -> {
                Value x = d.input(-3, 3, 4, 5);
                Value y = d.op(new Op.Softmax(axis), x);
                d.check(y, d.op(new Op.SoftmaxGrad(axis), d.op(new Op.Unary(UnaryFn.TANH, 0), x), y));
            });
            add("log_softmax and grad axis " + axis, d -> {
                Value x = d.input(-3, 3, 4, 5);
                Value y = d.op(new Op.LogSoftmax(axis), x);
                d.check(y, d.op(new Op.LogSoftmaxGrad(axis), d.op(new Op.Unary(UnaryFn.TANH, 0), x), y));
            });
        }
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> movement() {
        add("reshape is a view", d -> {
            Value x = d.input(-1, 1, 3, 4);
            Value r = d.op(new Op.Reshape(List.of(-1, 12)), x);
            d.check(r, d.op(new Op.Unary(UnaryFn.EXP, 0), r));
        });
        for (List<Integer> perm : List.of(List.of(0, 2, 1), List.of(0, 3, 1, 2), List.of(0, 2, 3, 1)))
            add("transpose " + perm, d -> d.check(d.op(new Op.Transpose(perm), perm.size() == 3 ? d.input(-1, 1, 5, 7) : d.input(-1, 1, 3, 5, 7))));
        add("transpose of a param", d -> d.check(d.op(new Op.Transpose(List.of(1, 0)), d.param(-1, 1, 17, 5))));
        for (int axis : new int[]{1, 2, -1})
            add("concat axis " + axis, d -> d.check(d.g.add(new Op.Concat(axis), List.of(d.input(-1, 1, 3, 5), d.input(-1, 1, 3, 5), d.input(-1, 1, 3, 5)))));
        add("slice and slice_grad", d -> {
            Value s = d.op(new Op.Slice(2, 1, 4), d.input(-1, 1, 3, 5));
            d.check(s, d.op(new Op.SliceGrad(2, 1, 5), s), d.op(new Op.SliceGrad(1, 2, 6), d.op(new Op.Slice(1, 0, 2), d.input(-1, 1, 3, 5))));
        });
        add("embedding and grad", d -> {
            Value ids = d.ids(11, 4);
            Value e = d.op(new Op.Embedding(), d.param(-1, 1, 11, 6), ids);
            d.check(e, d.op(new Op.EmbeddingGrad(11), d.op(new Op.Unary(UnaryFn.TANH, 0), e), ids));
        });
        add("one_hot", d -> d.check(d.op(new Op.OneHot(7), d.ids(7))));
        add("dropout mask: the interpreter's stream", d -> d.check(d.op(new Op.DropoutMask(0.3), d.input(-1, 1, 5, 7)),
                d.op(new Op.DropoutMask(0.5), d.input(-1, 1, 9))));
        return cases.stream();
    }
}
