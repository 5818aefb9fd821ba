package dlm.codegen.jvm;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import dlm.runtime.DlmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans the work region of the arena at compile time: every value that is not state gets an
 * offset, and a value's floats are reused once its last reader has run (first fit over live
 * intervals). Intervals are inclusive at both ends, so an op's output never shares floats with
 * its own inputs or scratch: no kernel has to be safe in place. The one exception is a fused
 * elementwise loop, which loads all its inputs at an index before storing there: an input of
 * the loop's own shape that nothing reads later may share floats with an output of the loop.
 *
 * <p>Positions: inputs and targets are copied in before the run (position 0), node i of the
 * schedule runs at i + 1, and values the caller reads after the run (outputs, updates) live
 * to the end. A reshape is a view: it shares its input's floats and extends their lifetime.
 *
 * <p>Updates in place (for graphs whose runs are always committed): the new value of a piece of
 * state is written straight over it when nothing reads the old value after the new one is
 * defined, except the defining elementwise loop itself at the same index (an optimizer's step
 * reads a weight and its moments and writes their new values). The commit then has nothing to
 * copy for it: keras_mlp's Adam step moves 5 MB less per step.
 */
final class ArenaPlanner {
    private ArenaPlanner() {}

    /** A block of floats with a live interval; offset set by the planner. */
    private static final class Block {
        final long size;
        final int def;
        int end;
        long offset = -1;
        Block(long size, int def, int end) { this.size = size; this.def = def; this.end = end; }
    }

    /** Plans with every node of the schedule a kernel of its own. */
    static ArenaPlan plan(Graph g, Map<String, Value> outputs, List<Node> schedule, int batch, StateLayout state) {
        List<Fusion.Kernel> kernels = new ArrayList<>();
        for (Node n : schedule) kernels.add(new Fusion.Kernel(List.of(n), java.util.Set.of(), true, ""));
        return planKernels(g, outputs, kernels, batch, state, false);
    }

