package dlm.codegen.jvm;

import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.Opcodes;

/**
 * A fused kernel (see {@link Fusion}) as one loop nest over its loop shape. Per element, each
 * op's result goes to a float local; the values in {@code internal} stay there, the others are
 * also stored. Reductions at the end of the kernel accumulate the element they reduce as the
 * loop goes, so that element is never stored for them. A kernel holding softmax-family ops
 * along the last axis loops over rows instead, with a pass over each row before the main one
 * per such op (its maximum and sum of exponentials, or its gradient's sum), the ops the pass
 * needs recomputed in it: computing again beats storing and reloading a row.
 *
 * <p>Arena inputs are read with broadcasting, each once per element and pass, all of them
 * before the element's first store: an output may share floats with an input (ArenaPlanner).
 */
final class FusedKernelEmitter implements Opcodes {
    private FusedKernelEmitter() {}

    /** An arena read: a value at the strides it is read with over the loop shape (a reduce_grad reads dy its own way). */
    record Read(Value v, List<Integer> strides) {}

    /** Row statistics of a softmax-family op: max (float local), sum and log of the sum (double locals). */
    private record RowStats(int max, int sum, int logSum) {}

    /** The operands of the loop nest, the row statistics, and which float local holds each value at this element. */
    static final class Kernel {
        final EmitContext cx;
        final List<Node> nodes;
        final Set<Value> internal, produced = new HashSet<>();
        final int[] loop;
        final List<Integer> bases = new ArrayList<>();
        final List<int[]> strides = new ArrayList<>();
        final Map<Read, Integer> inputs = new LinkedHashMap<>();
        final Map<Value, Integer> outputs = new HashMap<>();
        final Map<Node, RowStats> stats = new HashMap<>();
        /** Float locals holding an input that does not move along the innermost loop, loaded before it. */
        final Map<Read, Integer> invariant = new HashMap<>();
        /** Register accumulators of reductions whose output does not move along the innermost loop. */
        final Map<Node, Integer> register = new HashMap<>();

        Kernel(EmitContext cx, List<Node> nodes, Set<Value> internal) {
            this.cx = cx;
            this.nodes = nodes;
            this.internal = internal;
            this.loop = cx.shape(nodes.getFirst().out());
            for (Node n : nodes) produced.add(n.out());
            for (Node n : nodes) {
                if (Fusion.accumulates(n.op())) continue; // reads its input from a local
                for (Read r : reads(n)) if (r != null && !inputs.containsKey(r)) inputs.put(r, operand(cx.off(r.v()), toArray(r.strides())));
            }
            for (Node n : nodes)
                if (Fusion.accumulates(n.op())) outputs.put(n.out(), operand(cx.off(n.out()), accumulateStrides(n)));
                else if (!internal.contains(n.out())) outputs.put(n.out(), operand(cx.off(n.out()), LoopNest.strides(loop)));
        }

        private int operand(int base, int[] st) {
            bases.add(base);
            strides.add(st);
            return bases.size() - 1;
        }

        /** The arena reads of n's inputs, null for a value of the loop or a constant. */
        List<Read> reads(Node n) {
            List<Read> r = new ArrayList<>();
            for (Value v : Fusion.reads(n)) {
                if (produced.contains(v) || cx.constant(v) != null) { r.add(null); continue; }
                int[] st = n.op() instanceof Op.ReduceGrad g
                        ? ReductionEmitter.reducedStrides(loop, g.axes(), loop.length)
                        : LoopNest.broadcastStrides(cx.shape(v), loop);
                r.add(new Read(v, Arrays.stream(st).boxed().toList()));
            }
            return r;
        }

        int[] accumulateStrides(Node n) {
            return switch (n.op()) {
                case Op.Reduce r -> ReductionEmitter.reducedStrides(loop, r.axes(), loop.length);
                case Op.SumTo _ -> LoopNest.broadcastStrides(cx.shape(n.out()), loop);
                default -> throw new IllegalStateException("not a reduction: " + n.op().opName());
            };
        }

        int[] baseArray() { return bases.stream().mapToInt(Integer::intValue).toArray(); }

        int[][] strideArray() { return strides.toArray(int[][]::new); }

        boolean maxReduction(Node n) { return n.op() instanceof Op.Reduce r && r.fn() == Op.ReduceFn.MAX; }
    }

