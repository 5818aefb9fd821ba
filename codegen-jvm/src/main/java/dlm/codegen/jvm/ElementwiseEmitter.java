package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.MathFns;
import dlm.codegen.jvm.rt.ReluOps;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Opcodes;

/**
 * Unary, unary-gradient and broadcasting binary ops, and transposes, as loops inlined in the
 * generated method. Scalar constants (the Fill leaves of 0.5, lr, eps ...) are bytecode
 * constants rather than arena loads, so an optimizer update reads only its tensors.
 */
final class ElementwiseEmitter implements Opcodes {
    private ElementwiseEmitter() {}

    static String fnName(Op.UnaryFn fn) {
        return switch (fn) {
            case NEG -> "neg";
            case RELU -> "relu";
            case SIGMOID -> "sigmoid";
            case TANH -> "tanh";
            case GELU -> "gelu";
            case LEAKY_RELU -> "leakyRelu";
            case EXP -> "exp";
            case LOG -> "log";
            case LOG1P -> "log1p";
            case SQRT -> "sqrt";
            case RSQRT -> "rsqrt";
            case ABS -> "abs";
            case SQUARE -> "square";
            case IDENTITY -> "identity";
        };
    }

    /** Operands of an elementwise op over the output shape: arena ones get an index, constants none. */
    private static final class Operands {
        final List<Integer> bases = new ArrayList<>();
        final List<int[]> strides = new ArrayList<>();
        final int[] out;

        Operands(EmitContext cx, Node n) {
            out = cx.shape(n.out());
            bases.add(cx.off(n.out()));
            strides.add(LoopNest.strides(out));
        }

        /** Adds an input read with broadcasting; returns its operand number, or -1 for a constant. */
        int read(EmitContext cx, Value v) {
            if (cx.constant(v) != null) return -1;
            bases.add(cx.off(v));
            strides.add(LoopNest.broadcastStrides(cx.shape(v), out));
            return bases.size() - 1;
        }

        void push(Method m, LoopNest.Index idx, EmitContext cx, Value v, int k) {
            if (k < 0) m.pushFloat(cx.constant(v));
            else Loops.load(m, idx, k);
        }

        void emit(Method m, Loops.Expr e) {
            Loops.store(m, out, bases.stream().mapToInt(Integer::intValue).toArray(), strides.toArray(int[][]::new), e);
        }
    }

    /** Whether every operand is an arena tensor of the output's shape: one flat contiguous range each. */
    private static boolean sameShape(EmitContext cx, Node n) {
        for (Value v : n.inputs())
            if (cx.constant(v) != null || !java.util.Arrays.equals(cx.shape(v), cx.shape(n.out()))) return false;
        return true;
    }

    static void unary(Method m, EmitContext cx, Node n, Op.Unary u) {
        if (u.fn() == Op.UnaryFn.RELU && sameShape(cx, n)) {
            m.arena();
            m.pushInt(cx.off(n.input(0)));
            m.pushInt(cx.off(n.out()));
            m.pushInt(cx.numel(n.out()));
            m.call(ReluOps.class, "relu", "([FIII)V");
            return;
        }
        Operands o = new Operands(cx, n);
        Value x = n.input(0);
        int kx = o.read(cx, x);
        o.emit(m, (mm, idx) -> {
            o.push(mm, idx, cx, x, kx);
            mm.pushFloat((float) u.alpha());
            mm.call(MathFns.class, fnName(u.fn()), "(FF)F");
        });
    }

    static void unaryGrad(Method m, EmitContext cx, Node n, Op.UnaryGrad u) {
        if (u.fn() == Op.UnaryFn.RELU && sameShape(cx, n)) {
            m.arena();
            m.pushInt(cx.off(n.input(0)));
            m.pushInt(cx.off(n.input(1)));
            m.pushInt(cx.off(n.out()));
            m.pushInt(cx.numel(n.out()));
            m.call(ReluOps.class, "reluGrad", "([FIIII)V");
            return;
        }
        Operands o = new Operands(cx, n);
        Value dy = n.input(0), x = n.input(1);
        int kdy = o.read(cx, dy), kx = o.read(cx, x);
        o.emit(m, (mm, idx) -> {
            o.push(mm, idx, cx, dy, kdy);
            o.push(mm, idx, cx, x, kx);
            mm.pushFloat((float) u.alpha());
            mm.call(MathFns.class, fnName(u.fn()) + "Grad", "(FFF)F");
        });
    }

