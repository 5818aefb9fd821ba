package dlm.passes;

import dlm.ir.Op;
import dlm.ir.Op.LossFn;
import dlm.ir.Op.UnaryFn;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Gradients through lowered layer ops (lower TRAIN, then autodiff) against finite differences. */
class LayerGradientTest {
    private final List<DynamicTest> cases = new ArrayList<>();
    private long seed = 100;

    private void add(String name, Consumer<GradCheck> body) {
        long s = seed++;
        cases.add(DynamicTest.dynamicTest(name, () -> body.accept(new GradCheck(s))));
    }

    private static Value lstm(GradCheck c, Value x, int units, boolean seq) {
        int f = x.shape().dim(-1);
        return c.op(new Op.Lstm(units, seq), x, c.param("lstm.weight_ih_l0", -0.5, 0.5, 4 * units, f),
                c.param("lstm.weight_hh_l0", -0.5, 0.5, 4 * units, units),
                c.param("lstm.bias_ih_l0", -0.5, 0.5, 4 * units), c.param("lstm.bias_hh_l0", -0.5, 0.5, 4 * units));
    }

    private static Value batchNorm(GradCheck c, Value x) {
        int ch = x.shape().dim(1);
        return c.op(new Op.BatchNorm(1e-5, 0.1), x, c.param("bn.weight", 0.5, 1.5, ch), c.param("bn.bias", -0.5, 0.5, ch),
                c.buffer("bn.running_mean", -0.3, 0.3, ch), c.buffer("bn.running_var", 0.5, 1.5, ch));
    }

    @TestFactory Stream<DynamicTest> layers() {
        add("lstm, last state", c -> c.check(lstm(c, c.param("x", -1, 1, 2, 3, 4), 5, false)));
        add("lstm, return sequences", c -> c.check(lstm(c, c.param("x", -1, 1, 2, 3, 4), 3, true)));
        add("lstm on a batched input", c -> c.check(lstm(c, c.input("x", -1, 1, 4, 3), 2, true)));
        add("batchnorm on images (training statistics)", c -> c.check(batchNorm(c, c.param("x", -1, 1, 3, 2, 4, 3))));
        add("batchnorm on features (training statistics)", c -> c.check(batchNorm(c, c.param("x", -1, 1, 5, 3))));
        add("batchnorm frozen: running statistics", c -> {
            c.train(GradCheck.freezing("bn"));
            c.check(batchNorm(c, c.param("x", -1, 1, 3, 2, 4, 3)));
        });
        add("layernorm", c -> c.check(c.op(new Op.LayerNorm(1e-5), c.param("x", -1, 1, 3, 4, 5),
                c.param("ln.weight", 0.5, 1.5, 5), c.param("ln.bias", -0.5, 0.5, 5))));
        // the interpreter draws the same masks on every run with one seed
        add("dropout", c -> c.check(c.op(new Op.Dropout(0.4), c.param("x", -1, 1, 4, 7))));
        return cases.stream();
    }

    @TestFactory Stream<DynamicTest> losses() {
        add("binary_cross_entropy", c -> c.check(c.op(new Op.Loss(LossFn.BINARY_CROSS_ENTROPY),
                c.e.unary(UnaryFn.SIGMOID, c.param("z", -3, 3, 4, 3)), c.buffer("y", 0, 1, 4, 3))));
        add("binary_cross_entropy_with_logits", c -> c.check(c.op(new Op.Loss(LossFn.BINARY_CROSS_ENTROPY_WITH_LOGITS),
                c.param("z", -3, 3, 4, 3), c.buffer("y", 0, 1, 4, 3))));
        add("cross_entropy with class ids", c -> c.check(c.op(new Op.Loss(LossFn.CROSS_ENTROPY),
                c.param("z", -3, 3, 5, 7), c.ids("y", 7, 5))));
        add("cross_entropy with probabilities", c -> {
            Value y = c.op(new Op.Softmax(-1), c.buffer("logits", -2, 2, 5, 7));
            c.check(c.op(new Op.Loss(LossFn.CROSS_ENTROPY), c.param("z", -3, 3, 5, 7), y));
        });
        add("mse", c -> c.check(c.op(new Op.Loss(LossFn.MSE), c.param("p", -2, 2, 3, 5), c.buffer("y", -2, 2, 3, 5))));
        add("mse on a batched prediction", c -> c.check(c.op(new Op.Loss(LossFn.MSE),
                c.e.mul(c.input("x", -1, 1, 5), c.param("w", -1, 1, 5)), c.input("y", -1, 1, 5))));
        return cases.stream();
    }
}
