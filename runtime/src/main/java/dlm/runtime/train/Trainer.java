package dlm.runtime.train;

import dlm.runtime.CompiledModel;
import dlm.runtime.Dataset;
import dlm.runtime.DlmException;
import dlm.runtime.ModelSignature;
import dlm.runtime.Tensor;
import dlm.runtime.TensorSpec;
import dlm.runtime.io.Json;
import dlm.runtime.io.Safetensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The training loop: epochs of shuffled mini-batches through {@link CompiledModel#trainStep},
 * validation through {@link CompiledModel#predict} with the loss computed on the host,
 * metrics, the best checkpoint and a progress log.
 */
public final class Trainer {
    private Trainer() {}

    /**
     * Trains {@code model} on {@code train}; {@code val} may be null. Dataset names must match
     * the model's inputs and targets. With {@code standardize}, the statistics of {@code train}
     * are applied to both and returned in the history (apply them to test data too).
     */
    public static History fit(CompiledModel model, Dataset train, Dataset val, FitOptions opts) {
        ModelSignature sig = model.signature();
        if (sig.targets().isEmpty() || sig.predictionOutput() == null)
            throw new DlmException("model " + sig.name() + " has no train block, so it cannot be trained");
        for (String m : sig.metrics())
            if (!Metrics.KNOWN.contains(m))
                throw new DlmException("unknown metric " + m + "; known: " + String.join(", ", Metrics.KNOWN));
        train = conform(sig, train, "training data");
        if (val != null) val = conform(sig, val, "validation data");
        if (train.size() == 0) throw new DlmException("the training data has no samples");

        Standardizer standardizer = null;
        if (opts.standardize()) {
            Set<String> integer = new HashSet<>();
            for (TensorSpec s : sig.inputs()) if (s.integer()) integer.add(s.name());
            standardizer = Standardizer.fit(train, integer);
            train = standardizer.apply(train);
            if (val != null) val = standardizer.apply(val);
        }
        String loss = opts.loss() != null ? opts.loss() : Losses.forPrediction(sig.prediction());
        String monitor = opts.monitor() != null ? opts.monitor() : val != null ? "val_loss" : "loss";
        if (monitor.startsWith("val_") && val == null)
            throw new DlmException("cannot monitor " + monitor + " without validation data");
        boolean minimize = monitor.endsWith("loss");

        int n = train.size();
        int batch = opts.batchSize();
        Batcher inputs = new Batcher(train.inputs(), batch);
        Batcher targets = new Batcher(train.targets(), batch);
        String predName = sig.predictionOutput();
        Tensor target = train.target(sig.targetName());
        boolean metrics = !sig.metrics().isEmpty();
        // Epoch-long buffers for metrics on the training data, in the order the samples were seen.
        int predCols = sampleSize(sig.output(predName), predName);
        float[] epochPred = metrics ? new float[n * predCols] : null;
        Tensor epochTarget = metrics ? Tensor.zeros(target.shape()) : null;

        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(opts.seed());
        Progress progress = new Progress(opts.progress(), opts.interactive(), opts.epochs());
        List<History.Epoch> log = new ArrayList<>();
        int bestEpoch = 0;
        double best = Double.NaN;

        for (int epoch = 1; epoch <= opts.epochs(); epoch++) {
            long t0 = System.nanoTime();
            if (opts.shuffle()) Dataset.shuffle(order, rng);
            double lossSum = 0;
            long stepNanos = 0;
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                Map<String, Tensor> in = inputs.gather(order, from, to), tg = targets.gather(order, from, to);
                long s0 = System.nanoTime();
                Map<String, Tensor> out = model.trainStep(in, tg);
                stepNanos += System.nanoTime() - s0;
                Tensor l = out.get("loss");
                if (l == null) throw new IllegalStateException("trainStep returned no \"loss\"");
                if (!Float.isFinite(l.item()))
                    throw new DlmException("training diverged: the loss is " + l.item() + " at epoch " + epoch
                            + ", samples " + from + ".." + to + " (try a lower learning rate or standardized inputs)"
                            + (opts.checkpoint() != null && bestEpoch > 0 ? "; " + opts.checkpoint() + " holds the best weights, from epoch " + bestEpoch : ""));
                lossSum += (double) l.item() * (to - from);
                if (metrics) {
                    Tensor p = out.get(predName);
                    if (p == null || p.numel() != (to - from) * predCols)
                        throw new IllegalStateException("trainStep returned " + (p == null ? "no " + predName
                                : predName + " of shape " + Arrays.toString(p.shape())) + " for a batch of " + (to - from));
                    System.arraycopy(p.data(), 0, epochPred, from * predCols, p.numel());
                }
                progress.step(epoch, to, n, lossSum / to);
            }
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("loss", lossSum / n);
            if (metrics) {
                target.rows(order, 0, n, epochTarget);
                values.putAll(Metrics.compute(sig.metrics(), Tensor.of(epochPred, n, predCols), epochTarget, sig.prediction()));
            }
            if (val != null)
                evaluate(model, val, EvalBatch.forTraining(val.size(), batch), loss).forEach((k, v) -> values.put("val_" + k, v));
            Double current = values.get(monitor);
            if (current == null)
                throw new DlmException("cannot monitor " + monitor + "; available: " + String.join(", ", values.keySet()));
            String saved = null;
            if (!Double.isNaN(current) && (bestEpoch == 0 || (minimize ? current < best : current > best))) {
                bestEpoch = epoch;
                best = current;
                if (opts.checkpoint() != null) {
                    Safetensors.write(opts.checkpoint(), model.stateDict(), metadata(epoch, monitor, current, standardizer));
                    saved = "saved " + opts.checkpoint().getFileName();
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            log.add(new History.Epoch(epoch, values, seconds, stepNanos / 1e9));
            progress.epoch(epoch, values, seconds, saved);
        }
        return new History(log, monitor, bestEpoch, best, standardizer);
    }

    /** Loss (the one matching the signature's prediction) and the model's metrics on {@code data}. */
    public static Map<String, Double> evaluate(CompiledModel model, Dataset data, int batchSize) {
        return evaluate(model, data, batchSize, null);
    }

    /** As {@link #evaluate(CompiledModel, Dataset, int)} with an explicit loss name (null: from the prediction). */
    public static Map<String, Double> evaluate(CompiledModel model, Dataset data, int batchSize, String loss) {
        ModelSignature sig = model.signature();
        if (sig.predictionOutput() == null || sig.targetName() == null)
            throw new DlmException("model " + sig.name() + " has no train block, so it has no loss to evaluate");
        data = conform(sig, data, "evaluation data");
        if (loss == null) loss = Losses.forPrediction(sig.prediction());
        Tensor pred = predictAll(model, data, batchSize, sig.predictionOutput());
        Tensor target = data.target(sig.targetName());
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", Losses.compute(loss, pred, target));
        out.putAll(Metrics.compute(sig.metrics(), pred, target, sig.prediction()));
        return out;
    }

    /** One output of {@code predict} over the whole dataset, in order, as [n, sample...]. */
    public static Tensor predictAll(CompiledModel model, Dataset data, int batchSize, String output) {
        int n = data.size();
        TensorSpec spec = model.signature().output(output);
        int cols = sampleSize(spec, output);
        int[] shape = new int[spec.sampleShape().length + 1];
        shape[0] = n;
        System.arraycopy(spec.sampleShape(), 0, shape, 1, shape.length - 1);
        Tensor all = Tensor.zeros(shape);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Batcher inputs = new Batcher(data.inputs(), batchSize);
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            Tensor p = model.predict(inputs.gather(order, from, to)).get(output);
            if (p == null || p.numel() != (to - from) * cols)
                throw new IllegalStateException("predict returned " + (p == null ? "no " + output
                        : output + " of shape " + Arrays.toString(p.shape())) + " for a batch of " + (to - from));
            System.arraycopy(p.data(), 0, all.data(), from * cols, p.numel());
        }
        return all;
    }

    private static int sampleSize(TensorSpec spec, String name) {
        if (spec == null) throw new IllegalStateException("the signature has no output " + name);
        return spec.sampleSize();
    }

    /**
     * Checks that the data provides every input and target of the model with the right sample
     * size, and views each under the model's sample shape (so [n, 1] class ids feed a [] target).
     * Extra tensors in the data are dropped.
     */
    static Dataset conform(ModelSignature sig, Dataset data, String what) {
        Map<String, Tensor> in = new LinkedHashMap<>(), tg = new LinkedHashMap<>();
        for (TensorSpec s : sig.inputs()) in.put(s.name(), conform(s, data.inputs(), what, "input"));
        for (TensorSpec s : sig.targets()) tg.put(s.name(), conform(s, data.targets(), what, "target"));
        return new Dataset(in, tg);
    }

    private static Tensor conform(TensorSpec s, Map<String, Tensor> have, String what, String kind) {
        Tensor t = have.get(s.name());
        if (t == null)
            throw new DlmException(what + " has no " + kind + " named \"" + s.name() + "\" (it has: "
                    + String.join(", ", have.keySet()) + ")");
        if (t.sampleSize() != s.sampleSize())
            throw new DlmException(what + ": " + kind + " \"" + s.name() + "\" has samples of shape "
                    + Arrays.toString(Arrays.copyOfRange(t.shape(), 1, t.rank())) + ", the model expects "
                    + Arrays.toString(s.sampleShape()));
        float[] d = t.data();
        int per = Math.max(1, s.sampleSize());
        for (int i = 0; i < d.length; i++)
            if (!Float.isFinite(d[i]))
                throw new DlmException(what + ": " + kind + " \"" + s.name() + "\" holds " + d[i] + " in sample " + (i / per)
                        + " (0-based), value " + (i % per) + "; missing values must be filled in before training");
        int[] shape = new int[s.sampleShape().length + 1];
        shape[0] = t.dim(0);
        System.arraycopy(s.sampleShape(), 0, shape, 1, shape.length - 1);
        return Arrays.equals(shape, t.shape()) ? t : t.reshape(shape);
    }

    /** Enough to know later where a checkpoint came from and how to prepare inputs for it. */
    private static Map<String, String> metadata(int epoch, String monitor, double value, Standardizer st) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt"); // what PyTorch's safetensors writer puts here; loaders check it
        m.put("dlm.epoch", Integer.toString(epoch));
        m.put("dlm.monitor", monitor);
        m.put("dlm.value", Double.toString(value));
        if (st != null) {
            Map<String, Object> stats = new LinkedHashMap<>();
            st.mean().forEach((name, mean) -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("mean", toList(mean));
                one.put("std", toList(st.std().get(name)));
                stats.put(name, one);
            });
            m.put("dlm.standardize", Json.write(stats));
        }
        return m;
    }

    private static List<Object> toList(Tensor t) {
        List<Object> l = new ArrayList<>(t.numel());
        for (float f : t.data()) l.add((double) f);
        return l;
    }
}
