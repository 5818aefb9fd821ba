package dlm.codegen.jvm;

import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Groups the schedule into kernels, one generated method each. Runs of elementwise ops
 * (unary, unary gradient, broadcasting binary, binary cross-entropy and its gradient) with the
 * same output shape become ONE loop: a value used only inside its loop lives in a local and gets
 * no arena slot; a value read after the loop, an output or an update is stored (a loop may store
 * several, as an optimizer update stores m, v and p). Leaves with no inputs (fills, params, fed
 * values) and reshapes of values computed before the run are hoisted in front of the loop being
 * grown, so they do not split it; a scalar fill that only elementwise ops read is a bytecode
 * constant and needs no code at all. Every other op is a kernel of its own.
 *
 * <p>{@code -Ddlm.fuse=false} turns fusion off: every op is then its own kernel, as before.
 */
final class Fusion {
    private Fusion() {}

    /** Most ops one fused loop holds: keeps generated methods well under HotSpot's 8000-byte JIT limit. */
    static final int MAX_OPS = 24;

    static boolean enabledByDefault() { return !"false".equalsIgnoreCase(System.getProperty("dlm.fuse", "true")); }

    /**
     * One kernel: its nodes in order, the values of a fused loop kept in locals (no arena slot),
     * whether it runs code, and why the next kernel is not part of it.
     */
    record Kernel(List<Node> nodes, Set<Value> internal, boolean code, String boundary) {
        boolean fused() { return nodes.size() > 1; }

        /** The shape a fused loop iterates: its first op's (reductions come after the values they reduce). */
        int[] loopShape(int batch) { return nodes.getFirst().out().shape().resolve(batch); }
    }

    /** Ops computed element by element; the gradient of a sum or mean is a broadcast of dy. */
    static boolean elementwise(Op op) {
        return op instanceof Op.Unary || op instanceof Op.Binary || op instanceof Op.UnaryGrad
                || op instanceof Op.BinaryCrossEntropy || op instanceof Op.BinaryCrossEntropyGrad
                || (op instanceof Op.ReduceGrad r && (r.fn() == Op.ReduceFn.SUM || r.fn() == Op.ReduceFn.MEAN));
    }

    private static boolean leaf(Op op) {
        return op instanceof Op.Input || op instanceof Op.Target || op instanceof Op.Param || op instanceof Op.Fill;
    }

    private static boolean noCode(Op op) {
        return op instanceof Op.Input || op instanceof Op.Target || op instanceof Op.Param || op instanceof Op.Reshape;
    }

    /** Why a kernel made of this op stands alone. */
    static String alone(Op op) {
        return switch (op) {
            case Op.MatMul _, Op.Conv2d _, Op.Conv2dGradInput _, Op.Conv2dGradWeight _, Op.MaxPool2d _, Op.MaxPool2dGrad _,
                 Op.AvgPool2d _, Op.AvgPool2dGrad _, Op.Upsample _, Op.UpsampleGrad _, Op.Softmax _, Op.LogSoftmax _,
                 Op.SoftmaxGrad _, Op.LogSoftmaxGrad _, Op.Concat _, Op.Slice _, Op.SliceGrad _, Op.Embedding _,
                 Op.EmbeddingGrad _, Op.OneHot _, Op.DropoutMask _ -> op.opName() + " is a library call";
            case Op.ChannelsLast _ -> op.opName() + " is a library call";
            case Op.SumTo _, Op.Reduce _, Op.ReduceGrad _ -> op.opName() + " is a reduction";
            case Op.Transpose _ -> "transpose is a strided copy";
            case Op.Fill _ -> "fill is a library call";
            default -> op.opName() + " is not fused";
        };
    }

