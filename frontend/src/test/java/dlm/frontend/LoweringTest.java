package dlm.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.TrainSpec;

/** What the frontend emits: names, layouts, shapes and ops, checked on small programs. */
class LoweringTest {

    static Graph compile(String text) throws CompileException {
        return Frontend.compile("t.dlm", text).model();
    }

    /** Parameter name to its sample-free dims, in graph order. */
    static Map<String, List<Integer>> params(Graph g) {
        return g.params().stream().collect(Collectors.toMap(n -> ((Op.Param) n.op()).name(), n -> n.out().shape().dims(),
                (a, b) -> a, java.util.LinkedHashMap::new));
    }

    static <T extends Op> List<T> ops(Graph g, Class<T> kind) {
        return g.nodes().stream().map(Node::op).filter(kind::isInstance).map(kind::cast).toList();
    }

    static Op.Param param(Graph g, String name) { return (Op.Param) g.param(name).orElseThrow().op(); }

    @Test void unnamedLayersAreCountedPerKindAndDefNamesPrefix() throws Exception {
        Graph g = compile("""
                def block(x, c) {
                  return x -> dense(c) -> dense(c, name=inner)
                }
                model m {
                  input x: [4]
                  h = x -> dense(8) -> dense(8) -> batchnorm
                  h = h -> block(3, name=blk)
                  output y = h -> block(2, name=blk2) -> dense(1)
                }
                """);
        assertEquals(List.of("dense_1.weight", "dense_1.bias", "dense_2.weight", "dense_2.bias",
                "batchnorm_1.weight", "batchnorm_1.bias", "batchnorm_1.running_mean", "batchnorm_1.running_var",
                "blk.dense_1.weight", "blk.dense_1.bias", "blk.inner.weight", "blk.inner.bias",
                "blk2.dense_1.weight", "blk2.dense_1.bias", "blk2.inner.weight", "blk2.inner.bias",
                "dense_3.weight", "dense_3.bias"), List.copyOf(params(g).keySet()));
        // nested def calls chain their prefixes, like layer1.0.conv1
        Graph nested = compile("""
                def unit(x) { return x -> dense(2, name=fc) }
                def stage(x) {
                  h = x
                  for i in 0..2 { h = h -> unit(name=i) }
                  return h
                }
                model m {
                  input x: [2]
                  output y = x -> stage(name=layer1)
                }
                """);
        assertEquals(List.of("layer1.0.fc.weight", "layer1.0.fc.bias", "layer1.1.fc.weight", "layer1.1.fc.bias"),
                List.copyOf(params(nested).keySet()));
    }

    @Test void denseIsLinearWithTransposedWeight() throws Exception {
        Graph g = compile("model m {\n input x: [30]\n output p = x -> dense(16, activation=relu, name=fc)\n}");
        assertEquals(List.of(16, 30), params(g).get("fc.weight"));
        assertEquals(List.of(16), params(g).get("fc.bias"));
        assertEquals(new Op.Param("fc.weight", Op.ParamKind.WEIGHT, Op.Init.UNIFORM_FAN_IN, 30), param(g, "fc.weight"));
        assertEquals(List.of(new Op.MatMul(false, true)), ops(g, Op.MatMul.class));
        assertEquals(List.of(new Op.Unary(Op.UnaryFn.RELU, 0)), ops(g, Op.Unary.class));
        assertEquals(List.of(-1, 16), g.outputs().get("p").shape().dims());
        assertEquals(List.of(-1, 30), g.inputs().getFirst().out().shape().dims());
    }

    @Test void denseOnImagesActsOnTheLastAxis() throws Exception {
        Graph g = compile("model m {\n input x: [3, 8, 5]\n output p = x -> dense(7)\n}");
        assertEquals(List.of(-1, 3, 8, 7), g.outputs().get("p").shape().dims());
        assertEquals(List.of(7, 5), params(g).get("dense_1.weight"));
    }

