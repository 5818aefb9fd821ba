package dlm.runtime.train;

import dlm.runtime.CompiledModel;
import dlm.runtime.LoadReport;
import dlm.runtime.ModelSignature;
import dlm.runtime.Prediction;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;

import java.util.List;
import java.util.Map;

/**
 * A model whose predictions follow a script: after its e-th epoch of training, every sample
 * is predicted as {@code script[e - 1]}. Its state dict is the number of epochs trained, so a
 * checkpoint tells which epoch it came from.
 */
final class ScriptedModel implements CompiledModel {
    private final float[] script;
    private final int stepsPerEpoch;
    private int steps;

    ScriptedModel(float[] script, int stepsPerEpoch) {
        this.script = script;
        this.stepsPerEpoch = stepsPerEpoch;
    }

    int epoch() {
        return steps / stepsPerEpoch;
    }

    @Override
    public ModelSignature signature() {
        return new ModelSignature("scripted", List.of(new TensorSpec("x", false, new int[]{1})),
                List.of(new TensorSpec("y", false, new int[]{1})), List.of(new TensorSpec("p", false, new int[]{1})),
                List.of("accuracy"), "p", "y", Prediction.PROBABILITY);
    }

    private Tensor constant(int n) {
        float[] p = new float[n];
        java.util.Arrays.fill(p, script[Math.max(0, epoch() - 1)]);
        return Tensor.of(p, n, 1);
    }

    @Override
    public Map<String, Tensor> predict(Map<String, Tensor> inputs) {
        return Map.of("p", constant(inputs.get("x").dim(0)));
    }

    @Override
    public Map<String, Tensor> trainStep(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        Tensor p = constant(inputs.get("x").dim(0));
        steps++;
        return Map.of("loss", Tensor.scalar((float) Losses.binaryCrossEntropy(p, targets.get("y"))), "p", p);
    }

    @Override
    public Map<String, Tensor> gradients(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<String, Tensor> stateDict() {
        return Map.of("epoch", Tensor.scalar(epoch()));
    }

    @Override
    public LoadReport loadStateDict(Map<String, Tensor> tensors, boolean strict) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