    static List<Kernel> plan(Graph g, Map<String, Value> outputs, List<Node> schedule, int batch, boolean fuse) {
        Map<Value, List<Node>> consumers = new HashMap<>();
        for (Node n : schedule) for (Value in : reads(n)) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        Set<Value> kept = new HashSet<>(outputs.values());
        kept.addAll(g.updates().values());

        List<Kernel> kernels = new ArrayList<>();
        if (!fuse) {
            for (Node n : schedule)
                kernels.add(new Kernel(List.of(n), Set.of(), !noCode(n.op()), noCode(n.op()) ? "" : "fusion is off"));
            return kernels;
        }
        List<Node> group = new ArrayList<>(), scalars = new ArrayList<>();
        int[] shape = null;
        for (Node n : schedule) {
            Op op = n.op();
            if (op instanceof Op.Fill && n.out().shape().numel(batch) == 1 && !kept.contains(n.out())
                    && consumers.getOrDefault(n.out(), List.of()).stream().allMatch(c -> elementwise(c.op()))) {
                kernels.add(new Kernel(List.of(n), Set.of(n.out()), false, "")); // a bytecode constant of its readers
                continue;
            }
            boolean readsGroup = readsAny(n, group);
            if (hoisted(op, readsGroup)) {
                kernels.add(new Kernel(List.of(n), Set.of(), !noCode(op), noCode(op) ? "" : alone(op)));
                continue;
            }
            if (elementwise(op) && !readsGroup && !group.isEmpty() && n.out().shape().numel(batch) == 1
                    && numel(shape) != 1) {
                // a scalar computation beside the loop being grown (Adam's bias corrections): its own loop, in front
                if (!scalars.isEmpty() && !Arrays.equals(scalars.getFirst().out().shape().resolve(batch), n.out().shape().resolve(batch)))
                    scalars = flush(kernels, scalars, consumers, kept);
                if (scalars.size() >= MAX_OPS) { kernels.add(close(scalars, consumers, kept, "loop holds " + MAX_OPS + " ops at most")); scalars = new ArrayList<>(); }
                scalars.add(n);
                continue;
            }
            if (joins(group, shape, n, batch)) {
                group.add(n);
                continue;
            }
            scalars = flush(kernels, scalars, consumers, kept);
            if (!group.isEmpty()) kernels.add(close(group, consumers, kept, boundary(group, shape, n, batch)));
            group = new ArrayList<>();
            if (startsLoop(n, batch)) {
                group.add(n);
                shape = n.out().shape().resolve(batch);
                continue;
            }
            kernels.add(new Kernel(List.of(n), Set.of(), !noCode(op), noCode(op) ? "" : alone(op)));
        }
        scalars = flush(kernels, scalars, consumers, kept);
        if (!group.isEmpty()) kernels.add(close(group, consumers, kept, "end of the step"));
        return recomputeSoftmaxRows(Epilogues.attach(g, outputs, schedule, batch, kernels), consumers, kept);
    }

    /**
     * A softmax or log_softmax row read by a later fused loop (log_softmax_grad reading the
     * log-probabilities of a cross-entropy loss) is computed again in that loop from its input,
     * when that input is stored anyway (the logits): two passes over a row of the logits cost
     * less than storing the [N, classes] result in one loop and reading it in the other. A row
     * every later reader recomputes is then not stored at all.
     */
    private static List<Kernel> recomputeSoftmaxRows(List<Kernel> kernels, Map<Value, List<Node>> consumers, Set<Value> kept) {
        Set<Value> internalAnywhere = new HashSet<>();
        Map<Value, Integer> kernelOf = new HashMap<>();
        for (int i = 0; i < kernels.size(); i++) {
            internalAnywhere.addAll(kernels.get(i).internal());
            for (Node n : kernels.get(i).nodes()) kernelOf.putIfAbsent(n.out(), i);
        }
        List<Kernel> out = new ArrayList<>(kernels);
        Map<Value, Set<Node>> recomputedBy = new HashMap<>(); // a row value -> readers that recompute it
        for (int i = 0; i < out.size(); i++) {
            Kernel k = out.get(i);
            if (!k.code() || !k.nodes().stream().allMatch(n -> elementwise(n.op()) || rowOp(n) || accumulates(n.op()))) continue;
            List<Node> nodes = new ArrayList<>(k.nodes());
            Set<Value> internal = new LinkedHashSet<>(k.internal());
            for (int at = 0; at < nodes.size(); at++) {
                for (Value v : reads(nodes.get(at))) {
                    Integer from = kernelOf.get(v);
                    if (from == null || from == i || !out.get(from).fused()) continue;
                    Node row = out.get(from).nodes().stream().filter(n -> n.out().equals(v)).findFirst().orElseThrow();
                    boolean softmax = row.op() instanceof Op.Softmax || row.op() instanceof Op.LogSoftmax;
                    if (!softmax || !rowOp(row) || internalAnywhere.contains(row.input(0)) || nodes.contains(row)) continue;
                    nodes.add(at, row);
                    internal.add(v);
                    for (Node n : nodes) if (reads(n).contains(v)) recomputedBy.computeIfAbsent(v, x -> new HashSet<>()).add(n);
                    at++;
                }
            }
            if (nodes.size() > k.nodes().size()) out.set(i, new Kernel(List.copyOf(nodes), internal, true, k.boundary()));
        }
        // the loop that first computes a recomputed row stores it only for readers that do not recompute it
        for (var e : recomputedBy.entrySet()) {
            int from = kernelOf.get(e.getKey());
            Kernel k = out.get(from);
            boolean stillRead = false;
            for (Node c : consumers.getOrDefault(e.getKey(), List.of()))
                if (!k.nodes().contains(c) && !e.getValue().contains(c)) stillRead = true;
            if (stillRead || kept.contains(e.getKey()) || k.internal().contains(e.getKey())) continue;
            Set<Value> internal = new LinkedHashSet<>(k.internal());
            internal.add(e.getKey());
            out.set(from, new Kernel(k.nodes(), internal, k.code(), k.boundary()));
        }
        return out;
    }

    /**
     * Ops that do not read the loop being grown run in front of it rather than ending it: leaves,
     * reshapes (views), and one_hot of a target (a cross-entropy loss reads it between its
     * log_softmax and its product).
     */
    private static boolean hoisted(Op op, boolean readsGroup) {
        return leaf(op) || ((op instanceof Op.Reshape || op instanceof Op.OneHot) && !readsGroup);
    }

