package dlm.codegen.jvm;

import dlm.codegen.jvm.kernels.LaneSum;
import org.objectweb.asm.Opcodes;

/**
 * The Vector API calls of a vectorized loop (see VectorInner), emitted in place as calls on
 * {@code FloatVector} itself. Each gives, lane by lane, exactly the float its scalar form in
 * rt.MathFns or rt.ReluOps gives: only ops whose IEEE result does not depend on evaluation
 * width have a form here (no exp, log, tanh).
 *
 * <p>Why in place and not through static helpers: the Vector API's own methods are marked for
 * forced inlining, so C2 inlines them even in a method that has reached its inlining budget;
 * a helper of ours is an ordinary method, and when a big caller (the step inlining its op
 * methods) reached the budget at one, the vectors crossing that call became objects,
 * allocated on every iteration. The species is {@code FloatVector.SPECIES_PREFERRED}, a
 * constant to C2, so every vector has its exact class and every call binds statically.
 */
final class VectorCalls implements Opcodes {
    private VectorCalls() {}

    static final String FV = "Ljdk/incubator/vector/FloatVector;";
    private static final String FLOAT_VECTOR = "jdk/incubator/vector/FloatVector", VECTOR = "Ljdk/incubator/vector/Vector;",
            MASK = "Ljdk/incubator/vector/VectorMask;", SHUFFLE = "Ljdk/incubator/vector/VectorShuffle;",
            COMPARISON = "Ljdk/incubator/vector/VectorOperators$Comparison;";

    /** Floats per vector of the preferred species. Only called when the Vector API is on. */
    static int lanes() { return LaneSum.LANES; }

    private static void species(Method m) {
        m.mv.visitFieldInsn(GETSTATIC, FLOAT_VECTOR, "SPECIES_PREFERRED", "Ljdk/incubator/vector/VectorSpecies;");
    }

    /** Pushes the vector at {@code array[index]}; the runnable pushes the array and the int index. */
    static void load(Method m, Runnable arrayAndIndex) {
        species(m);
        arrayAndIndex.run();
        m.mv.visitMethodInsn(INVOKESTATIC, FLOAT_VECTOR, "fromArray", "(Ljdk/incubator/vector/VectorSpecies;[FI)" + FV, false);
    }

    /** [vector, array, index] -> []: stores the vector at array[index]. */
    static void store(Method m) { virtual(m, "intoArray", "([FI)V"); }

    /** Pushes a vector of the float the runnable pushes. */
    static void broadcast(Method m, Runnable scalar) {
        species(m);
        scalar.run();
        m.mv.visitMethodInsn(INVOKESTATIC, FLOAT_VECTOR, "broadcast", "(Ljdk/incubator/vector/VectorSpecies;F)" + FV, false);
    }

    static void zero(Method m) {
        species(m);
        m.mv.visitMethodInsn(INVOKESTATIC, FLOAT_VECTOR, "zero", "(Ljdk/incubator/vector/VectorSpecies;)" + FV, false);
    }

    /** [a, b] -> [a op b] for add, sub, mul, div, max (Math.max per lane: NaN wins, +0 above -0), min. */
    static void binary(Method m, String name) { virtual(m, name, "(" + VECTOR + ")" + FV); }

    /** [x] -> [op x] for neg, abs and sqrt (correctly rounded, as (float) Math.sqrt). */
    static void unary(Method m, String name) { virtual(m, name, "()" + FV); }

    /** [x] -> [x * x]. */
    static void square(Method m) {
        m.mv.visitInsn(DUP);
        binary(m, "mul");
    }

    /** [x, float d] -> [x / d] (a mean's gradient). */
    static void divByScalar(Method m) { virtual(m, "div", "(F)" + FV); }

    /** [x] -> [x > 0 ? x : +0], so NaN and -0 give +0 (MathFns.relu). */
    static void relu(Method m) {
        int x = m.newInt();
        m.mv.visitVarInsn(ASTORE, x);
        zero(m);
        whereXPositive(m, x, x);
    }

    /** [dy, x] -> [x > 0 ? dy : 0 * dy] (MathFns.reluGrad: the sign of dy, and NaN for an infinite dy, kept). */
    static void reluGrad(Method m) {
        m.pushFloat(0f);
        leakyReluGrad(m);
    }

    /** [x, float alpha] -> [x > 0 ? x : x * alpha]: the gradient's form with dy = x. */
    static void leakyRelu(Method m) {
        int alpha = m.newInt();
        m.mv.visitVarInsn(FSTORE, alpha);
        m.mv.visitInsn(DUP);
        m.mv.visitVarInsn(FLOAD, alpha);
        leakyReluGrad(m);
    }

    /** [dy, x, float alpha] -> [x > 0 ? dy : dy * alpha]. */
    static void leakyReluGrad(Method m) {
        int alpha = m.newInt(), x = m.newInt(), dy = m.newInt();
        m.mv.visitVarInsn(FSTORE, alpha);
        m.mv.visitVarInsn(ASTORE, x);
        m.mv.visitVarInsn(ASTORE, dy);
        m.mv.visitVarInsn(ALOAD, dy);
        m.mv.visitVarInsn(FLOAD, alpha);
        virtual(m, "mul", "(F)" + FV);
        whereXPositive(m, dy, x);
    }

    /** [otherwise] -> [x > 0 ? value : otherwise], value and x vector locals. */
    private static void whereXPositive(Method m, int value, int x) {
        m.mv.visitVarInsn(ALOAD, value);
        m.mv.visitVarInsn(ALOAD, x);
        m.mv.visitFieldInsn(GETSTATIC, "jdk/incubator/vector/VectorOperators", "GT", COMPARISON);
        m.pushFloat(0f);
        virtual(m, "compare", "(" + COMPARISON + "F)" + MASK);
        virtual(m, "blend", "(" + VECTOR + MASK + ")" + FV);
    }

    /**
     * [double acc, v] -> [acc + the lanes of v summed]: LaneSum's rotations and adds, in its
     * fixed order, then the float widened and added in double.
     */
    static void sumInto(Method m) {
        for (int w = lanes() / 2; w >= 1; w /= 2) {
            m.mv.visitInsn(DUP);
            m.mv.visitFieldInsn(GETSTATIC, LaneSum.class.getName().replace('.', '/'), LaneSum.rotation(w), SHUFFLE);
            virtual(m, "rearrange", "(" + SHUFFLE + ")" + FV);
            binary(m, "add");
        }
        m.pushInt(0);
        virtual(m, "lane", "(I)F");
        m.mv.visitInsn(F2D);
        m.mv.visitInsn(DADD);
    }

    private static void virtual(Method m, String name, String desc) {
        m.mv.visitMethodInsn(INVOKEVIRTUAL, FLOAT_VECTOR, name, desc, false);
    }
}
