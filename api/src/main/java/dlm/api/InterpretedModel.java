package dlm.api;

import dlm.ir.Graph;
import dlm.ir.interp.Interpreter;
import dlm.runtime.CompiledModel;
import dlm.runtime.DlmException;
import dlm.runtime.LoadReport;
import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model run by the reference interpreter: slow, in double precision, and the oracle that
 * every compiled backend is compared with.
 */
public final class InterpretedModel implements CompiledModel {
    private final ModeGraphs graphs;
    private final ModelSignature signature;
    private final Map<String, double[]> state;
    private long seed;

    public InterpretedModel(ModeGraphs graphs, long seed) {
        this.graphs = graphs;
        this.signature = Signatures.of(graphs.source());
        this.state = Interpreter.initParams(graphs.stateOwner(), seed);
        this.seed = seed;
    }

    @Override public ModelSignature signature() { return signature; }

    @Override public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        int batch = Feeds.batchSize(signature.name(), signature.inputs(), inputs, "input");
        Map<String, double[]> out = new Interpreter(graphs.inference()).run(batch, toDouble(inputs), state);
        return toTensors(graphs.inference(), out, batch, "");
    }

    @Override public Map<String, Tensor> trainStep(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        Graph g = graphs.training();
        Map<String, double[]> out = new Interpreter(g).withSeed(seed++).run(batchOf(inputs, targets), feeds(inputs, targets), state);
        return toTensors(g, out, batchOf(inputs, targets), "");
    }

    @Override public Map<String, Tensor> gradients(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        Graph g = graphs.gradients();
        int batch = batchOf(inputs, targets);
        // a gradient run must not move running statistics: run it on a copy of the state
        Map<String, double[]> scratch = new HashMap<>(state);
        Map<String, double[]> out = new Interpreter(g).withSeed(seed).run(batch, feeds(inputs, targets), scratch);
        Map<String, Tensor> result = new LinkedHashMap<>();
        result.put(Graph.LOSS, tensor(out.get(Graph.LOSS), new int[0]));
        for (var e : g.outputs().entrySet())
            if (e.getKey().startsWith("grad:"))
                result.put(e.getKey().substring(5), tensor(out.get(e.getKey()), e.getValue().shape().resolve(batch)));
        return result;
    }

    private int batchOf(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        if (signature.targets().isEmpty()) throw new DlmException(signature.name() + " has no train block: it cannot be trained");
        int b = Feeds.batchSize(signature.name(), signature.inputs(), inputs, "input");
        int bt = Feeds.batchSize(signature.name(), signature.targets(), targets, "target");
        if (b != bt) throw new DlmException(signature.name() + ": inputs have batch size " + b + " but targets " + bt);
        return b;
    }

    private static Map<String, double[]> feeds(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        Map<String, double[]> f = toDouble(inputs);
        f.putAll(toDouble(targets));
        return f;
    }

    @Override public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        Signatures.stateShapes(graphs.stateOwner()).forEach((name, shape) -> m.put(name, tensor(state.get(name), shape)));
        return m;
    }

    @Override public LoadReport loadStateDict(Map<String, Tensor> tensors, boolean strict) {
        LoadReport r = LoadReport.compare(Signatures.stateShapes(graphs.stateOwner()), tensors).throwIfStrict(strict);
        for (String name : r.loaded()) {
            float[] src = tensors.get(name).data();
            double[] dst = new double[src.length];
            for (int i = 0; i < src.length; i++) dst[i] = src[i];
            state.put(name, dst);
        }
        return r;
    }

    @Override public void close() { state.clear(); }

    private static Map<String, double[]> toDouble(Map<String, Tensor> ts) {
        Map<String, double[]> m = new HashMap<>();
        ts.forEach((k, t) -> {
            float[] d = t.data();
            double[] r = new double[d.length];
            for (int i = 0; i < d.length; i++) r[i] = d[i];
            m.put(k, r);
        });
        return m;
    }

    private static Map<String, Tensor> toTensors(Graph g, Map<String, double[]> out, int batch, String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (var e : g.outputs().entrySet())
            if (!e.getKey().startsWith("grad:"))
                m.put(prefix + e.getKey(), tensor(out.get(e.getKey()), e.getValue().shape().resolve(batch)));
        return m;
    }

    private static Tensor tensor(double[] d, int[] shape) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return Tensor.of(f, shape);
    }
}