    private static int[] toArray(List<Integer> l) { return l.stream().mapToInt(Integer::intValue).toArray(); }

    static void emit(Method m, EmitContext cx, List<Node> nodes, Set<Value> internal) {
        Kernel k = new Kernel(cx, nodes, internal);
        for (Node n : nodes)
            if (Fusion.accumulates(n.op())) Loops.fill(m, cx.off(n.out()), cx.numel(n.out()), k.maxReduction(n) ? Float.NEGATIVE_INFINITY : 0f);
        boolean empty = Arrays.stream(k.loop).anyMatch(d -> d == 0);
        if (!empty) {
            if (nodes.stream().anyMatch(Fusion::rowOp)) rows(m, k);
            else flat(m, k);
        }
        for (Node n : nodes)
            if (n.op() instanceof Op.Reduce r && r.fn() == Op.ReduceFn.MEAN)
                Loops.divide(m, cx.off(n.out()), cx.numel(n.out()), (float) (cx.numel(n.input(0)) / cx.numel(n.out())));
    }

    /**
     * One part of a kernel split over threads (see {@link LoopSplit}): its loop with the outermost
     * collapsed axis over [from, to) (int locals). Pure elementwise kernels only: no reduction.
     */
    static void emitRange(Method m, EmitContext cx, List<Node> nodes, Set<Value> internal, int from, int to) {
        Kernel k = new Kernel(cx, nodes, internal);
        if (!LoopSplit.elementwiseOnly(nodes)) throw new IllegalStateException("a split loop may not reduce: " + nodes);
        flat(m, k, LoopNest.Bound.local(from), LoopNest.Bound.local(to));
    }

    /** The loop shape of a flat kernel after dropping unit axes and merging contiguous ones. */
    static LoopNest.Collapsed collapsed(EmitContext cx, List<Node> nodes, Set<Value> internal) {
        Kernel k = new Kernel(cx, nodes, internal);
        return LoopNest.collapse(k.loop, k.strideArray());
    }

    // ------------------------------------------------------------------ elementwise loop

    private static void flat(Method m, Kernel k) {
        flat(m, k, null, null);
    }

    /** The flat loop nest; from and to bound its outermost collapsed axis (null: all of it). */
    private static void flat(Method m, Kernel k, LoopNest.Bound from, LoopNest.Bound to) {
        LoopNest.Collapsed c = LoopNest.collapse(k.loop, k.strideArray());
        // inputs that do not move along the innermost loop (a bias, Adam's scalars) are loaded once before it:
        // the JIT cannot hoist them itself, as the loop stores into the same array
        for (var e : k.inputs.entrySet()) if (c.innerStride(e.getValue()) == 0) k.invariant.put(e.getKey(), m.newInt());
        for (Node n : k.nodes)
            if (Fusion.accumulates(n.op()) && c.innerStride(k.outputs.get(n.out())) == 0)
                k.register.put(n, k.maxReduction(n) ? m.newInt() : m.newDouble());
        boolean vector = VectorInner.supports(k, c);
        LoopNest.Body body = new LoopNest.Body() {
            @Override public LoopNest.Bound prefix(Method mm, LoopNest.Bound from, LoopNest.Bound to,
                                                   java.util.function.IntFunction<LoopNest.Index> at) {
                return vector ? VectorInner.emit(mm, k, from, to, at) : from;
            }
            @Override public void beforeInner(Method mm, LoopNest.Index idx) {
                for (var e : k.invariant.entrySet()) {
                    Loops.load(mm, idx, k.inputs.get(e.getKey()));
                    mm.mv.visitVarInsn(FSTORE, e.getValue());
                }
                for (var e : k.register.entrySet()) loadAccumulator(mm, k, idx, e.getKey(), e.getValue());
            }
            @Override public void inner(Method mm, LoopNest.Index idx) { element(mm, k, idx, k.nodes, true); }
            @Override public void afterInner(Method mm, LoopNest.Index idx) {
                for (var e : k.register.entrySet()) storeAccumulator(mm, k, idx, e.getKey(), e.getValue());
            }
        };
        if (from == null) LoopNest.emit(m, c, k.baseArray(), body);
        else LoopNest.emit(m, c, k.baseArray(), body, from, to);
    }

