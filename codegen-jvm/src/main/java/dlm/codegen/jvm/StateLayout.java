package dlm.codegen.jvm;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.runtime.DlmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each piece of state (weights, buffers, optimizer state) lives in the persistent
 * region at the start of a model's arena. One layout per model, shared by its inference,
 * training and gradient graphs, so that a training step's updates are what the next
 * prediction reads without any copy.
 */
public final class StateLayout {
    /** Offsets are multiples of this many floats (64 bytes: one AVX-512 vector, one cache line). */
    static final int ALIGN = 16;

    public record Slot(int offset, int size, int[] shape, Op.ParamKind kind) {}

    private final Map<String, Slot> slots;
    private final int size;

    private StateLayout(Map<String, Slot> slots, int size) {
        this.slots = Collections.unmodifiableMap(slots);
        this.size = size;
    }

    /** Every Param of the graph, in graph order. */
    public static StateLayout of(Graph g) {
        Map<String, Slot> m = new LinkedHashMap<>();
        long at = 0;
        for (Node n : g.params()) {
            Op.Param p = (Op.Param) n.op();
            if (n.out().shape().hasBatch()) throw new DlmException("param '" + p.name() + "' has a batch dimension: " + n.out().type());
            long numel = n.out().shape().numel(1);
            if (m.containsKey(p.name())) continue;
            m.put(p.name(), new Slot((int) at, (int) numel, n.out().shape().toArray(), p.kind()));
            at = align(at + numel);
            if (at > Integer.MAX_VALUE - 64) throw new DlmException(g.name() + ": state of " + at + " floats does not fit in one arena");
        }
        return new StateLayout(m, (int) at);
    }

    static long align(long n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

    public Map<String, Slot> slots() { return slots; }

    public Slot slot(String name) { return slots.get(name); }

    /** Floats taken by the state region; the work region starts here. */
    public int size() { return size; }
}
