package dlm.codegen.jvm;

import dlm.ir.Node;
import dlm.ir.Value;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which fused loops run split over the kernel threads, and how. A loop of elementwise ops only
 * (a reduction must keep its summation order, so a loop that accumulates stays on one thread)
 * with at least {@link #MIN_ELEMENTS} elements is split into contiguous ranges of its outermost
 * collapsed axis, one per thread (rt.RangeSplit). Every element is computed by the same code
 * whatever the thread count, so the floats are too.
 *
 * <p>When the loop is one flat axis, that axis is also the innermost one, which the vector form
 * walks a whole vector at a time: the ranges then start at multiples of the lanes, so that only
 * the last part has a scalar tail, the tail the whole loop has.
 */
final class LoopSplit {
    private LoopSplit() {}

    /**
     * Fewest elements worth handing a loop to the team: a hand-off costs a few microseconds (waking
     * a parked worker), about what one thread takes for 16K-32K floats of a short elementwise loop.
     * {@code -Ddlm.splitElements=N} changes it (for measuring).
     */
    static final int MIN_ELEMENTS = Integer.getInteger("dlm.splitElements", 1 << 16);

    /** A split loop: its outermost collapsed axis has {@code outer} positions, split at multiples of {@code grain}. */
    record Plan(int outer, int grain) {}

    /** How kernel k is split, or null when it runs whole on the calling thread. */
    static Plan of(EmitContext cx, Fusion.Kernel k) {
        if (!k.fused() || Epilogues.isEpilogue(k) || !elementwiseOnly(k.nodes()) || !partsIndependent(cx, k)) return null;
        long elements = 1;
        for (int d : k.loopShape(cx.batch())) elements *= d;
        if (elements < MIN_ELEMENTS) return null;
        LoopNest.Collapsed c = FusedKernelEmitter.collapsed(cx, k.nodes(), k.internal());
        int outer = c.dims()[0];
        if (outer < 2) return null;
        return new Plan(outer, c.dims().length == 1 ? VectorInner.lanes() : 1);
    }

    /**
     * Whether no part can overwrite floats another part has still to read. ArenaPlanner lets a
     * loop's output share floats with an input it reads at the same index, starting at or before
     * that input: one thread reads each element before it overwrites it, but a part further on
     * would overwrite elements a part before it has not read yet, unless the two start together.
     */
    static boolean partsIndependent(EmitContext cx, Fusion.Kernel k) {
        Set<Value> produced = new HashSet<>();
        for (Node n : k.nodes()) produced.add(n.out());
        for (Node n : k.nodes()) {
            if (k.internal().contains(n.out())) continue;
            int out = cx.off(n.out()), outEnd = out + cx.numel(n.out());
            for (Node r : k.nodes())
                for (Value v : Fusion.reads(r)) {
                    if (produced.contains(v) || cx.constant(v) != null) continue;
                    int in = cx.off(v), inEnd = in + cx.numel(v);
                    boolean overlap = in < outEnd && out < inEnd;
                    if (overlap && !(in == out && Arrays.equals(cx.shape(v), cx.shape(n.out())))) return false;
                }
        }
        return true;
    }

    /** Whether every op is computed element by element from its inputs at that element (no reduction, no row op). */
    static boolean elementwiseOnly(List<Node> nodes) {
        for (Node n : nodes) if (!Fusion.elementwise(n.op())) return false;
        return true;
    }
}
