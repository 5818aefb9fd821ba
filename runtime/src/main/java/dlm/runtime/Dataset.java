package dlm.runtime;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Named input tensors and named target tensors that share their first (sample) dimension.
 * Immutable in structure; the tensors themselves are not copied.
 */
public record Dataset(Map<String, Tensor> inputs, Map<String, Tensor> targets) {
    public Dataset {
        inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        targets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        if (inputs.isEmpty()) throw new IllegalArgumentException("a dataset needs at least one input");
        int n = -1;
        String first = null;
        for (Map<String, Tensor> m : java.util.List.of(inputs, targets))
            for (Map.Entry<String, Tensor> e : m.entrySet()) {
                Tensor t = e.getValue();
                if (t.rank() == 0) throw new DlmException("dataset tensor \"" + e.getKey() + "\" has no sample axis");
                if (n < 0) {
                    n = t.dim(0);
                    first = e.getKey();
                } else if (t.dim(0) != n)
                    throw new DlmException("dataset tensors disagree on the number of samples: \"" + first + "\" has "
                            + n + ", \"" + e.getKey() + "\" has " + t.dim(0));
            }
    }

    /** One input and one target. */
    public static Dataset of(String input, Tensor x, String target, Tensor y) {
        return new Dataset(Map.of(input, x), Map.of(target, y));
    }

    public int size() {
        return inputs.values().iterator().next().dim(0);
    }

    public Tensor input(String name) {
        return inputs.get(name);
    }

    public Tensor target(String name) {
        return targets.get(name);
    }

    /** The samples at {@code idx}, in that order (copies). */
    public Dataset subset(int[] idx) {
        Map<String, Tensor> in = new LinkedHashMap<>(), tg = new LinkedHashMap<>();
        inputs.forEach((k, v) -> in.put(k, v.rows(idx)));
        targets.forEach((k, v) -> tg.put(k, v.rows(idx)));
        return new Dataset(in, tg);
    }

    /** Both halves of a {@link #split}. */
    public record Split(Dataset train, Dataset validation) {}

    /**
     * A shuffled split: {@code validationFraction} of the samples (rounded, at least one when
     * the fraction is positive) go to validation. The same seed gives the same split.
     */
    public Split split(double validationFraction, long seed) {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new DlmException("validation split must be between 0 and 1 (exclusive), got " + validationFraction);
        int n = size();
        int nVal = Math.max(1, (int) Math.round(n * validationFraction));
        if (nVal >= n) throw new DlmException("validation split " + validationFraction + " leaves no training samples out of " + n);
        int[] perm = permutation(n, new SplittableRandom(seed));
        int[] val = Arrays.copyOfRange(perm, 0, nVal);
        int[] tr = Arrays.copyOfRange(perm, nVal, n);
        // Sorted so that each half keeps the file's order; only membership is random.
        Arrays.sort(val);
        Arrays.sort(tr);
        return new Split(subset(tr), subset(val));
    }

    /** A fresh Fisher-Yates permutation of 0..n-1. */
    public static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        shuffle(p, rng);
        return p;
    }

    /** Fisher-Yates in place. */
    public static void shuffle(int[] p, SplittableRandom rng) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }

    /** The same tensors under other names, for matching a model's signature. */
    public Dataset rename(String input, String target) {
        if (inputs.size() != 1 || targets.size() > 1)
            throw new IllegalStateException("rename needs exactly one input and at most one target");
        Map<String, Tensor> tg = targets.isEmpty() ? Map.of() : Map.of(target, targets.values().iterator().next());
        return new Dataset(Map.of(input, inputs.values().iterator().next()), tg);
    }
}