    /** Whether n can start a loop: elementwise ops, and softmax family ops along the last axis (row loops). */
    private static boolean startsLoop(Node n, int batch) {
        return elementwise(n.op()) || rowOp(n);
    }

    /** Whether n becomes part of the loop being grown (of the given loop shape). */
    private static boolean joins(List<Node> group, int[] shape, Node n, int batch) {
        if (group.isEmpty() || group.size() >= MAX_OPS || readsReduction(n, group)) return false;
        Op op = n.op();
        if (accumulates(op)) {
            // a reduction of a value the loop computes: accumulated inside the loop, the value never stored for it
            Value x = n.input(0);
            return Arrays.equals(x.shape().resolve(batch), shape) && producedBy(x, group) && !accumulates(producer(x, group).op());
        }
        return (elementwise(op) || rowOp(n)) && Arrays.equals(n.out().shape().resolve(batch), shape);
    }

    /** Why n does not join the loop that ends before it. */
    private static String boundary(List<Node> group, int[] shape, Node n, int batch) {
        Op op = n.op();
        if (group.size() >= MAX_OPS) return "loop holds " + MAX_OPS + " ops at most";
        for (Value in : reads(n))
            if (producedBy(in, group) && accumulates(producer(in, group).op()))
                return op.opName() + " reads " + in + ", a reduction complete only at the end of the loop";
        if (noCode(op)) return "value " + n.input(0) + " is reshaped";
        if (accumulates(op)) return op.opName() + " reduces " + n.input(0) + ", which the loop does not compute";
        if (elementwise(op) || rowOp(n)) {
            int[] s = n.out().shape().resolve(batch);
            return "different loop shape " + Arrays.toString(shape) + " -> " + Arrays.toString(s);
        }
        return alone(op);
    }

    /** Reductions a loop can accumulate as it goes: sums, means and maxima, and sum_to. */
    static boolean accumulates(Op op) {
        return op instanceof Op.SumTo || (op instanceof Op.Reduce r && r.fn() != Op.ReduceFn.VAR_UNBIASED);
    }

    /** Softmax, log_softmax and their gradients along the last axis: a loop over rows with extra passes over each row. */
    static boolean rowOp(Node n) {
        Integer axis = switch (n.op()) {
            case Op.Softmax s -> s.axis();
            case Op.LogSoftmax s -> s.axis();
            case Op.SoftmaxGrad s -> s.axis();
            case Op.LogSoftmaxGrad s -> s.axis();
            default -> null;
        };
        int rank = n.out().shape().rank();
        return axis != null && rank > 0 && n.out().shape().axis(axis) == rank - 1;
    }

    /**
     * The values an op reads. The gradient of a sum or mean only broadcasts dy: its x and y
     * inputs give shapes, so they are not read and need not be stored for it.
     */
    static List<Value> reads(Node n) {
        if (n.op() instanceof Op.ReduceGrad r && (r.fn() == Op.ReduceFn.SUM || r.fn() == Op.ReduceFn.MEAN)) return List.of(n.input(0));
        return n.inputs();
    }

    private static boolean readsAny(Node n, List<Node> group) {
        for (Value in : n.inputs()) if (producedBy(in, group)) return true;
        return false;
    }

    private static boolean readsReduction(Node n, List<Node> group) {
        for (Value in : n.inputs()) if (producedBy(in, group) && accumulates(producer(in, group).op())) return true;
        return false;
    }

    private static boolean producedBy(Value v, List<Node> group) { return producer(v, group) != null; }

    private static Node producer(Value v, List<Node> group) {
        for (Node x : group) if (x.out().equals(v)) return x;
        return null;
    }

    private static long numel(int[] s) { long n = 1; for (int d : s) n *= d; return n; }

    private static List<Node> flush(List<Kernel> kernels, List<Node> scalars, Map<Value, List<Node>> consumers, Set<Value> kept) {
        if (!scalars.isEmpty()) kernels.add(close(scalars, consumers, kept, "scalar loop beside the next one"));
        return new ArrayList<>();
    }

    private static Kernel close(List<Node> group, Map<Value, List<Node>> consumers, Set<Value> kept, String boundary) {
        // readers are counted by what they read (reads), so a reduce_grad's shape-only inputs keep no value stored
        Set<Node> members = new HashSet<>(group);
        Set<Value> internal = new LinkedHashSet<>();
        if (group.size() > 1)
            for (Node n : group)
                if (!kept.contains(n.out()) && members.containsAll(consumers.getOrDefault(n.out(), List.of()))) internal.add(n.out());
        return new Kernel(List.copyOf(group), internal, true, boundary);
    }

    /** Why a value a fused loop computes is stored in the arena. */
    static String storedBecause(Graph g, Kernel k, Value v, Map<String, Value> outputs, List<Node> schedule) {
        for (var e : g.updates().entrySet()) if (e.getValue().equals(v)) return "update of " + e.getKey();
        for (var e : outputs.entrySet()) if (e.getValue().equals(v)) return "output " + e.getKey();
        int outside = 0;
        for (Node n : schedule) if (!k.nodes().contains(n) && reads(n).contains(v)) outside++;
        return outside + " consumer" + (outside == 1 ? "" : "s") + " after the loop";
    }
}
