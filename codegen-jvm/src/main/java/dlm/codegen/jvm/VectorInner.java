package dlm.codegen.jvm;

import dlm.codegen.jvm.FusedKernelEmitter.Kernel;
import dlm.codegen.jvm.FusedKernelEmitter.Read;
import dlm.codegen.jvm.kernels.Simd;
import dlm.codegen.jvm.rt.MathFnsVector;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.objectweb.asm.Label;
import org.objectweb.asm.Opcodes;

/**
 * The innermost loop of a flat fused kernel in Vector API form, for the floats up to the last
 * whole vector; the scalar loop does the rest. C2 does not vectorize the scalar loop itself
 * (its loads and stores share the arena array at offsets it cannot tell apart, and a sum in
 * a double register is a chain of dependent adds), so a channel-broadcast bias add with relu
 * over [N, C, H, W], or a relu gradient reduced to [C, 1, 1], ran at one element per ~1.5 ns.
 *
 * <p>Only kernels whose every op has a vector form giving the scalar form's exact floats are
 * vectorized (see {@link MathFnsVector}), with every operand moving by 1 or 0 along the
 * innermost axis (a [C, 1, 1] bias is a broadcast, hoisted). A sum kept in a register adds
 * one vector per step, lane by lane in float within the row, then adds the lanes in
 * LaneSum's fixed order to the double accumulator: the floats then differ from the scalar
 * path by rounding only, and do not depend on the JIT tier.
 */
final class VectorInner implements Opcodes {
    private VectorInner() {}

    private static final String FV = "Ljdk/incubator/vector/FloatVector;";
    private static final String OWNER = MathFnsVector.class.getName().replace('.', '/');

    /**
     * Fewest loop elements worth the vector form. Below it the scalar loop is kept: a small
     * kernel runs few iterations per call, so it stays longer in the tiers that do not compile
     * the Vector API into registers and allocate each vector instead.
     */
    static final int MIN_ELEMENTS = 1 << 12;

