package dlm.runtime;

import dlm.runtime.io.Safetensors;

import java.nio.file.Path;
import java.util.Map;

/**
 * A model ready to run, produced by a backend. Thread-confined: one thread at a time.
 * Tensors carry the batch axis first; the batch size may change between calls. Returned
 * tensors may be reused by the next call on the same model, so callers that keep results
 * must copy them.
 */
public interface CompiledModel extends AutoCloseable {
    ModelSignature signature();

    /** Inference mode (dropout off, batchnorm running statistics): every model output by name. */
    Map<String, Tensor> predict(Map<String, Tensor> inputs);

    /**
     * Training mode, one optimizer step. Returns {@code "loss"} (a scalar, shape []) and every
     * model output as computed before the update.
     */
    Map<String, Tensor> trainStep(Map<String, Tensor> inputs, Map<String, Tensor> targets);

    /**
     * Training mode without an update: {@code "loss"} and the gradient of every trainable
     * parameter under the parameter's own name (e.g. {@code fc1.weight}).
     */
    Map<String, Tensor> gradients(Map<String, Tensor> inputs, Map<String, Tensor> targets);

    /** Weights and buffers under PyTorch names and layouts (copies). */
    Map<String, Tensor> stateDict();

    /**
     * Loads weights by name. Strict: any missing, unexpected or mis-shaped tensor is a
     * {@link DlmException} listing all of them. Non-strict: loads what fits, reports the rest.
     */
    LoadReport loadStateDict(Map<String, Tensor> tensors, boolean strict);

    /**
     * Predicts for a model with one input and one output, from flat row-major floats: one
     * sample or several (the batch is the length divided by the sample size). Returns a copy
     * of the first output's values.
     */
    default float[] predict(float[] input) {
        ModelSignature sig = signature();
        if (sig.inputs().size() != 1)
            throw new DlmException(sig.name() + " has " + sig.inputs().size() + " inputs; use predict(Map)");
        TensorSpec in = sig.inputs().get(0);
        int per = in.sampleSize();
        if (input.length == 0 || input.length % per != 0)
            throw new DlmException(sig.name() + ": input '" + in.name() + "' takes samples of " + per + " values, got " + input.length);
        int[] sample = in.sampleShape();
        int[] shape = new int[sample.length + 1];
        shape[0] = input.length / per;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        Tensor out = predict(Map.of(in.name(), Tensor.of(input.clone(), shape))).get(sig.outputs().get(0).name());
        return out.data().clone();
    }

    /** Writes weights and buffers as safetensors (PyTorch names), atomically. */
    default void saveWeights(Path file) {
        Safetensors.write(file, stateDict());
    }

    /** Reads safetensors weights by name; see {@link #loadStateDict} for {@code strict}. */
    default LoadReport loadWeights(Path file, boolean strict) {
        return loadStateDict(Safetensors.load(file), strict);
    }

    @Override
    void close();
}
