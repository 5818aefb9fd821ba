package dlm.codegen.jvm;

import dlm.ir.DType;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Op.Init;
import dlm.ir.Op.ParamKind;
import dlm.ir.Shape;
import dlm.ir.TrainSpec;
import dlm.ir.Type;
import dlm.ir.Value;
import dlm.ir.interp.Interpreter;
import dlm.passes.Pipelines;
import dlm.runtime.ModelSignature;
import dlm.runtime.Prediction;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Hand-built models (with layer ops, as the frontend emits them), their mode graphs, and a
 * reference that runs them on the interpreter exactly as the api's InterpretedModel does.
 */
final class TestModels {
    private TestModels() {}

    static final TrainSpec.Optimizer ADAM = new TrainSpec.Adam(0.01, 0.9, 0.999, 1e-8, 0.001);
    static final TrainSpec.Optimizer SGD = new TrainSpec.Sgd(0.05, 0.9, 1e-4);

    private static Value param(Graph g, String name, Init init, int fanIn, int... dims) {
        return g.addLeaf(new Op.Param(name, init == Init.ZEROS || init == Init.ONES ? ParamKind.WEIGHT : ParamKind.WEIGHT, init, fanIn), Type.f32(dims));
    }

    private static Value dense(Graph g, String name, Value x, int in, int out) {
        Value w = param(g, name + ".weight", Init.UNIFORM_FAN_IN, in, out, in);
        Value b = param(g, name + ".bias", Init.UNIFORM_FAN_IN, in, out);
        return g.add(new Op.Binary(Op.BinaryFn.ADD), g.add(new Op.MatMul(false, true), x, w), b);
    }

    private static void train(Graph g, Value logits, TrainSpec.Optimizer opt) {
        Value y = g.addLeaf(new Op.Target("y"), new Type(DType.I32, Shape.batched(List.of())));
        g.output("logits", logits);
        g.output(Graph.LOSS, g.add(new Op.Loss(Op.LossFn.CROSS_ENTROPY), logits, y));
        g.setTrain(new TrainSpec(opt, List.of(), List.of(), List.of(), "logits", "y", TrainSpec.Prediction.CLASS_LOGITS));
    }

    /** x[13] -> dense 21 -> relu -> dense 5, cross-entropy on class ids. */
    static Graph mlp(TrainSpec.Optimizer opt, double dropout) {
        Graph g = new Graph("mlp");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(13))));
        Value h = g.add(new Op.Unary(Op.UnaryFn.RELU, 0), dense(g, "fc1", x, 13, 21));
        if (dropout > 0) h = g.add(new Op.Dropout(dropout), h);
        train(g, dense(g, "fc2", h, 21, 5), opt);
        return g;
    }

    /** x[3, 9, 9] -> conv 3x3 pad 1 -> batchnorm -> relu -> maxpool 2 -> dense 5. */
    static Graph convNet(TrainSpec.Optimizer opt) {
        Graph g = new Graph("convnet");
        Value x = g.addLeaf(new Op.Input("x"), Type.f32(Shape.batched(List.of(3, 9, 9))));
        Value w = param(g, "conv.weight", Init.UNIFORM_FAN_IN, 27, 4, 3, 3, 3);
        // no conv bias: batchnorm cancels it, so its gradient is rounding noise that Adam would amplify
        Value c = g.add(new Op.Conv2d(1, 1, 1, 1, 1, 1, 1), x, w);
        Value bw = param(g, "bn.weight", Init.ONES, 0, 4), bb = param(g, "bn.bias", Init.ZEROS, 0, 4);
        Value rm = g.addLeaf(new Op.Param("bn.running_mean", ParamKind.BUFFER, Init.ZEROS, 0), Type.f32(4));
        Value rv = g.addLeaf(new Op.Param("bn.running_var", ParamKind.BUFFER, Init.ONES, 0), Type.f32(4));
        Value bn = g.add(new Op.BatchNorm(1e-5, 0.1), c, bw, bb, rm, rv);
        Value p = g.add(new Op.MaxPool2d(2, 2, 0, 0, 0, 0), g.add(new Op.Unary(Op.UnaryFn.RELU, 0), bn));
        Value flat = g.add(new Op.Reshape(List.of(-1, 4 * 4 * 4)), p);
        train(g, dense(g, "fc", flat, 64, 5), opt);
        return g;
    }

    static ModelSignature signature(Graph g) {
        List<TensorSpec> in = new ArrayList<>(), tg = new ArrayList<>(), out = new ArrayList<>();
        for (Node n : g.inputs()) in.add(spec(((Op.Input) n.op()).name(), n.out()));
        for (Node n : g.targets()) tg.add(spec(((Op.Target) n.op()).name(), n.out()));
        g.outputs().forEach((k, v) -> { if (!k.equals(Graph.LOSS)) out.add(spec(k, v)); });
        return new ModelSignature(g.name(), in, tg, out, List.of(), "logits", "y", Prediction.CLASS_LOGITS);
    }

    private static TensorSpec spec(String name, Value v) {
        return new TensorSpec(name, v.dtype() == DType.I32, v.shape().sample().stream().mapToInt(Integer::intValue).toArray());
    }

    /** ModeGraphs' derivation: lazily, each once. */
    static JvmModel.Graphs graphs(Graph source) {
        return new JvmModel.Graphs() {
            Graph inference, training, gradients;
            public Graph inference() { return inference != null ? inference : (inference = Pipelines.inference().run(source)); }
            public Graph training() { return training != null ? training : (training = Pipelines.training(source.train().orElseThrow()).run(source)); }
            public Graph gradients() { return gradients != null ? gradients : (gradients = Pipelines.gradients().run(source)); }
            public Graph stateOwner() { return source.train().isPresent() ? training() : inference(); }
        };
    }

    static JvmModel jvm(Graph source, long seed) { return new JvmModel(signature(source), graphs(source), seed); }

    /** The interpreter run as InterpretedModel runs it. */
    static final class Reference {
        final JvmModel.Graphs graphs;
        final Map<String, double[]> state;
        long seed;

        Reference(Graph source, long seed) {
            this.graphs = graphs(source);
            this.state = Interpreter.initParams(graphs.stateOwner(), seed);
            this.seed = seed;
        }

        Map<String, double[]> trainStep(int batch, Map<String, Tensor> feeds) {
            return new Interpreter(graphs.training()).withSeed(seed++).run(batch, toDouble(feeds), state);
        }

        Map<String, double[]> predict(int batch, Map<String, Tensor> feeds) {
            Graph g = graphs.inference();
            Graph only = g; // the loss needs targets: feed them when given, as predict callers of the interpreter must
            return new Interpreter(only).run(batch, toDouble(feeds), state);
        }

        Map<String, double[]> gradients(int batch, Map<String, Tensor> feeds) {
            return new Interpreter(graphs.gradients()).withSeed(seed).run(batch, toDouble(feeds), new HashMap<>(state));
        }
    }

    static Map<String, double[]> toDouble(Map<String, Tensor> ts) {
        Map<String, double[]> m = new HashMap<>();
        ts.forEach((k, t) -> {
            double[] d = new double[t.numel()];
            for (int i = 0; i < d.length; i++) d[i] = t.data()[i];
            m.put(k, d);
        });
        return m;
    }

    static Tensor random(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.numel(); i++) t.data()[i] = (float) (r.nextDouble() * 2 - 1);
        return t;
    }

    static Tensor classes(SplittableRandom r, int n, int batch) {
        Tensor t = Tensor.zeros(batch);
        for (int i = 0; i < batch; i++) t.data()[i] = r.nextInt(n);
        return t;
    }
}