    /**
     * Plans the kernels in order: all nodes of a kernel run at the kernel's position, and the
     * values a fused loop keeps in locals get no floats.
     */
    static ArenaPlan planKernels(Graph g, Map<String, Value> outputs, List<Fusion.Kernel> kernels, int batch, StateLayout state,
                                 boolean updatesInPlace) {
        // positions are doubled: a fused loop at 2p reads its in-place inputs "at 2p - 1"
        int end = 2 * (kernels.size() + 1);
        Map<Value, Block> storage = new HashMap<>();
        Map<Value, Integer> stateOffset = new HashMap<>();
        Map<Node, Block> scratch = new IdentityHashMap<>();
        List<Block> blocks = new ArrayList<>();
        // the last position at which each piece of state (by offset) is read in its old value
        Map<Integer, Integer> stateRead = new HashMap<>();

        for (int i = 0; i < kernels.size(); i++) for (Node n : kernels.get(i).nodes()) {
            java.util.Set<Value> internal = kernels.get(i).internal();
            int pos = 2 * (i + 1);
            Fusion.Kernel kernel = kernels.get(i);
            // an epilogue kernel starts with a product, which must not write over what it reads
            int[] loop = kernel.fused() && !Epilogues.isEpilogue(kernel) ? kernel.loopShape(batch) : null;
            // a reduction inside a fused loop accumulates while the loop still reads: never in place of an input
            int def = kernel.fused() && Fusion.accumulates(n.op()) ? pos - 1 : pos;
            Value v = n.out();
            switch (n.op()) {
                case Op.Param p -> {
                    StateLayout.Slot s = state.slot(p.name());
                    if (s == null) throw new DlmException(g.name() + ": param '" + p.name() + "' is not in the model's state");
                    if (s.size() != v.shape().numel(batch))
                        throw new DlmException(g.name() + ": param '" + p.name() + "' is " + v.type() + " here but holds " + s.size() + " floats in the state");
                    stateOffset.put(v, s.offset());
                }
                case Op.Reshape r -> {
                    Value src = n.input(0);
                    if (stateOffset.containsKey(src)) stateOffset.put(v, stateOffset.get(src));
                    else storage.put(v, storage.get(src));
                }
                default -> {
                    if (internal.contains(v)) break;
                    boolean fed = n.op() instanceof Op.Input || n.op() instanceof Op.Target;
                    Block b = new Block(v.shape().numel(batch), fed ? 0 : def, fed ? 0 : pos);
                    storage.put(v, b);
                    blocks.add(b);
                }
            }
            for (Value in : n.inputs()) {
                Block b = storage.get(in);
                // a fused loop loads every input element before it stores any: an input it reads at the
                // output's own index (same shape) may share floats with one of its outputs
                boolean inPlace = loop != null && java.util.Arrays.equals(in.shape().resolve(batch), loop);
                int at = inPlace ? pos - 1 : pos;
                if (b != null) b.end = Math.max(b.end, at);
                Integer slot = stateOffset.get(in);
                if (slot != null) stateRead.merge(slot, at, Math::max);
            }
            long s = Scratch.floats(n, batch);
            if (s > 0) {
                Block b = new Block(s, pos, pos);
                scratch.put(n, b);
                blocks.add(b);
            }
        }
        for (Value v : outputs.values()) {
            extend(storage.get(v), end);
            Integer slot = stateOffset.get(v);
            if (slot != null) stateRead.merge(slot, end, Math::max);
        }
        Map<String, Block> staging = new HashMap<>();
        for (Map.Entry<String, Value> u : g.updates().entrySet()) {
            Value v = u.getValue();
            extend(storage.get(v), end);
            Integer from = stateOffset.get(v);
            StateLayout.Slot to = state.slot(u.getKey());
            if (to == null) throw new DlmException(g.name() + ": update of '" + u.getKey() + "', which is not in the model's state");
            if (from != null && from != to.offset()) {
                // the new value is another piece of state: stage it, as commit overwrites state in turn
                Block b = new Block(v.shape().numel(batch), end, end);
                staging.put(u.getKey(), b);
                blocks.add(b);
                stateRead.merge(from, end, Math::max); // staged after the run: read in its old value then
            }
        }
        if (updatesInPlace) {
            java.util.Set<Block> inState = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (Map.Entry<String, Value> u : g.updates().entrySet()) {
                Block b = storage.get(u.getValue());
                StateLayout.Slot to = state.slot(u.getKey());
                if (b == null || b.def == 0 || b.size != to.size() || inState.contains(b)) continue;
                if (stateRead.getOrDefault(to.offset(), -1) >= b.def) continue; // the old value is read after
                b.offset = to.offset();
                inState.add(b);
            }
            blocks.removeIf(inState::contains);
        }

        long top = firstFit(blocks, StateLayout.align(state.size()));
        if (top > Integer.MAX_VALUE - 64) throw new DlmException(g.name() + ": needs an arena of " + top + " floats at batch " + batch + ", more than a Java array holds");

        Map<Value, Integer> offsets = new HashMap<>(stateOffset);
        storage.forEach((v, b) -> offsets.put(v, (int) b.offset));
        Map<Node, Integer> scratchOff = new IdentityHashMap<>();
        scratch.forEach((n, b) -> scratchOff.put(n, (int) b.offset));
        Map<String, Integer> stagingOff = new HashMap<>();
        staging.forEach((k, b) -> stagingOff.put(k, (int) b.offset));
        return new ArenaPlan(offsets, scratchOff, stagingOff, (int) top);
    }

    private static void extend(Block b, int end) { if (b != null) b.end = Math.max(b.end, end); }

    /** Places blocks in order of definition at the lowest aligned offset free of every overlapping block. */
    private static long firstFit(List<Block> blocks, long base) {
        List<Block> order = new ArrayList<>(blocks);
        order.sort(Comparator.comparingInt((Block b) -> b.def).thenComparing(b -> -b.size));
        List<Block> placed = new ArrayList<>();
        long top = base;
        for (Block b : order) {
            List<Block> clash = new ArrayList<>(), inPlace = new ArrayList<>();
            for (Block p : placed) {
                if (p.def <= b.end && b.def <= p.end) clash.add(p);
                else if (p.end == b.def - 1 && (p.end & 1) == 1) inPlace.add(p); // read in place by the loop that defines b
            }
            clash.sort(Comparator.comparingLong(p -> p.offset));
            long at = base;
            for (Block p : clash) {
                if (at + b.size <= p.offset) break;
                at = Math.max(at, StateLayout.align(p.offset + p.size));
            }
            // a loop may overwrite an input it reads in place only behind its reads: b starts at or before it
            for (boolean moved = !inPlace.isEmpty(); moved; ) {
                moved = false;
                for (Block p : clash) if (at < p.offset + p.size && p.offset < at + b.size) { at = StateLayout.align(p.offset + p.size); moved = true; }
                for (Block p : inPlace) if (at > p.offset && at < p.offset + p.size) { at = StateLayout.align(p.offset + p.size); moved = true; }
            }
            b.offset = at;
            placed.add(b);
            top = Math.max(top, StateLayout.align(at + b.size));
        }
        return top;
    }
}
