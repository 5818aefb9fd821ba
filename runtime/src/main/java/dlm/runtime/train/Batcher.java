package dlm.runtime.train;

import dlm.runtime.Tensor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gathers batches of named tensors into buffers allocated once: one set for full batches and
 * one for the last, partial batch. The returned maps (and tensors) are reused by the next call.
 */
final class Batcher {
    private final Map<String, Tensor> sources;
    private final int batchSize;
    private final Map<String, Tensor> full = new LinkedHashMap<>(), partial = new LinkedHashMap<>();
    private final Map<String, Tensor> fullView = Collections.unmodifiableMap(full);
    private final Map<String, Tensor> partialView = Collections.unmodifiableMap(partial);

    Batcher(Map<String, Tensor> sources, int batchSize) {
        this.sources = sources;
        int n = sources.isEmpty() ? 0 : sources.values().iterator().next().dim(0);
        this.batchSize = Math.min(batchSize, Math.max(n, 1));
        int rest = n % this.batchSize;
        sources.forEach((name, t) -> {
            full.put(name, buffer(t, this.batchSize));
            if (rest != 0) partial.put(name, buffer(t, rest));
        });
    }

    private static Tensor buffer(Tensor like, int rows) {
        int[] s = like.shape();
        s[0] = rows;
        return Tensor.zeros(s);
    }

    /** Rows {@code order[from..to)} of every source; {@code to - from} is the batch size or the remainder. */
    Map<String, Tensor> gather(int[] order, int from, int to) {
        Map<String, Tensor> dst = to - from == batchSize ? full : partial;
        for (Map.Entry<String, Tensor> e : sources.entrySet())
            e.getValue().rows(order, from, to, dst.get(e.getKey()));
        return dst == full ? fullView : partialView;
    }
}