    // ------------------------------------------------------------------ row loop

    private static void rows(Method m, Kernel k) {
        int r = k.loop.length, cols = k.loop[r - 1];
        int[][] st = k.strideArray();
        int[] outer = r > 1 ? Arrays.copyOf(k.loop, r - 1) : new int[]{1};
        int[][] outerStrides = new int[st.length][];
        int[] last = new int[st.length];
        for (int i = 0; i < st.length; i++) {
            outerStrides[i] = r > 1 ? Arrays.copyOf(st[i], r - 1) : new int[]{0};
            last[i] = st[i][r - 1];
        }
        for (Node n : k.nodes)
            if (Fusion.accumulates(n.op()) && last[k.outputs.get(n.out())] == 0)
                k.register.put(n, k.maxReduction(n) ? m.newInt() : m.newDouble());
        LoopNest.emit(m, outer, k.baseArray(), outerStrides, (mm, idx) -> {
            int[] rowBase = new int[st.length];
            for (int i = 0; i < st.length; i++) {
                rowBase[i] = mm.newInt();
                idx.push(i);
                mm.mv.visitVarInsn(ISTORE, rowBase[i]);
            }
            for (var e : k.register.entrySet()) loadAccumulator(mm, k, i -> mm.mv.visitVarInsn(ILOAD, rowBase[i]), e.getKey(), e.getValue());
            for (Node n : k.nodes) if (Fusion.rowOp(n)) rowStatistics(mm, k, n, cols, rowBase, last);
            overRow(mm, cols, rowBase, last, at -> element(mm, k, at, k.nodes, true));
            for (var e : k.register.entrySet()) storeAccumulator(mm, k, i -> mm.mv.visitVarInsn(ILOAD, rowBase[i]), e.getKey(), e.getValue());
        });
    }

    /** Emits {@code for (c = 0; c < cols; c++) body} with operand i at rowBase[i] + c * last[i]; cols > 0. */
    private static void overRow(Method m, int cols, int[] rowBase, int[] last, java.util.function.Consumer<LoopNest.Index> body) {
        int c = m.newInt();
        m.pushInt(0);
        m.mv.visitVarInsn(ISTORE, c);
        LoopNest.counted(m, c, LoopNest.Bound.of(cols), 1, () -> body.accept(i -> {
            m.mv.visitVarInsn(ILOAD, rowBase[i]);
            if (last[i] != 0) {
                m.mv.visitVarInsn(ILOAD, c);
                if (last[i] != 1) { m.pushInt(last[i]); m.mv.visitInsn(IMUL); }
                m.mv.visitInsn(IADD);
            }
        }));
    }

