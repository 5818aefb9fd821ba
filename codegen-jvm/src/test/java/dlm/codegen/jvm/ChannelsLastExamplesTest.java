package dlm.codegen.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dlm.frontend.Frontend;
import dlm.ir.Graph;
import dlm.ir.Op;
import dlm.ir.interp.Interpreter;
import dlm.passes.ChannelsLast;
import dlm.passes.Pass;
import dlm.passes.Pipeline;
import dlm.passes.Pipelines;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The convolutional examples with the channels-last pass forced on: the interpreter gives the
 * same outputs and gradients as without it, and the JVM backend (NHWC kernels) trains like the
 * interpreter on the NCHW graph.
 */
class ChannelsLastExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    /** Batch 2 where the interpreter is quick; inception and unet_small (tens of seconds each in double) at batch 1. */
    private static int batch(String name) { return name.equals("lenet5") || name.equals("resnet_mini") ? 2 : 1; }

    private static Pipeline forced(Pipeline p) {
        return new Pipeline(p.passes().stream().map(x -> x instanceof ChannelsLast ? (Pass) new ChannelsLast(ChannelsLast.Mode.ON) : x).toList());
    }

    private static JvmModel.Graphs forcedGraphs(Graph source) {
        return new JvmModel.Graphs() {
            Graph inference, training, gradients;
            public Graph inference() { return inference != null ? inference : (inference = forced(Pipelines.inference()).run(source)); }
            public Graph training() { return training != null ? training : (training = forced(Pipelines.training(source.train().orElseThrow())).run(source)); }
            public Graph gradients() { return gradients != null ? gradients : (gradients = forced(Pipelines.gradients()).run(source)); }
            public Graph stateOwner() { return training(); }
        };
    }

    private static Graph source(String name) throws Exception {
        Path file = EXAMPLES.resolve(name + ".dlm");
        assumeTrue(Files.exists(file), file + " is not there");
        return Frontend.compile(file).models().getFirst();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet_mini", "inception", "unet_small"})
    void interpreterGivesTheSameGradients(String name) throws Exception {
        Graph source = source(name);
        Graph nchw = Pipelines.gradients().skip("channels-last").run(source), nhwc = forcedGraphs(source).gradients();
        assertTrue(nhwc.nodes().stream().anyMatch(n -> n.op() instanceof Op.Conv2dNhwc), "no conv2d_nhwc in " + name);
        Map<String, double[]> state = Interpreter.initParams(nchw, 3);
        int batch = batch(name);
        Map<String, double[]> feeds = TestModels.toDouble(feeds(new SplittableRandom(4), TestModels.signature(source).inputs(), batch, source));
        feeds.putAll(TestModels.toDouble(feeds(new SplittableRandom(5), TestModels.signature(source).targets(), batch, source)));
        Map<String, double[]> want = new Interpreter(nchw).withSeed(1).run(batch, feeds, new HashMap<>(state));
        Map<String, double[]> got = new Interpreter(nhwc).withSeed(1).run(batch, feeds, new HashMap<>(state));
        assertEquals(want.keySet(), got.keySet());
        assertTrue(want.keySet().stream().anyMatch(k -> k.startsWith("grad:")), "no gradients in " + want.keySet());
        for (String k : want.keySet()) {
            double[] a = want.get(k), b = got.get(k);
            for (int i = 0; i < a.length; i++)
                if (!(Math.abs(a[i] - b[i]) <= 1e-9 * Math.max(1, Math.abs(a[i]))))
                    fail(name + " " + k + "[" + i + "]: " + a[i] + " in NCHW, " + b[i] + " in NHWC");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet_mini", "inception", "unet_small"})
    void jvmTrainsLikeTheInterpreter(String name) throws Exception {
        Graph source = source(name);
        int batch = batch(name);
        SplittableRandom r = new SplittableRandom(5);
        TestModels.Reference ref = new TestModels.Reference(source, 11);
        JvmModel.Graphs graphs = forcedGraphs(source);
        assertTrue(graphs.training().nodes().stream().anyMatch(n -> n.op() instanceof Op.Conv2dNhwcGradWeight), "no NHWC training graph");
        try (JvmModel jvm = new JvmModel(TestModels.signature(source), graphs, 11)) {
            Map<String, Tensor> x = feeds(r, jvm.signature().inputs(), batch, source);
            Map<String, Tensor> y = feeds(r, jvm.signature().targets(), batch, source);
            Map<String, Tensor> all = new HashMap<>(x);
            all.putAll(y);
            Map<String, double[]> want = ref.trainStep(batch, all);
            for (var e : jvm.trainStep(x, y).entrySet())
                Differential.assertClose(name + " " + e.getKey(), want.get(e.getKey()), e.getValue().data(), 1e-3, 1e-4);
            // one Adam step moves a weight by at most about lr = 1e-3 whatever its gradient: a wrong
            // gradient shows as a wrong direction, so compare moves larger than the rounding noise
            for (var e : jvm.stateDict().entrySet()) {
                double[] w = ref.state.get(e.getKey());
                float[] got = e.getValue().data();
                int off = 0;
                for (int i = 0; i < w.length; i++) if (Math.abs(got[i] - w[i]) > 1e-4 + 1e-3 * Math.abs(w[i])) off++;
                assertTrue(off <= w.length / 1000, name + " " + e.getKey() + ": " + off + " of " + w.length + " elements differ");
            }
            Map<String, double[]> wantPred = ref.predict(batch, all);
            for (var e : jvm.predict(x).entrySet())
                Differential.assertClose(name + " predict " + e.getKey(), wantPred.get(e.getKey()), e.getValue().data(), 1e-3, 1e-4);
        }
    }

    /** Random inputs in [-1, 1); class ids below the class count; other targets in [0, 1). */
    private static Map<String, Tensor> feeds(SplittableRandom r, List<TensorSpec> specs, int batch, Graph source) {
        Map<String, Tensor> m = new HashMap<>();
        int classes = source.outputs().get(source.train().orElseThrow().predictionOutput()).shape().dim(-1);
        for (TensorSpec s : specs) {
            int[] shape = new int[s.sampleShape().length + 1];
            shape[0] = batch;
            System.arraycopy(s.sampleShape(), 0, shape, 1, shape.length - 1);
            Tensor t = Tensor.zeros(shape);
            for (int i = 0; i < t.numel(); i++) t.data()[i] = s.integer() ? r.nextInt(classes) : (float) r.nextDouble(-1, 1);
            m.put(s.name(), t);
        }
        return m;
    }
}
