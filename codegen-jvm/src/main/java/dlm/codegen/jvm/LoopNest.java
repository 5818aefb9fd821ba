package dlm.codegen.jvm;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Label;

/**
 * Emits a loop nest over an iteration shape in which each operand is read or written at
 * {@code base + sum(i_l * stride[l])}: elementwise ops with broadcasting (stride 0 on
 * broadcast axes), transposes (permuted strides), reductions (stride 0 on reduced axes of the
 * output). Bounds, strides and bases are bytecode constants. Axes of size 1 are dropped and
 * adjacent axes that are contiguous for every operand are merged, so that a contiguous
 * elementwise op is one flat counted loop, the shape C2 unrolls and vectorizes.
 */
final class LoopNest {
    private LoopNest() {}

    /** Pushes the int arena index of operand k at the current iteration. */
    interface Index { void push(int k); }

    /** The loop body, with optional hooks around the innermost loop (for register accumulators). */
    interface Body {
        void inner(Method m, Index idx);
        /** Before the innermost loop; idx is valid for operands whose innermost stride is 0. */
        default void beforeInner(Method m, Index idx) {}
        default void afterInner(Method m, Index idx) {}
        /**
         * Emits code for the first elements of the innermost loop's range [from, to) (a vector
         * loop) and returns where the scalar loop that does the rest starts: a constant when both
         * bounds are, else an int local. at(i) indexes the operands at innermost position int local i.
         */
        default Bound prefix(Method m, Bound from, Bound to, java.util.function.IntFunction<Index> at) { return from; }
    }

    /** A loop bound: a constant, or an int local (a range method's from and to). */
    record Bound(int constant, int local) {
        static Bound of(int constant) { return new Bound(constant, -1); }
        static Bound local(int local) { return new Bound(0, local); }
        boolean isConstant() { return local < 0; }
        void push(Method m) { if (local >= 0) m.mv.visitVarInsn(ILOAD_OP, local); else m.pushInt(constant); }
    }

    /** An offset known at this point of the nest: a constant, or an int local. */
    private record Off(int constant, int local) {
        void push(Method m) { if (local >= 0) m.mv.visitVarInsn(ILOAD_OP, local); else m.pushInt(constant); }
    }
    private static final int ILOAD_OP = org.objectweb.asm.Opcodes.ILOAD;

    /** The shape after dropping unit axes and merging contiguous ones. */
    record Collapsed(int[] dims, int[][] strides) {
        int innerStride(int k) { return strides[k][dims.length - 1]; }
    }

    static Collapsed collapse(int[] dims, int[][] strides) {
        List<Integer> d = new ArrayList<>();
        List<int[]> s = new ArrayList<>(); // per axis: strides of every operand
        for (int l = 0; l < dims.length; l++) {
            if (dims[l] == 1) continue;
            int[] col = new int[strides.length];
            for (int k = 0; k < strides.length; k++) col[k] = strides[k][l];
            if (!d.isEmpty()) {
                int last = d.size() - 1;
                int[] prev = s.get(last);
                boolean merge = true;
                for (int k = 0; k < col.length; k++) if (prev[k] != col[k] * dims[l]) { merge = false; break; }
                if (merge) {
                    d.set(last, d.get(last) * dims[l]);
                    s.set(last, col);
                    continue;
                }
            }
            d.add(dims[l]);
            s.add(col);
        }
        if (d.isEmpty()) { d.add(1); s.add(new int[strides.length]); }
        int[] dd = d.stream().mapToInt(Integer::intValue).toArray();
        int[][] ss = new int[strides.length][dd.length];
        for (int l = 0; l < dd.length; l++) for (int k = 0; k < strides.length; k++) ss[k][l] = s.get(l)[k];
        return new Collapsed(dd, ss);
    }

    static void emit(Method m, int[] dims, int[] bases, int[][] strides, Body body) {
        for (int d : dims) if (d == 0) return;
        emit(m, collapse(dims, strides), bases, body);
    }

    static void emit(Method m, Collapsed c, int[] bases, Body body) {
        emit(m, c, bases, body, Bound.of(0), Bound.of(c.dims[0]));
    }

