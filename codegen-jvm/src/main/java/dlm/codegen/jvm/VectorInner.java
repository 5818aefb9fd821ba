package dlm.codegen.jvm;

import dlm.codegen.jvm.FusedKernelEmitter.Kernel;
import dlm.codegen.jvm.FusedKernelEmitter.Read;
import dlm.codegen.jvm.kernels.Simd;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.objectweb.asm.Opcodes;

/**
 * The innermost loop of a flat fused kernel in Vector API form, for the floats up to the last
 * whole vector; the scalar loop does the rest. C2 does not vectorize the scalar loop itself
 * (its loads and stores share the arena array at offsets it cannot tell apart, and a sum in
 * a double register is a chain of dependent adds), so a channel-broadcast bias add with relu
 * over [N, C, H, W], or a relu gradient reduced to [C, 1, 1], ran at one element per ~1.5 ns.
 *
 * <p>Only kernels whose every op has a vector form giving the scalar form's exact floats are
 * vectorized (see {@link VectorCalls}), with every operand moving by 1 or 0 along the
 * innermost axis (a [C, 1, 1] bias is a broadcast, hoisted). A sum kept in a register adds
 * one vector per step, lane by lane in float within the row, then adds the lanes in
 * LaneSum's fixed order to the double accumulator: the floats then differ from the scalar
 * path by rounding only, and do not depend on the JIT tier.
 */
final class VectorInner implements Opcodes {
    private VectorInner() {}


    /**
     * Fewest loop elements worth the vector form. Below it the scalar loop is kept: a small
     * kernel runs few iterations per call, so it stays longer in the tiers that do not compile
     * the Vector API into registers and allocate each vector instead. At 1024, LeNet-5's
     * batch-1 bias and relu after conv2 (16 x 10 x 10) takes the vector form: ~3.8 us scalar,
     * under 1 us vector, the prediction 1.03x and 1.06x faster (one JVM, both orders).
     */
    static final int MIN_ELEMENTS = 1 << 10;

    /** Floats per vector, 1 when the Vector API is off (-Ddlm.simd=false or the module absent). */
    static int lanes() { return Simd.ENABLED ? VectorCalls.lanes() : 1; }

    static boolean supports(Kernel k, LoopNest.Collapsed c) {
        int lanes = lanes();
        if (lanes <= 1 || c.dims()[c.dims().length - 1] < lanes || elements(c) < MIN_ELEMENTS) return false;
        for (int op : k.inputs.values()) if (c.innerStride(op) != 0 && c.innerStride(op) != 1) return false;
        for (Node n : k.nodes) {
            if (Fusion.accumulates(n.op())) {
                boolean sum = n.op() instanceof Op.SumTo
                        || n.op() instanceof Op.Reduce r && (r.fn() == Op.ReduceFn.SUM || r.fn() == Op.ReduceFn.MEAN);
                boolean register = k.register.containsKey(n);
                if (!sum && !k.maxReduction(n)) return false;
                if (register ? !sum : c.innerStride(k.outputs.get(n.out())) != 1) return false;
            } else {
                if (!vectorForm(n.op())) return false;
                Integer out = k.outputs.get(n.out());
                if (out != null && c.innerStride(out) != 1) return false;
            }
            for (Read r : k.reads(n)) if (r != null && !k.inputs.containsKey(r)) return false;
        }
        return true;
    }

    private static long elements(LoopNest.Collapsed c) {
        long n = 1;
        for (int d : c.dims()) n *= d;
        return n;
    }

    private static boolean vectorForm(Op op) {
        return switch (op) {
            case Op.Binary _ -> true;
            case Op.Unary u -> switch (u.fn()) {
                case RELU, LEAKY_RELU, NEG, ABS, SQUARE, SQRT, IDENTITY -> true;
                default -> false;
            };
            case Op.UnaryGrad u -> switch (u.fn()) {
                case RELU, LEAKY_RELU, NEG, SQUARE, IDENTITY -> true;
                default -> false;
            };
            case Op.ReduceGrad r -> r.fn() == Op.ReduceFn.SUM || r.fn() == Op.ReduceFn.MEAN;
            default -> false;
        };
    }