    @Test void conv2dLayoutBiasAndSamePadding() throws Exception {
        Graph g = compile("model m {\n input x: [4, 9, 9]\n output p = x -> conv2d(6, 4, groups=2, name=c)\n"
                + " output q = x -> conv2d(5, 3, stride=2, pad=same, bias=false)\n output r = x -> conv2d(2, 3, dilation=2, pad=same)\n}");
        assertEquals(List.of(6, 2, 4, 4), params(g).get("c.weight"));
        assertEquals(2 * 4 * 4, param(g, "c.weight").fanIn());
        assertEquals(List.of(6), params(g).get("c.bias"));
        List<Op.Conv2d> convs = ops(g, Op.Conv2d.class);
        // valid: 9 - 4 + 1 = 6
        assertEquals(new Op.Conv2d(1, 1, 2, 0, 0, 0, 0), convs.get(0));
        assertEquals(List.of(-1, 6, 6, 6), g.outputs().get("p").shape().dims());
        // same, stride 2: out ceil(9/2) = 5, total (5-1)*2 + 3 - 9 = 2, one each side
        assertEquals(new Op.Conv2d(2, 1, 1, 1, 1, 1, 1), convs.get(1));
        assertEquals(List.of(-1, 5, 5, 5), g.outputs().get("q").shape().dims());
        // same, dilation 2: total 2 * (3 - 1) = 4
        assertEquals(new Op.Conv2d(1, 2, 1, 2, 2, 2, 2), convs.get(2));
        assertEquals(List.of(-1, 2, 9, 9), g.outputs().get("r").shape().dims());
        // the bias goes through [F, 1, 1] to line up with channels
        assertEquals(List.of(new Op.Reshape(List.of(6, 1, 1)), new Op.Reshape(List.of(2, 1, 1))), ops(g, Op.Reshape.class));
    }

    @Test void samePaddingWithEvenKernelPutsTheExtraBottomRight() throws Exception {
        Graph g = compile("model m {\n input x: [1, 6, 6]\n output p = x -> conv2d(1, 4, pad=same)\n}");
        assertEquals(new Op.Conv2d(1, 1, 1, 1, 1, 2, 2), ops(g, Op.Conv2d.class).getFirst());
    }

    @Test void convTransposeIsConvGradInput() throws Exception {
        Graph g = compile("model m {\n input x: [8, 5, 5]\n output p = x -> conv_transpose2d(3, 4, stride=2, pad=1, name=up)\n}");
        assertEquals(List.of(8, 3, 4, 4), params(g).get("up.weight"));
        assertEquals(3 * 4 * 4, param(g, "up.weight").fanIn());
        // (5 - 1) * 2 - 2 + 4 = 10
        assertEquals(new Op.Conv2dGradInput(2, 1, 1, 1, 1, 1, 1, 10, 10), ops(g, Op.Conv2dGradInput.class).getFirst());
        assertEquals(List.of(-1, 3, 10, 10), g.outputs().get("p").shape().dims());
    }

    @Test void normsEmbeddingAndLstmUsePyTorchNames() throws Exception {
        Graph g = compile("""
                model m {
                  input ids: i32[12]
                  e = ids -> embedding(100, 16, name=emb) -> layernorm(name=ln)
                  output h = e -> lstm(32, name=rnn)
                  output s = e -> lstm(8, return_sequences=true)
                }
                """);
        Map<String, List<Integer>> p = params(g);
        assertEquals(List.of(100, 16), p.get("emb.weight"));
        assertEquals(Op.Init.NORMAL, param(g, "emb.weight").init());
        assertEquals(List.of(16), p.get("ln.weight"));
        assertEquals(List.of(128, 16), p.get("rnn.weight_ih_l0"));
        assertEquals(List.of(128, 32), p.get("rnn.weight_hh_l0"));
        assertEquals(List.of(128), p.get("rnn.bias_ih_l0"));
        assertEquals(List.of(128), p.get("rnn.bias_hh_l0"));
        assertEquals(32, param(g, "rnn.weight_ih_l0").fanIn());
        assertEquals(DType.I32, g.inputs().getFirst().out().dtype());
        assertEquals(List.of(-1, 32), g.outputs().get("h").shape().dims());
        assertEquals(List.of(-1, 12, 8), g.outputs().get("s").shape().dims());
        // PyTorch: 4H(F + H + 2) per LSTM, 100*16 embedding, 2*16 layernorm
        assertEquals(100 * 16 + 2 * 16 + 4 * 32 * (16 + 32 + 2) + 4 * 8 * (16 + 8 + 2), g.weightCount());
    }

