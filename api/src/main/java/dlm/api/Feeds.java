package dlm.api;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Checks tensors handed to a model against its signature and finds the batch size. */
public final class Feeds {
    private Feeds() {}

    /**
     * The batch size shared by all given tensors. Every spec must be present, with shape
     * [batch, sample...]; integer tensors (class ids) may also come as [batch, 1].
     */
    public static int batchSize(String model, List<TensorSpec> specs, Map<String, Tensor> given, String what) {
        int batch = -1;
        for (TensorSpec s : specs) {
            Tensor t = given.get(s.name());
            if (t == null)
                throw new DlmException(model + ": missing " + what + " '" + s.name() + "' (expects " + describe(s) + ")");
            int[] shape = t.shape();
            if (!fits(s, shape))
                throw new DlmException(model + ": " + what + " '" + s.name() + "' expects " + describe(s) + ", got " + Arrays.toString(shape));
            if (batch >= 0 && shape[0] != batch)
                throw new DlmException(model + ": " + what + " '" + s.name() + "' has batch size " + shape[0] + ", others have " + batch);
            batch = shape[0];
        }
        for (String name : given.keySet())
            if (specs.stream().noneMatch(s -> s.name().equals(name)))
                throw new DlmException(model + ": unknown " + what + " '" + name + "'; the model's " + what + "s are "
                        + specs.stream().map(TensorSpec::name).toList());
        return batch;
    }

    private static boolean fits(TensorSpec s, int[] shape) {
        int[] sample = s.sampleShape();
        if (shape.length == sample.length + 1 && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), sample)) return shape[0] > 0;
        // class ids often arrive as a column: [batch, 1] for a [batch] target
        return s.integer() && sample.length == 0 && shape.length == 2 && shape[1] == 1 && shape[0] > 0;
    }

    private static String describe(TensorSpec s) {
        StringBuilder sb = new StringBuilder("[batch");
        for (int d : s.sampleShape()) sb.append(", ").append(d);
        return sb.append(']').append(s.integer() ? " (integer ids)" : "").toString();
    }
}
