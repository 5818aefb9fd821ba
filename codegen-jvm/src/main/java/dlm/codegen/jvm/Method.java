package dlm.codegen.jvm;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * One generated method being written: the visitor, a local-variable allocator, and pushes of
 * constants in their shortest form. Every generated op method is
 * {@code static void (float[] arena, RunContext ctx)}: local 0 is the arena, local 1 the context.
 */
final class Method implements Opcodes {
    static final int ARENA = 0, CTX = 1;

    final MethodVisitor mv;
    private int nextLocal = 2;

    Method(MethodVisitor mv) { this.mv = mv; }

    /** A method whose parameters take locals below firstFree (a split loop's {@code (arena, from, to)}). */
    Method(MethodVisitor mv, int firstFree) { this.mv = mv; this.nextLocal = firstFree; }

    int newInt() { return nextLocal++; }

    int newDouble() { int l = nextLocal; nextLocal += 2; return l; }

    void pushInt(int v) {
        if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
        else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
        else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
        else mv.visitLdcInsn(v);
    }

    void pushFloat(float v) {
        if (Float.floatToRawIntBits(v) == 0) mv.visitInsn(FCONST_0);
        else if (v == 1f) mv.visitInsn(FCONST_1);
        else if (v == 2f) mv.visitInsn(FCONST_2);
        else mv.visitLdcInsn(v);
    }

    void pushDouble(double v) { mv.visitLdcInsn(v); }

    void pushBool(boolean b) { mv.visitInsn(b ? ICONST_1 : ICONST_0); }

    void arena() { mv.visitVarInsn(ALOAD, ARENA); }

    void ctx() { mv.visitVarInsn(ALOAD, CTX); }

    /** Calls a static method of a class of this module (internal name, descriptor). */
    void call(Class<?> owner, String name, String desc) {
        mv.visitMethodInsn(INVOKESTATIC, owner.getName().replace('.', '/'), name, desc, false);
    }
}
