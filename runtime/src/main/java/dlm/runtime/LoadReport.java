package dlm.runtime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Outcome of {@link CompiledModel#loadStateDict}, in PyTorch's terms: names the model expects
 * but were not given, names given that the model does not have, and names present in both
 * whose shapes differ (each described as {@code "name: expected [..], got [..]"}).
 */
public record LoadReport(List<String> loaded, List<String> missing, List<String> unexpected,
                         List<String> mismatched) {
    public LoadReport {
        loaded = List.copyOf(loaded);
        missing = List.copyOf(missing);
        unexpected = List.copyOf(unexpected);
        mismatched = List.copyOf(mismatched);
    }

    public boolean clean() {
        return missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty();
    }

    /**
     * Compares what a model expects (name to shape) with what is offered. Backends call this
     * first, then copy the tensors named in {@link #loaded()}, then {@link #throwIfStrict}.
     */
    public static LoadReport compare(Map<String, int[]> expected, Map<String, Tensor> given) {
        List<String> loaded = new ArrayList<>(), missing = new ArrayList<>(), mismatched = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (String name : new TreeSet<>(expected.keySet())) {
            Tensor t = given.get(name);
            int[] want = expected.get(name);
            if (t == null) missing.add(name);
            else if (!Arrays.equals(want, t.shape()))
                mismatched.add(name + ": expected " + Arrays.toString(want) + ", got " + Arrays.toString(t.shape()));
            else loaded.add(name);
        }
        for (String name : new TreeSet<>(given.keySet())) if (!expected.containsKey(name)) unexpected.add(name);
        return new LoadReport(loaded, missing, unexpected, mismatched);
    }

    /** In strict mode any problem is an error that lists every offending name. */
    public LoadReport throwIfStrict(boolean strict) {
        if (strict && !clean()) throw new DlmException("state dict does not match the model: " + describe());
        return this;
    }

    /** One line: {@code missing: a, b; unexpected: c; shape mismatch: d: expected [2], got [3]}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!missing.isEmpty()) parts.add("missing: " + String.join(", ", missing));
        if (!unexpected.isEmpty()) parts.add("unexpected: " + String.join(", ", unexpected));
        if (!mismatched.isEmpty()) parts.add("shape mismatch: " + String.join(", ", mismatched));
        return parts.isEmpty() ? "all " + loaded.size() + " tensors loaded" : String.join("; ", parts);
    }
}