    /**
     * The nest with its outermost axis running over [from, to) only: one part of a loop split over
     * threads (see LoopSplit). The other axes run whole, so each element is computed by the same
     * code as in the whole nest.
     */
    static void emit(Method m, Collapsed c, int[] bases, Body body, Bound from, Bound to) {
        Off[] offs = new Off[bases.length];
        for (int k = 0; k < bases.length; k++) offs[k] = new Off(bases[k], -1);
        level(m, c, 0, offs, body, from, to);
    }

    private static void level(Method m, Collapsed c, int l, Off[] prev, Body body, Bound from, Bound to) {
        int r = c.dims.length;
        boolean innermost = l == r - 1;
        Bound start = from;
        if (innermost) {
            body.beforeInner(m, k -> prev[k].push(m));
            start = body.prefix(m, from, to, i -> k -> inner(m, c, l, prev, k, i));
            if (start.isConstant() && to.isConstant() && start.constant() >= to.constant()) { body.afterInner(m, k -> prev[k].push(m)); return; }
        }
        int counter = m.newInt();
        start.push(m);
        m.mv.visitVarInsn(ISTORE, counter);
        counted(m, counter, to, 1, () -> {
            if (innermost) {
                body.inner(m, k -> inner(m, c, l, prev, k, counter));
            } else {
                Off[] next = new Off[prev.length];
                for (int k = 0; k < prev.length; k++) {
                    int s = c.strides[k][l];
                    if (s == 0) { next[k] = prev[k]; continue; }
                    int local = m.newInt();
                    prev[k].push(m);
                    m.mv.visitVarInsn(ILOAD_OP, counter);
                    if (s != 1) { m.pushInt(s); m.mv.visitInsn(IMUL); }
                    m.mv.visitInsn(IADD);
                    m.mv.visitVarInsn(ISTORE, local);
                    next[k] = new Off(0, local);
                }
                level(m, c, l + 1, next, body, Bound.of(0), Bound.of(c.dims[l + 1]));
            }
        });
        if (innermost) body.afterInner(m, k -> prev[k].push(m));
    }

    /**
     * Emits {@code while (counter < to) { body; counter += step; }} in javac's shape: a jump to
     * the test, which sits after the body. C2's type flow clones a loop's head block when that
     * block also leaves the loop; with the test at the end of a straight-line body the head is
     * the whole body, so C2 parsed each vector loop twice, ran into its inlining node budget
     * and left the last vector ops as calls on boxed vectors (allocating on every iteration).
     * Here the head is the three-instruction test.
     */
    static void counted(Method m, int counter, Bound to, int step, Runnable body) {
        Label top = new Label(), test = new Label();
        m.mv.visitJumpInsn(GOTO_OP, test);
        m.mv.visitLabel(top);
        body.run();
        m.mv.visitIincInsn(counter, step);
        m.mv.visitLabel(test);
        m.mv.visitVarInsn(ILOAD_OP, counter);
        to.push(m);
        m.mv.visitJumpInsn(IF_ICMPLT, top);
    }

    /** Pushes operand k's index at innermost position {@code counter} (an int local). */
    private static void inner(Method m, Collapsed c, int l, Off[] prev, int k, int counter) {
        prev[k].push(m);
        int s = c.strides[k][l];
        if (s != 0) {
            m.mv.visitVarInsn(ILOAD_OP, counter);
            if (s != 1) { m.pushInt(s); m.mv.visitInsn(IMUL); }
            m.mv.visitInsn(IADD);
        }
    }

    private static final int ISTORE = org.objectweb.asm.Opcodes.ISTORE, IMUL = org.objectweb.asm.Opcodes.IMUL,
            IADD = org.objectweb.asm.Opcodes.IADD, IF_ICMPLT = org.objectweb.asm.Opcodes.IF_ICMPLT,
            GOTO_OP = org.objectweb.asm.Opcodes.GOTO;

    /** Row-major strides of a shape. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
        return s;
    }

    /** Strides for reading x (right-aligned, NumPy style) at an index of out: 0 along broadcast axes. */
    static int[] broadcastStrides(int[] x, int[] out) {
        int[] s = strides(x);
        int[] r = new int[out.length];
        int shift = out.length - x.length;
        for (int i = 0; i < x.length; i++) r[i + shift] = x[i] == 1 && out[i + shift] != 1 ? 0 : s[i];
        return r;
    }
}