    /**
     * Emits the vector loop over the whole vectors of the innermost range [from, to): all of a
     * constant range [0, n) but its last n % lanes positions; of a part of a split loop (int
     * locals, from a multiple of the lanes), up to to - (to - from) % lanes, so that only the
     * last part has a tail, the very tail the whole loop has. Returns where the scalar loop starts.
     */
    static LoopNest.Bound emit(Method m, Kernel k, LoopNest.Bound from, LoopNest.Bound to, IntFunction<LoopNest.Index> at) {
        int lanes = lanes();
        LoopNest.Bound end;
        if (from.isConstant() && to.isConstant()) {
            int n = to.constant() - from.constant();
            end = LoopNest.Bound.of(from.constant() + n - n % lanes);
        } else {
            int e = m.newInt();
            to.push(m);
            to.push(m);
            from.push(m);
            m.mv.visitInsn(ISUB);
            m.pushInt(lanes);
            m.mv.visitInsn(IREM);
            m.mv.visitInsn(ISUB);
            m.mv.visitVarInsn(ISTORE, e);
            end = LoopNest.Bound.local(e);
        }
        Map<Read, Integer> hoisted = new HashMap<>();
        for (var e : k.invariant.entrySet()) {
            int scalar = e.getValue();
            VectorCalls.broadcast(m, () -> m.mv.visitVarInsn(FLOAD, scalar));
            hoisted.put(e.getKey(), astore(m));
        }
        Map<Node, Integer> sums = new LinkedHashMap<>();
        for (Node nd : k.nodes) if (k.register.containsKey(nd)) { VectorCalls.zero(m); sums.put(nd, astore(m)); }
        int i = m.newInt();
        from.push(m);
        m.mv.visitVarInsn(ISTORE, i);
        LoopNest.counted(m, i, end, lanes, () -> {
            LoopNest.Index idx = at.apply(i);
            // every input before the first store, as the scalar loop: an output may share floats with an input
            Map<Read, Integer> loaded = new HashMap<>(hoisted);
            for (Node nd : k.nodes)
                for (Read r : k.reads(nd)) {
                    if (r == null || loaded.containsKey(r)) continue;
                    VectorCalls.load(m, () -> { m.arena(); idx.push(k.inputs.get(r)); });
                    loaded.put(r, astore(m));
                }
            Map<Value, Integer> local = new HashMap<>();
            for (Node nd : k.nodes) {
                List<Read> rs = k.reads(nd);
                List<Value> vs = Fusion.reads(nd);
                for (int j = 0; j < vs.size(); j++) if (rs.get(j) != null) local.put(vs.get(j), loaded.get(rs.get(j)));
                if (Fusion.accumulates(nd.op())) {
                    accumulate(m, k, idx, nd, local.get(nd.input(0)), sums.get(nd));
                    continue;
                }
                compute(m, k, local, nd);
                int l = m.newInt();
                m.mv.visitVarInsn(ASTORE, l);
                local.put(nd.out(), l);
                Integer out = k.outputs.get(nd.out());
                if (out != null) store(m, idx, out, l);
            }
        });
        for (var e : sums.entrySet()) {
            int d = k.register.get(e.getKey());
            m.mv.visitVarInsn(DLOAD, d);
            m.mv.visitVarInsn(ALOAD, e.getValue());
            VectorCalls.sumInto(m);
            m.mv.visitVarInsn(DSTORE, d);
        }
        return end;
    }

    private static void accumulate(Method m, Kernel k, LoopNest.Index idx, Node n, int value, Integer sum) {
        if (sum != null) {
            m.mv.visitVarInsn(ALOAD, sum);
            m.mv.visitVarInsn(ALOAD, value);
            VectorCalls.binary(m, "add");
            m.mv.visitVarInsn(ASTORE, sum);
            return;
        }
        int out = k.outputs.get(n.out());
        VectorCalls.load(m, () -> { m.arena(); idx.push(out); });
        m.mv.visitVarInsn(ALOAD, value);
        VectorCalls.binary(m, k.maxReduction(n) ? "max" : "add");
        int l = astore(m);
        store(m, idx, out, l);
    }

    private static void store(Method m, LoopNest.Index idx, int operand, int local) {
        m.mv.visitVarInsn(ALOAD, local);
        m.arena();
        idx.push(operand);
        VectorCalls.store(m);
    }

    private static void push(Method m, Kernel k, Map<Value, Integer> local, Value v) {
        Integer l = local.get(v);
        if (l != null) { m.mv.visitVarInsn(ALOAD, l); return; }
        Float c = k.cx.constant(v);
        if (c == null) throw new IllegalStateException("value " + v + " not loaded");
        VectorCalls.broadcast(m, () -> m.pushFloat(c));
    }

    /** Pushes op n's vector at this position. */
    private static void compute(Method m, Kernel k, Map<Value, Integer> local, Node n) {
        switch (n.op()) {
            case Op.Binary b -> {
                push(m, k, local, n.input(0));
                push(m, k, local, n.input(1));
                VectorCalls.binary(m, switch (b.fn()) {
                    case ADD -> "add";
                    case SUB -> "sub";
                    case MUL -> "mul";
                    case DIV -> "div";
                    case MAX -> "max";
                    case MIN -> "min";
                });
            }
            case Op.Unary u -> {
                push(m, k, local, n.input(0));
                switch (u.fn()) {
                    case IDENTITY -> {}
                    case LEAKY_RELU -> { m.pushFloat((float) u.alpha()); VectorCalls.leakyRelu(m); }
                    case RELU -> VectorCalls.relu(m);
                    case SQUARE -> VectorCalls.square(m);
                    case NEG, ABS, SQRT -> VectorCalls.unary(m, ElementwiseEmitter.fnName(u.fn()));
                    default -> throw new IllegalStateException("no vector form: " + n.op().opName());
                }
            }
            case Op.UnaryGrad u -> {
                push(m, k, local, n.input(0));
                switch (u.fn()) {
                    case IDENTITY -> {}
                    case NEG -> VectorCalls.unary(m, "neg");
                    case RELU -> { push(m, k, local, n.input(1)); VectorCalls.reluGrad(m); }
                    case LEAKY_RELU -> {
                        push(m, k, local, n.input(1));
                        m.pushFloat((float) u.alpha());
                        VectorCalls.leakyReluGrad(m);
                    }
                    case SQUARE -> { // dy * (2 * x), as MathFns.squareGrad
                        push(m, k, local, n.input(1));
                        VectorCalls.broadcast(m, () -> m.pushFloat(2f));
                        VectorCalls.binary(m, "mul");
                        VectorCalls.binary(m, "mul");
                    }
                    default -> throw new IllegalStateException("no vector form: " + n.op().opName());
                }
            }
            case Op.ReduceGrad r -> {
                push(m, k, local, n.input(0));
                if (r.fn() == Op.ReduceFn.MEAN) {
                    m.pushFloat((float) (k.cx.numel(n.out()) / k.cx.numel(n.input(0))));
                    VectorCalls.divByScalar(m);
                }
            }
            default -> throw new IllegalStateException("no vector form: " + n.op().opName());
        }
    }

    /** Stores the vector on the stack in a new local and returns it. */
    private static int astore(Method m) {
        int l = m.newInt();
        m.mv.visitVarInsn(ASTORE, l);
        return l;
    }
}
