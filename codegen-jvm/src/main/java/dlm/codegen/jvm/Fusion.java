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
    }

    static boolean elementwise(Op op) {
        return op instanceof Op.Unary || op instanceof Op.Binary || op instanceof Op.UnaryGrad
                || op instanceof Op.BinaryCrossEntropy || op instanceof Op.BinaryCrossEntropyGrad;
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
            case Op.SumTo _, Op.Reduce _, Op.ReduceGrad _ -> op.opName() + " is a reduction";
            case Op.Transpose _ -> "transpose is a strided copy";
            case Op.Fill _ -> "fill is a library call";
            default -> op.opName() + " is not fused";
        };
    }

    static List<Kernel> plan(Graph g, Map<String, Value> outputs, List<Node> schedule, int batch, boolean fuse) {
        Map<Value, List<Node>> consumers = new HashMap<>();
        for (Node n : schedule) for (Value in : n.inputs()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
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
            boolean readsGroup = false;
            for (Value in : n.inputs()) for (Node x : group) if (x.out().equals(in)) readsGroup = true;
            if (leaf(op) || (op instanceof Op.Reshape && !readsGroup)) {
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
            if (elementwise(op)) {
                int[] s = n.out().shape().resolve(batch);
                if (!group.isEmpty() && Arrays.equals(s, shape) && group.size() < MAX_OPS) {
                    group.add(n);
                    continue;
                }
                scalars = flush(kernels, scalars, consumers, kept);
                if (!group.isEmpty()) kernels.add(close(group, consumers, kept,
                        group.size() >= MAX_OPS ? "loop holds " + MAX_OPS + " ops at most"
                                : "different loop shape " + Arrays.toString(shape) + " -> " + Arrays.toString(s)));
                group = new ArrayList<>(List.of(n));
                shape = s;
                continue;
            }
            scalars = flush(kernels, scalars, consumers, kept);
            if (!group.isEmpty()) kernels.add(close(group, consumers, kept, noCode(op) ? "value " + n.input(0) + " is reshaped" : alone(op)));
            group = new ArrayList<>();
            kernels.add(new Kernel(List.of(n), Set.of(), !noCode(op), noCode(op) ? "" : alone(op)));
        }
        scalars = flush(kernels, scalars, consumers, kept);
        if (!group.isEmpty()) kernels.add(close(group, consumers, kept, "end of the step"));
        return Epilogues.attach(g, outputs, schedule, batch, kernels);
    }

    private static long numel(int[] s) { long n = 1; for (int d : s) n *= d; return n; }

    private static List<Node> flush(List<Kernel> kernels, List<Node> scalars, Map<Value, List<Node>> consumers, Set<Value> kept) {
        if (!scalars.isEmpty()) kernels.add(close(scalars, consumers, kept, "scalar loop beside the next one"));
        return new ArrayList<>();
    }

    private static Kernel close(List<Node> group, Map<Value, List<Node>> consumers, Set<Value> kept, String boundary) {
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
        for (Node n : schedule) if (!k.nodes().contains(n) && n.inputs().contains(v)) outside++;
        return outside + " consumer" + (outside == 1 ? "" : "s") + " after the loop";
    }
}