    /** Floats per vector, 1 when the Vector API is off (-Ddlm.simd=false or the module absent). */
    static int lanes() { return Simd.ENABLED ? MathFnsVector.LANES : 1; }

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
            m.mv.visitVarInsn(FLOAD, e.getValue());
            hoisted.put(e.getKey(), astore(m, "broadcast", "(F)" + FV));
        }
        Map<Node, Integer> sums = new LinkedHashMap<>();
        for (Node nd : k.nodes) if (k.register.containsKey(nd)) sums.put(nd, astore(m, "zero", "()" + FV));
        int i = m.newInt();
        from.push(m);
        m.mv.visitVarInsn(ISTORE, i);
        Label top = new Label(), done = new Label();
        if (!end.isConstant()) { // a part may hold no whole vector
            m.mv.visitVarInsn(ILOAD, i);
            end.push(m);
            m.mv.visitJumpInsn(IF_ICMPGE, done);
        }
        m.mv.visitLabel(top);
        LoopNest.Index idx = at.apply(i);
        // every input before the first store, as the scalar loop: an output may share floats with an input
        Map<Read, Integer> loaded = new HashMap<>(hoisted);
        for (Node nd : k.nodes)
            for (Read r : k.reads(nd)) {
                if (r == null || loaded.containsKey(r)) continue;
                m.arena();
                idx.push(k.inputs.get(r));
                loaded.put(r, astore(m, "load", "([FI)" + FV));
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
        m.mv.visitIincInsn(i, lanes);
        m.mv.visitVarInsn(ILOAD, i);
        end.push(m);
        m.mv.visitJumpInsn(IF_ICMPLT, top);
        if (!end.isConstant()) m.mv.visitLabel(done);
        for (var e : sums.entrySet()) {
            int d = k.register.get(e.getKey());
            m.mv.visitVarInsn(DLOAD, d);
            m.mv.visitVarInsn(ALOAD, e.getValue());
            call(m, "sumInto", "(D" + FV + ")D");
            m.mv.visitVarInsn(DSTORE, d);
        }
        return end;
    }

    private static void accumulate(Method m, Kernel k, LoopNest.Index idx, Node n, int value, Integer sum) {
        if (sum != null) {
            m.mv.visitVarInsn(ALOAD, sum);
            m.mv.visitVarInsn(ALOAD, value);
            call(m, "add", "(" + FV + FV + ")" + FV);
            m.mv.visitVarInsn(ASTORE, sum);
            return;
        }
        int out = k.outputs.get(n.out());
        m.arena();
        idx.push(out);
        call(m, "load", "([FI)" + FV);
        m.mv.visitVarInsn(ALOAD, value);
        int l = astore(m, k.maxReduction(n) ? "max" : "add", "(" + FV + FV + ")" + FV);
        store(m, idx, out, l);
    }

    private static void store(Method m, LoopNest.Index idx, int operand, int local) {
        m.mv.visitVarInsn(ALOAD, local);
        m.arena();
        idx.push(operand);
        call(m, "store", "(" + FV + "[FI)V");
    }

    private static void push(Method m, Kernel k, Map<Value, Integer> local, Value v) {
        Integer l = local.get(v);
        if (l != null) { m.mv.visitVarInsn(ALOAD, l); return; }
        Float c = k.cx.constant(v);
        if (c == null) throw new IllegalStateException("value " + v + " not loaded");
        m.pushFloat(c);
        call(m, "broadcast", "(F)" + FV);
    }

    /** Pushes op n's vector at this position. */
    private static void compute(Method m, Kernel k, Map<Value, Integer> local, Node n) {
        String v1 = "(" + FV + ")" + FV, v2 = "(" + FV + FV + ")" + FV;
        switch (n.op()) {
            case Op.Binary b -> {
                push(m, k, local, n.input(0));
                push(m, k, local, n.input(1));
                call(m, switch (b.fn()) {
                    case ADD -> "add";
                    case SUB -> "sub";
                    case MUL -> "mul";
                    case DIV -> "div";
                    case MAX -> "max";
                    case MIN -> "min";
                }, v2);
            }
            case Op.Unary u -> {
                push(m, k, local, n.input(0));
                switch (u.fn()) {
                    case IDENTITY -> {}
                    case LEAKY_RELU -> { m.pushFloat((float) u.alpha()); call(m, "leakyRelu", "(" + FV + "F)" + FV); }
                    default -> call(m, ElementwiseEmitter.fnName(u.fn()), v1);
                }
            }
            case Op.UnaryGrad u -> {
                push(m, k, local, n.input(0));
                switch (u.fn()) {
                    case IDENTITY -> {}
                    case NEG -> call(m, "neg", v1);
                    case RELU -> { push(m, k, local, n.input(1)); call(m, "reluGrad", v2); }
                    case LEAKY_RELU -> {
                        push(m, k, local, n.input(1));
                        m.pushFloat((float) u.alpha());
                        call(m, "leakyReluGrad", "(" + FV + FV + "F)" + FV);
                    }
                    case SQUARE -> { // dy * (2 * x), as MathFns.squareGrad
                        push(m, k, local, n.input(1));
                        m.pushFloat(2f);
                        call(m, "broadcast", "(F)" + FV);
                        call(m, "mul", v2);
                        call(m, "mul", v2);
                    }
                    default -> throw new IllegalStateException("no vector form: " + n.op().opName());
                }
            }
            case Op.ReduceGrad r -> {
                push(m, k, local, n.input(0));
                if (r.fn() == Op.ReduceFn.MEAN) {
                    m.pushFloat((float) (k.cx.numel(n.out()) / k.cx.numel(n.input(0))));
                    call(m, "divBy", "(" + FV + "F)" + FV);
                }
            }
            default -> throw new IllegalStateException("no vector form: " + n.op().opName());
        }
    }

    private static int astore(Method m, String name, String desc) {
        call(m, name, desc);
        int l = m.newInt();
        m.mv.visitVarInsn(ASTORE, l);
        return l;
    }

    private static void call(Method m, String name, String desc) {
        m.mv.visitMethodInsn(INVOKESTATIC, OWNER, name, desc, false);
    }
}
