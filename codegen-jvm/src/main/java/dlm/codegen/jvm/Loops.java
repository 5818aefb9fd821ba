package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.MoveOps;
import org.objectweb.asm.Opcodes;

/**
 * The loop shapes the op emitters are made of, on top of {@link LoopNest}: store an
 * expression into operand 0, or accumulate (sum or max) an expression into operand 0.
 * When the accumulated operand does not move along the innermost axis, the innermost loop
 * accumulates in a local (a double for sums, like the interpreter) and stores once.
 */
final class Loops implements Opcodes {
    private Loops() {}

    /** Pushes one float computed from the operands at the current index. */
    interface Expr { void push(Method m, LoopNest.Index idx); }

    /** Pushes operand k's element. */
    static void load(Method m, LoopNest.Index idx, int k) {
        m.arena();
        idx.push(k);
        m.mv.visitInsn(FALOAD);
    }

    static void store(Method m, int[] dims, int[] bases, int[][] strides, Expr e) {
        LoopNest.emit(m, dims, bases, strides, (mm, idx) -> {
            mm.arena();
            idx.push(0);
            e.push(mm, idx);
            mm.mv.visitInsn(FASTORE);
        });
    }

    /** out[i] = out[i] op e, op = + (max false) or max. */
    static void accumulate(Method m, int[] dims, int[] bases, int[][] strides, boolean max, Expr e) {
        for (int d : dims) if (d == 0) return;
        LoopNest.Collapsed c = LoopNest.collapse(dims, strides);
        boolean register = c.innerStride(0) == 0;
        LoopNest.emit(m, c, bases, new LoopNest.Body() {
            int acc;
            @Override public void beforeInner(Method mm, LoopNest.Index idx) {
                if (!register) return;
                acc = max ? mm.newInt() : mm.newDouble();
                load(mm, idx, 0);
                if (max) mm.mv.visitVarInsn(FSTORE, acc);
                else { mm.mv.visitInsn(F2D); mm.mv.visitVarInsn(DSTORE, acc); }
            }
            @Override public void inner(Method mm, LoopNest.Index idx) {
                if (register) {
                    if (max) {
                        mm.mv.visitVarInsn(FLOAD, acc);
                        e.push(mm, idx);
                        mm.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
                        mm.mv.visitVarInsn(FSTORE, acc);
                    } else {
                        mm.mv.visitVarInsn(DLOAD, acc);
                        e.push(mm, idx);
                        mm.mv.visitInsn(F2D);
                        mm.mv.visitInsn(DADD);
                        mm.mv.visitVarInsn(DSTORE, acc);
                    }
                    return;
                }
                mm.arena();
                idx.push(0);
                load(mm, idx, 0);
                e.push(mm, idx);
                if (max) mm.mv.visitMethodInsn(INVOKESTATIC, "java/lang/Math", "max", "(FF)F", false);
                else mm.mv.visitInsn(FADD);
                mm.mv.visitInsn(FASTORE);
            }
            @Override public void afterInner(Method mm, LoopNest.Index idx) {
                if (!register) return;
                mm.arena();
                idx.push(0);
                if (max) mm.mv.visitVarInsn(FLOAD, acc);
                else { mm.mv.visitVarInsn(DLOAD, acc); mm.mv.visitInsn(D2F); }
                mm.mv.visitInsn(FASTORE);
            }
        });
    }

    static void fill(Method m, int off, int n, float v) {
        m.arena();
        m.pushInt(off);
        m.pushInt(n);
        m.pushFloat(v);
        m.call(MoveOps.class, "fill", "([FIIF)V");
    }

    /** a[off .. off+n) /= divisor. */
    static void divide(Method m, int off, int n, float divisor) {
        store(m, new int[]{n}, new int[]{off, off}, new int[][]{{1}, {1}}, (mm, idx) -> {
            load(mm, idx, 1);
            mm.pushFloat(divisor);
            mm.mv.visitInsn(FDIV);
        });
    }
}