    /**
     * The passes over the row that op n needs before the main one, computing exactly what
     * rt.SoftmaxOps computes (in double): softmax's max then sum of exp(x - max); the gradient's
     * sum of dy (log_softmax) or of dy * y (softmax).
     */
    private static void rowStatistics(Method m, Kernel k, Node n, int cols, int[] rowBase, int[] last) {
        List<Node> before = ancestors(k, n);
        List<Node> pass = new ArrayList<>(before);
        pass.add(n);
        boolean softmax = n.op() instanceof Op.Softmax || n.op() instanceof Op.LogSoftmax;
        if (softmax)
            for (var e : k.stats.entrySet()) // softmax and log_softmax of the same row (a classifier's probs and loss) share them
                if ((e.getKey().op() instanceof Op.Softmax || e.getKey().op() instanceof Op.LogSoftmax) && e.getKey().input(0).equals(n.input(0))) {
                    k.stats.put(n, e.getValue());
                    return;
                }
        int sum = m.newDouble();
        if (softmax) {
            int max = m.newInt();
            m.pushFloat(Float.NEGATIVE_INFINITY);
            m.mv.visitVarInsn(FSTORE, max);
            overRow(m, cols, rowBase, last, at -> {
                Map<Value, Integer> local = element(m, k, at, pass, false);
                m.mv.visitVarInsn(FLOAD, max);
                push(m, k, local, n.input(0));
                m.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
                m.mv.visitVarInsn(FSTORE, max);
            });
            m.mv.visitInsn(DCONST_0);
            m.mv.visitVarInsn(DSTORE, sum);
            overRow(m, cols, rowBase, last, at -> {
                Map<Value, Integer> local = element(m, k, at, pass, false);
                m.mv.visitVarInsn(DLOAD, sum);
                push(m, k, local, n.input(0));
                m.mv.visitInsn(F2D);
                m.mv.visitVarInsn(FLOAD, max);
                m.mv.visitInsn(F2D);
                m.mv.visitInsn(DSUB);
                m.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "exp", "(D)D", false);
                m.mv.visitInsn(DADD);
                m.mv.visitVarInsn(DSTORE, sum);
            });
            int logSum = m.newDouble();
            m.mv.visitVarInsn(DLOAD, sum);
            m.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "log", "(D)D", false);
            m.mv.visitVarInsn(DSTORE, logSum);
            k.stats.put(n, new RowStats(max, sum, logSum));
        } else {
            boolean log = n.op() instanceof Op.LogSoftmaxGrad;
            m.mv.visitInsn(DCONST_0);
            m.mv.visitVarInsn(DSTORE, sum);
            overRow(m, cols, rowBase, last, at -> {
                Map<Value, Integer> local = element(m, k, at, pass, false);
                m.mv.visitVarInsn(DLOAD, sum);
                push(m, k, local, n.input(0));
                m.mv.visitInsn(F2D);
                if (!log) {
                    push(m, k, local, n.input(1));
                    m.mv.visitInsn(F2D);
                    m.mv.visitInsn(DMUL);
                }
                m.mv.visitInsn(DADD);
                m.mv.visitVarInsn(DSTORE, sum);
            });
            k.stats.put(n, new RowStats(-1, sum, -1));
        }
    }

    /** The ops of the kernel before n that n's inputs depend on, in kernel order. */
    private static List<Node> ancestors(Kernel k, Node n) {
        Set<Value> needed = new HashSet<>(Fusion.reads(n));
        int at = k.nodes.indexOf(n);
        for (int i = at - 1; i >= 0; i--) if (needed.contains(k.nodes.get(i).out())) needed.addAll(Fusion.reads(k.nodes.get(i)));
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < at; i++) if (needed.contains(k.nodes.get(i).out())) out.add(k.nodes.get(i));
        return out;
    }

    // ------------------------------------------------------------------ one element

    /**
     * Computes the given ops at the current element into float locals (returned by value). In
     * the main pass (store) values not internal are stored and reductions accumulate; a row op
     * (last of a statistics pass) is left to its caller then.
     */
    private static Map<Value, Integer> element(Method m, Kernel k, LoopNest.Index idx, List<Node> which, boolean store) {
        Map<Value, Integer> local = new HashMap<>();
        Map<Read, Integer> loaded = new HashMap<>(k.invariant);
        for (Node n : which)
            for (Read r : k.reads(n)) {
                if (r == null || loaded.containsKey(r)) continue;
                Loops.load(m, idx, k.inputs.get(r));
                int l = m.newInt();
                m.mv.visitVarInsn(FSTORE, l);
                loaded.put(r, l);
            }
        for (Node n : which) {
            List<Read> rs = k.reads(n);
            List<Value> vs = Fusion.reads(n);
            for (int i = 0; i < vs.size(); i++) {
                if (rs.get(i) != null) local.put(vs.get(i), loaded.get(rs.get(i)));
            }
            if (Fusion.accumulates(n.op())) {
                if (store) accumulate(m, k, idx, n, local.get(n.input(0)));
                continue;
            }
            if (Fusion.rowOp(n) && !k.stats.containsKey(n)) continue; // the statistics pass computes from its inputs
            compute(m, k, local, n);
            int l = m.newInt();
            m.mv.visitVarInsn(FSTORE, l);
            local.put(n.out(), l);
            if (store && k.outputs.containsKey(n.out())) {
                m.arena();
                idx.push(k.outputs.get(n.out()));
                m.mv.visitVarInsn(FLOAD, l);
                m.mv.visitInsn(FASTORE);
            }
        }
        return local;
    }

    private static void push(Method m, Kernel k, Map<Value, Integer> local, Value v) {
        Integer l = local.get(v);
        if (l != null) m.mv.visitVarInsn(FLOAD, l);
        else if (k.cx.constant(v) != null) m.pushFloat(k.cx.constant(v));
        else throw new IllegalStateException("value " + v + " not loaded");
    }

    /** Pushes op n's float result at this element. */
    private static void compute(Method m, Kernel k, Map<Value, Integer> local, Node n) {
        switch (n.op()) {
            case Op.ReduceGrad r -> {
                push(m, k, local, n.input(0));
                if (r.fn() == Op.ReduceFn.MEAN) {
                    m.pushFloat((float) (k.cx.numel(n.out()) / k.cx.numel(n.input(0))));
                    m.mv.visitInsn(FDIV);
                }
            }
            case Op.Softmax _, Op.LogSoftmax _ -> {
                RowStats s = k.stats.get(n);
                push(m, k, local, n.input(0));
                m.mv.visitInsn(F2D);
                m.mv.visitVarInsn(FLOAD, s.max());
                m.mv.visitInsn(F2D);
                m.mv.visitInsn(DSUB);
                if (n.op() instanceof Op.LogSoftmax) {
                    m.mv.visitVarInsn(DLOAD, s.logSum());
                    m.mv.visitInsn(DSUB);
                } else {
                    m.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "exp", "(D)D", false);
                    m.mv.visitVarInsn(DLOAD, s.sum());
                    m.mv.visitInsn(DDIV);
                }
                m.mv.visitInsn(D2F);
            }
            case Op.LogSoftmaxGrad _ -> { // dy - exp(y) * sum(dy)
                push(m, k, local, n.input(0));
                m.mv.visitInsn(F2D);
                push(m, k, local, n.input(1));
                m.mv.visitInsn(F2D);
                m.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "exp", "(D)D", false);
                m.mv.visitVarInsn(DLOAD, k.stats.get(n).sum());
                m.mv.visitInsn(DMUL);
                m.mv.visitInsn(DSUB);
                m.mv.visitInsn(D2F);
            }
            case Op.SoftmaxGrad _ -> { // y * (dy - sum(dy * y))
                push(m, k, local, n.input(1));
                m.mv.visitInsn(F2D);
                push(m, k, local, n.input(0));
                m.mv.visitInsn(F2D);
                m.mv.visitVarInsn(DLOAD, k.stats.get(n).sum());
                m.mv.visitInsn(DSUB);
                m.mv.visitInsn(DMUL);
                m.mv.visitInsn(D2F);
            }
            default -> {
                for (Value v : n.inputs()) push(m, k, local, v);
                ElementwiseEmitter.apply(m, n.op());
            }
        }
    }

    private static void accumulate(Method m, Kernel k, LoopNest.Index idx, Node n, int value) {
        boolean max = k.maxReduction(n);
        Integer acc = k.register.get(n);
        if (acc != null) {
            if (max) {
                m.mv.visitVarInsn(FLOAD, acc);
                m.mv.visitVarInsn(FLOAD, value);
                m.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
                m.mv.visitVarInsn(FSTORE, acc);
            } else {
                m.mv.visitVarInsn(DLOAD, acc);
                m.mv.visitVarInsn(FLOAD, value);
                m.mv.visitInsn(F2D);
                m.mv.visitInsn(DADD);
                m.mv.visitVarInsn(DSTORE, acc);
            }
            return;
        }
        int o = k.outputs.get(n.out());
        m.arena();
        idx.push(o);
        Loops.load(m, idx, o);
        m.mv.visitVarInsn(FLOAD, value);
        if (max) m.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
        else m.mv.visitInsn(FADD);
        m.mv.visitInsn(FASTORE);
    }

    private static void loadAccumulator(Method m, Kernel k, LoopNest.Index idx, Node n, int acc) {
        Loops.load(m, idx, k.outputs.get(n.out()));
        if (k.maxReduction(n)) m.mv.visitVarInsn(FSTORE, acc);
        else { m.mv.visitInsn(F2D); m.mv.visitVarInsn(DSTORE, acc); }
    }

    private static void storeAccumulator(Method m, Kernel k, LoopNest.Index idx, Node n, int acc) {
        m.arena();
        idx.push(k.outputs.get(n.out()));
        if (k.maxReduction(n)) m.mv.visitVarInsn(FLOAD, acc);
        else { m.mv.visitVarInsn(DLOAD, acc); m.mv.visitInsn(D2F); }
        m.mv.visitInsn(FASTORE);
    }
}
