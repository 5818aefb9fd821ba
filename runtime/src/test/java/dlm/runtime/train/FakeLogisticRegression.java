package dlm.runtime.train;

import dlm.runtime.CompiledModel;
import dlm.runtime.LoadReport;
import dlm.runtime.ModelSignature;
import dlm.runtime.Prediction;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Logistic regression in plain Java, standing in for a compiled backend: input "x" [k],
 * target "y" [1], output "p" = sigmoid(fc(x)), binary cross-entropy, plain SGD. It records
 * what the trainer feeds it.
 */
class FakeLogisticRegression implements CompiledModel {
    final int k;
    final float lr;
    final float[] w;
    float b;
    final List<String> metrics;
    /** The batch size of each train step, the first feature of every sample seen, and the tensors passed. */
    final List<Integer> batchSizes = new ArrayList<>();
    final List<Float> firstFeatures = new ArrayList<>();
    final List<Tensor> inputTensors = new ArrayList<>();
    boolean closed;

    FakeLogisticRegression(int k, float lr, List<String> metrics) {
        this.k = k;
        this.lr = lr;
        this.w = new float[k];
        this.metrics = metrics;
    }

    @Override
    public ModelSignature signature() {
        return new ModelSignature("logreg", List.of(new TensorSpec("x", false, new int[]{k})),
                List.of(new TensorSpec("y", false, new int[]{1})), List.of(new TensorSpec("p", false, new int[]{1})),
                metrics, "p", "y", Prediction.PROBABILITY);
    }

    private Tensor forward(Tensor x) {
        int n = x.dim(0);
        float[] p = new float[n];
        for (int i = 0; i < n; i++) {
            double z = b;
            for (int j = 0; j < k; j++) z += w[j] * x.data()[i * k + j];
            p[i] = (float) (1 / (1 + Math.exp(-z)));
        }
        return Tensor.of(p, n, 1);
    }

    @Override
    public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        return Map.of("p", forward(inputs.get("x")));
    }

    @Override
    public Map<String, Tensor> gradients(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        Tensor x = inputs.get("x"), y = targets.get("y");
        Tensor p = forward(x);
        int n = x.dim(0);
        float[] gw = new float[k];
        float gb = 0;
        for (int i = 0; i < n; i++) {
            float d = (p.data()[i] - y.data()[i]) / n; // d(mean BCE)/dz
            gb += d;
            for (int j = 0; j < k; j++) gw[j] += d * x.data()[i * k + j];
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("loss", Tensor.scalar((float) Losses.binaryCrossEntropy(p, y)));
        out.put("fc.weight", Tensor.of(gw, 1, k));
        out.put("fc.bias", Tensor.vector(gb));
        out.put("p", p);
        return out;
    }

    @Override
    public Map<String, Tensor> trainStep(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        Tensor x = inputs.get("x");
        batchSizes.add(x.dim(0));
        inputTensors.add(x);
        for (int i = 0; i < x.dim(0); i++) firstFeatures.add(x.data()[i * k]);
        Map<String, Tensor> g = gradients(inputs, targets);
        float[] gw = g.get("fc.weight").data();
        for (int j = 0; j < k; j++) w[j] -= lr * gw[j];
        b -= lr * g.get("fc.bias").item();
        return Map.of("loss", g.get("loss"), "p", g.get("p"));
    }

    @Override
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("fc.weight", Tensor.of(w.clone(), 1, k));
        m.put("fc.bias", Tensor.vector(b));
        return m;
    }

    @Override
    public LoadReport loadStateDict(Map<String, Tensor> tensors, boolean strict) {
        LoadReport r = LoadReport.compare(Map.of("fc.weight", new int[]{1, k}, "fc.bias", new int[]{1}), tensors)
                .throwIfStrict(strict);
        if (r.loaded().contains("fc.weight")) System.arraycopy(tensors.get("fc.weight").data(), 0, w, 0, k);
        if (r.loaded().contains("fc.bias")) b = tensors.get("fc.bias").item();
        return r;
    }

    @Override
    public void close() {
        closed = true;
    }
}