    @Test void batchnormBuffersAreNotWeights() throws Exception {
        Graph g = compile("model m {\n input x: [3, 4, 4]\n output y = x -> batchnorm(eps=1e-3, momentum=0.01, name=bn)\n}");
        assertEquals(Op.ParamKind.BUFFER, param(g, "bn.running_mean").kind());
        assertEquals(Op.Init.ONES, param(g, "bn.running_var").init());
        assertEquals(Op.Init.ONES, param(g, "bn.weight").init());
        assertEquals(Op.Init.ZEROS, param(g, "bn.bias").init());
        assertEquals(6, g.weightCount());
        assertEquals(new Op.BatchNorm(1e-3, 0.01), ops(g, Op.BatchNorm.class).getFirst());
    }

    @Test void axesExcludeTheBatch() throws Exception {
        Graph g = compile("""
                model m {
                  input x: [3, 4, 5]
                  output a = softmax(x, axis=0)
                  output b = x -> log_softmax
                  output c = sum(x, axis=[0, -1])
                  output d = mean(x)
                  output e = concat(x, x, axis=-1)
                  output f = transpose(x, [2, 0, 1])
                  output g = reshape(x, [12, -1])
                  output h = x -> flatten
                  output i = max(x, axis=1)
                }
                """);
        assertEquals(new Op.Softmax(1), ops(g, Op.Softmax.class).getFirst());
        assertEquals(new Op.LogSoftmax(3), ops(g, Op.LogSoftmax.class).getFirst());
        List<Op.Reduce> r = ops(g, Op.Reduce.class);
        assertEquals(new Op.Reduce(Op.ReduceFn.SUM, List.of(1, 3), false), r.get(0));
        assertEquals(new Op.Reduce(Op.ReduceFn.MEAN, List.of(1, 2, 3), false), r.get(1));
        assertEquals(List.of(-1), g.outputs().get("d").shape().dims());
        assertEquals(new Op.Reduce(Op.ReduceFn.MAX, List.of(2), false), r.get(2));
        assertEquals(List.of(-1, 3, 4, 10), g.outputs().get("e").shape().dims());
        assertEquals(new Op.Transpose(List.of(0, 3, 1, 2)), ops(g, Op.Transpose.class).getFirst());
        assertEquals(List.of(-1, 12, 5), g.outputs().get("g").shape().dims());
        assertEquals(List.of(-1, 60), g.outputs().get("h").shape().dims());
    }

    @Test void poolsAndUpsample() throws Exception {
        Graph g = compile("""
                model m {
                  input x: [2, 7, 7]
                  output a = x -> maxpool(2)
                  output b = x -> avgpool(3, stride=2, pad=same)
                  output c = x -> avgpool(3, stride=1, pad=1)
                  output d = x -> upsample(3, mode=bilinear)
                  output e = x -> global_avg_pool
                }
                """);
        assertEquals(new Op.MaxPool2d(2, 2, 0, 0, 0, 0), ops(g, Op.MaxPool2d.class).getFirst());
        assertEquals(List.of(-1, 2, 3, 3), g.outputs().get("a").shape().dims());
        List<Op.AvgPool2d> avg = ops(g, Op.AvgPool2d.class);
        // same, stride 2 on 7: out 4, total (4-1)*2 + 3 - 7 = 2; padding excluded from the average as Keras
        assertEquals(new Op.AvgPool2d(3, 2, 1, 1, 1, 1, false), avg.get(0));
        assertEquals(new Op.AvgPool2d(3, 1, 1, 1, 1, 1, true), avg.get(1));
        assertEquals(new Op.Upsample(3, Op.UpsampleMode.BILINEAR), ops(g, Op.Upsample.class).getFirst());
        assertEquals(List.of(-1, 2), g.outputs().get("e").shape().dims());
    }

    @Test void compileTimeArithmeticConditionsAndLoops() throws Exception {
        Graph g = compile("""
                def block(x, c, wide) {
                  h = x -> dense(c * 4 - 2)
                  if wide { h = h -> dense(c * 10) } else { h = h -> dense(1) }
                  return h
                }
                model m {
                  input x: [1]
                  output y = x -> block(2, true) -> block(1, 1 >= 2)
                }
                """);
        assertEquals(List.of(List.of(6, 1), List.of(20, 6), List.of(2, 20), List.of(1, 2)),
                params(g).entrySet().stream().filter(e -> e.getKey().endsWith("weight")).map(Map.Entry::getValue).toList());
        Graph h = compile("""
                model m {
                  input x: [3]
                  h = x
                  for w in [2 * 2, 10 / 5, 3 - -1] {
                    if w > 3 { h = h -> dense(w) } else { h = h -> dense(w + 100) }
                  }
                  output y = h * 2 + 1
                }
                """);
        assertEquals(List.of(List.of(4, 3), List.of(102, 4), List.of(4, 102)),
                params(h).entrySet().stream().filter(e -> e.getKey().endsWith("weight")).map(Map.Entry::getValue).toList());
        assertEquals(2, ops(h, Op.Fill.class).size());
    }

