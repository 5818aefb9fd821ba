package dlm.codegen.jvm;

import dlm.runtime.DlmException;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks tensors handed to a model against its signature and finds the batch size, with the
 * same rules and messages as the api module's Feeds, but without allocating on the happy path
 * (a steady-state step must not allocate).
 */
final class FeedCheck {
    private FeedCheck() {}

    static int batchSize(String model, List<TensorSpec> specs, Map<String, Tensor> given, String what) {
        int batch = -1;
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec s = specs.get(i);
            Tensor t = given.get(s.name());
            if (t == null)
                throw new DlmException(model + ": missing " + what + " '" + s.name() + "' (expects " + describe(s) + ")");
            if (!fits(s, t))
                throw new DlmException(model + ": " + what + " '" + s.name() + "' expects " + describe(s) + ", got " + Arrays.toString(t.shape()));
            if (batch >= 0 && t.dim(0) != batch)
                throw new DlmException(model + ": " + what + " '" + s.name() + "' has batch size " + t.dim(0) + ", others have " + batch);
            batch = t.dim(0);
        }
        if (given.size() != specs.size()) // same size and every spec present: no unknown name
            for (String name : given.keySet())
                if (specs.stream().noneMatch(s -> s.name().equals(name)))
                    throw new DlmException(model + ": unknown " + what + " '" + name + "'; the model's " + what + "s are "
                            + specs.stream().map(TensorSpec::name).toList());
        return batch;
    }

    private static boolean fits(TensorSpec s, Tensor t) {
        int[] sample = s.sampleShape();
        if (t.rank() == sample.length + 1) {
            boolean same = true;
            for (int i = 0; i < sample.length; i++) if (t.dim(i + 1) != sample[i]) { same = false; break; }
            if (same) return t.dim(0) > 0;
        }
        // class ids often arrive as a column: [batch, 1] for a [batch] target
        return s.integer() && sample.length == 0 && t.rank() == 2 && t.dim(1) == 1 && t.dim(0) > 0;
    }

    private static String describe(TensorSpec s) {
        StringBuilder sb = new StringBuilder("[batch");
        for (int d : s.sampleShape()) sb.append(", ").append(d);
        return sb.append(']').append(s.integer() ? " (integer ids)" : "").toString();
    }
}