    static void binary(Method m, EmitContext cx, Node n, Op.Binary b) {
        Operands o = new Operands(cx, n);
        Value a = n.input(0), c = n.input(1);
        int ka = o.read(cx, a), kc = o.read(cx, c);
        o.emit(m, (mm, idx) -> {
            o.push(mm, idx, cx, a, ka);
            o.push(mm, idx, cx, c, kc);
            switch (b.fn()) {
                case ADD -> mm.mv.visitInsn(FADD);
                case SUB -> mm.mv.visitInsn(FSUB);
                case MUL -> mm.mv.visitInsn(FMUL);
                case DIV -> mm.mv.visitInsn(FDIV);
                // Math.max/min propagate NaN, as the interpreter and torch do
                case MAX -> mm.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
                case MIN -> mm.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(FF)F", false);
            }
        });
    }

    /** Elementwise binary cross-entropy (inputs p, y) or its gradient (inputs dy, p, y), evaluated in double. */
    static void binaryCrossEntropy(Method m, EmitContext cx, Node n, boolean grad) {
        Operands o = new Operands(cx, n);
        List<Value> in = n.inputs();
        int[] k = new int[in.size()];
        for (int i = 0; i < k.length; i++) k[i] = o.read(cx, in.get(i));
        o.emit(m, (mm, idx) -> {
            for (int i = 0; i < k.length; i++) o.push(mm, idx, cx, in.get(i), k[i]);
            mm.call(MathFns.class, grad ? "binaryCrossEntropyGrad" : "binaryCrossEntropy", grad ? "(FFF)F" : "(FF)F");
        });
    }

    /** A fused kernel: see {@link FusedKernelEmitter}. */
    static void fused(Method m, EmitContext cx, List<Node> nodes, java.util.Set<Value> internal) {
        FusedKernelEmitter.emit(m, cx, nodes, internal);
    }

    /** With the op's inputs pushed as floats, computes its float result (an elementwise op of a fused loop). */
    static void apply(Method mm, Op op) {
        switch (op) {
            case Op.Unary u when u.fn() == Op.UnaryFn.RELU -> mm.call(ReluOps.class, "reluOf", "(F)F");
            case Op.UnaryGrad u when u.fn() == Op.UnaryFn.RELU -> mm.call(ReluOps.class, "reluGradOf", "(FF)F");
            case Op.Unary u -> {
                mm.pushFloat((float) u.alpha());
                mm.call(MathFns.class, fnName(u.fn()), "(FF)F");
            }
            case Op.UnaryGrad u -> {
                mm.pushFloat((float) u.alpha());
                mm.call(MathFns.class, fnName(u.fn()) + "Grad", "(FFF)F");
            }
            case Op.Binary b -> binaryInsn(mm, b.fn());
            case Op.BinaryCrossEntropy _ -> mm.call(MathFns.class, "binaryCrossEntropy", "(FF)F");
            case Op.BinaryCrossEntropyGrad _ -> mm.call(MathFns.class, "binaryCrossEntropyGrad", "(FFF)F");
            default -> throw new IllegalStateException("not elementwise: " + op.opName());
        }
    }

    private static void binaryInsn(Method mm, Op.BinaryFn fn) {
        switch (fn) {
            case ADD -> mm.mv.visitInsn(FADD);
            case SUB -> mm.mv.visitInsn(FSUB);
            case MUL -> mm.mv.visitInsn(FMUL);
            case DIV -> mm.mv.visitInsn(FDIV);
            case MAX -> mm.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
            case MIN -> mm.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "min", "(FF)F", false);
        }
    }

    /** Output axis k reads input axis perm[k]: a copy loop with permuted input strides. */
    static void transpose(Method m, EmitContext cx, Node n, Op.Transpose t) {
        int[] out = cx.shape(n.out()), xs = LoopNest.strides(cx.shape(n.input(0)));
        int r = out.length;
        int[] read = new int[r];
        for (int k = 0; k < r; k++) read[k] = xs[n.input(0).shape().axis(t.perm().get(k))];
        Loops.store(m, out, new int[]{cx.off(n.out()), cx.off(n.input(0))}, new int[][]{LoopNest.strides(out), read},
                (mm, idx) -> Loops.load(mm, idx, 1));
    }
}