    @Test void trainSpecFromTheTrainBlock() throws Exception {
        Graph g = compile("""
                model m {
                  input x: [4]
                  h = x -> dense(8, name=body)
                  output logits = h -> dense(3, name=head)
                  output value = h -> dense(1, name=v)
                  train {
                    target label: class(3)
                    target score: [1]
                    loss = cross_entropy(logits, label) + 0.5 * mse(value, score)
                    optimizer = sgd(lr=0.1, momentum=0.9)
                    metrics = [accuracy, f1]
                    freeze = [bod*]
                  }
                }
                """);
        TrainSpec t = g.train().orElseThrow();
        assertEquals(new TrainSpec.Sgd(0.1, 0.9, 0), t.optimizer());
        assertEquals(List.of("accuracy", "f1"), t.metrics());
        assertEquals(List.of("bod*"), t.freeze());
        assertEquals("logits", t.predictionOutput());
        assertEquals("label", t.targetName());
        assertEquals(TrainSpec.Prediction.CLASS_LOGITS, t.prediction());
        assertEquals(List.of(), g.outputs().get(Graph.LOSS).shape().dims());
        assertEquals(List.of(Op.LossFn.CROSS_ENTROPY, Op.LossFn.MSE), ops(g, Op.Loss.class).stream().map(Op.Loss::fn).toList());
        assertEquals(List.of(-1), g.targets().getFirst().out().shape().dims());
        assertEquals(DType.I32, g.targets().getFirst().out().dtype());
        assertTrue(g.trainableParams().stream().noneMatch(n -> ((Op.Param) n.op()).name().startsWith("body.")));
    }

    @Test void defaultsOfOptimizersAndPredictionKinds() throws Exception {
        Graph g = compile("model m {\n input x: [4]\n z = x -> dense(1)\n output p = z -> sigmoid\n"
                + " train {\n target y: [1]\n loss = binary_cross_entropy_with_logits(z, y)\n optimizer = adam\n }\n}");
        TrainSpec t = g.train().orElseThrow();
        assertEquals(new TrainSpec.Adam(1e-3, 0.9, 0.999, 1e-8, 0), t.optimizer());
        assertEquals(TrainSpec.Prediction.LOGITS, t.prediction());
        assertNull(t.predictionOutput(), "z is not an output");
        assertEquals("y", t.targetName());
        TrainSpec s = compile("model m {\n input x: [4]\n output p = x -> dense(1)\n train {\n target y: [1]\n"
                + " loss = mse(p, y)\n optimizer = sgd()\n }\n}").train().orElseThrow();
        assertEquals(new TrainSpec.Sgd(0.01, 0, 0), s.optimizer());
        assertEquals(TrainSpec.Prediction.VALUE, s.prediction());
    }

    @Test void severalModelsInFileOrder() throws Exception {
        CompiledSource src = Frontend.compile("t.dlm", "model b {\n input x: [1]\n output y = x\n}\nmodel a {\n input x: [1]\n output y = -x\n}\n");
        assertEquals(List.of("b", "a"), src.models().stream().map(Graph::name).toList());
        assertEquals("a", src.model("a").orElseThrow().name());
        assertInstanceOf(Op.Unary.class, src.model("a").orElseThrow().producer(src.model("a").orElseThrow().outputs().get("y")).op());
    }

    @Test void errorsInTwoModelsAreBothReported() {
        CompileException e = assertThrows(CompileException.class, () -> Frontend.compile("t.dlm",
                "model a {\n input x: [1]\n output y = x -> relux\n}\nmodel b {\n input x: [1]\n output y = z\n}\n"));
        assertEquals(List.of(3, 7), e.diagnostics().stream().map(Diagnostic::line).toList());
    }
}
