package dlm.runtime;

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

    @Override
    void close();
}
