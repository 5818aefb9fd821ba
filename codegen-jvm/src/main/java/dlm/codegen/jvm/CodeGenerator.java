package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.Profiler;
import dlm.codegen.jvm.rt.RangeKernels;
import dlm.codegen.jvm.rt.RangeSplit;
import dlm.codegen.jvm.rt.RunContext;
import dlm.ir.Graph;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.runtime.DlmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Writes the class of one compiled graph. Each op becomes its own static method
 * {@code (float[] arena, RunContext ctx)}: small methods stay under HotSpot's 8000-byte limit
 * for JIT compilation, get compiled (and OSR-compiled) independently, and keep the class far
 * from the 64 KB method limit however large the graph. {@code run} calls them in schedule
 * order (through {@code part} methods of at most {@link #CALLS_PER_PART} calls), then copies
 * the staged updates; {@code commit} copies every update over its state.
 */
final class CodeGenerator implements Opcodes {
    private CodeGenerator() {}

    static final int CALLS_PER_PART = 1000;
    private static final String PROFILER = Profiler.class.getName().replace('.', '/');
    private static final String RUN_CONTEXT = RunContext.class.getName().replace('.', '/');
    private static final String ARENA_CTX = "([FL" + RUN_CONTEXT + ";)V";
    private static final String RANGE = "([FII)V";
    private static final String RANGE_SPLIT = RangeSplit.class.getName().replace('.', '/');
    private static final String RANGE_KERNELS_DESC = "L" + RangeKernels.class.getName().replace('.', '/') + ";";
    private static final String SELF = "SELF";

    static byte[] generate(String className, Graph g, List<Fusion.Kernel> kernels, EmitContext cx, StateLayout state) {
        ClassWriter cw = ClassDefiner.writer();
        cw.visit(V25, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, className, null, "java/lang/Object",
                new String[]{GeneratedStep.class.getName().replace('.', '/')});
        cw.visitSource(g.name() + ".dlm", null);
        constructor(cw);

        List<String> calls = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<String> ranges = new ArrayList<>(); // kernels split over threads, by their number in range()
        for (int i = 0; i < kernels.size(); i++) {
            Fusion.Kernel k = kernels.get(i);
            if (!k.code()) continue;
            Node n = k.nodes().getLast();
            String name = k.fused() ? "op" + i + "_fused" + k.nodes().size() : "op" + i + "_" + n.op().opName();
            LoopSplit.Plan split = LoopSplit.of(cx, k);
            MethodVisitor mv = cw.visitMethod(ACC_PRIVATE | ACC_STATIC, name, ARENA_CTX, null, null);
            mv.visitCode();
            if (split != null) {
                splitCall(new Method(mv), className, name, split, ranges.size());
                ranges.add(name);
                rangeMethod(cw, cx, k, name);
            } else if (Epilogues.isEpilogue(k)) KernelCallEmitter.withEpilogue(new Method(mv), cx, Epilogues.chain(k, cx));
            else if (k.fused()) ElementwiseEmitter.fused(new Method(mv), cx, k.nodes(), k.internal());
            else emit(new Method(mv), cx, n, g);
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            calls.add(name);
            labels.add(name + " " + n.out().shape());
        }
        List<String> parts = new ArrayList<>();
        for (int p = 0; p * CALLS_PER_PART < calls.size(); p++) {
            String name = "part" + p;
            MethodVisitor mv = cw.visitMethod(ACC_PRIVATE | ACC_STATIC, name, ARENA_CTX, null, null);
            mv.visitCode();
            for (int i = p * CALLS_PER_PART; i < Math.min(calls.size(), (p + 1) * CALLS_PER_PART); i++) {
                int id = Profiler.ENABLED ? Profiler.register(className.substring(className.lastIndexOf('/') + 1) + " " + labels.get(i)) : -1;
                if (id >= 0) {
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "nanoTime", "()J", false);
                    mv.visitVarInsn(LSTORE, 2);
                }
                mv.visitVarInsn(ALOAD, 0);
                mv.visitVarInsn(ALOAD, 1);
                mv.visitMethodInsn(INVOKESTATIC, className, calls.get(i), ARENA_CTX, false);
                if (id >= 0) {
                    new Method(mv).pushInt(id);
                    mv.visitVarInsn(LLOAD, 2);
                    mv.visitMethodInsn(INVOKESTATIC, PROFILER, "add", "(IJ)V", false);
                }
            }
            mv.visitInsn(RETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            parts.add(name);
        }
        run(cw, className, parts, g, cx, state);
        commit(cw, g, cx, state);
        rangeSwitch(cw, className, ranges);
        self(cw, className);
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * A split kernel's method: hands its loop to the team (RangeSplit calls back range(number, ...)),
     * or, with no team, runs the whole range itself.
     */
    private static void splitCall(Method m, String className, String name, LoopSplit.Plan split, int number) {
        m.ctx();
        m.mv.visitFieldInsn(GETSTATIC, className, SELF, RANGE_KERNELS_DESC);
        m.pushInt(number);
        m.arena();
        m.pushInt(split.outer());
        m.pushInt(split.grain());
        m.mv.visitMethodInsn(INVOKESTATIC, RANGE_SPLIT, "run", "(L" + RUN_CONTEXT + ";" + RANGE_KERNELS_DESC + "I[FII)Z", false);
        org.objectweb.asm.Label done = new org.objectweb.asm.Label();
        m.mv.visitJumpInsn(IFNE, done);
        m.arena();
        m.pushInt(0);
        m.pushInt(split.outer());
        m.mv.visitMethodInsn(INVOKESTATIC, className, name + "_range", RANGE, false);
        m.mv.visitLabel(done);
    }

    /** The loop of a split kernel over [from, to) of its outermost axis: {@code static void name_range(float[] arena, int from, int to)}. */
    private static void rangeMethod(ClassWriter cw, EmitContext cx, Fusion.Kernel k, String name) {
        MethodVisitor mv = cw.visitMethod(ACC_PRIVATE | ACC_STATIC, name + "_range", RANGE, null, null);
        mv.visitCode();
        FusedKernelEmitter.emitRange(new Method(mv, 3), cx, k.nodes(), k.internal(), 1, 2);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** {@code range(kernel, arena, from, to)}: a switch over the split kernels' range methods. */
    private static void rangeSwitch(ClassWriter cw, String className, List<String> ranges) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_FINAL, "range", "(I[FII)V", null, null);
        mv.visitCode();
        org.objectweb.asm.Label bad = new org.objectweb.asm.Label();
        if (!ranges.isEmpty()) {
            org.objectweb.asm.Label[] cases = new org.objectweb.asm.Label[ranges.size()];
            for (int i = 0; i < cases.length; i++) cases[i] = new org.objectweb.asm.Label();
            mv.visitVarInsn(ILOAD, 1);
            mv.visitTableSwitchInsn(0, cases.length - 1, bad, cases);
            for (int i = 0; i < cases.length; i++) {
                mv.visitLabel(cases[i]);
                mv.visitVarInsn(ALOAD, 2);
                mv.visitVarInsn(ILOAD, 3);
                mv.visitVarInsn(ILOAD, 4);
                mv.visitMethodInsn(INVOKESTATIC, className, ranges.get(i) + "_range", RANGE, false);
                mv.visitInsn(RETURN);
            }
        }
        mv.visitLabel(bad);
        mv.visitTypeInsn(NEW, "java/lang/IllegalArgumentException");
        mv.visitInsn(DUP);
        mv.visitLdcInsn("no split loop with that number");
        mv.visitMethodInsn(INVOKESPECIAL, "java/lang/IllegalArgumentException", "<init>", "(Ljava/lang/String;)V", false);
        mv.visitInsn(ATHROW);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * {@code static final RangeKernels SELF = new <this class>()}: what split kernels (static
     * methods) hand to RangeSplit to be called back. Typed as the interface: a hidden class
     * cannot be named in a field's type.
     */
    private static void self(ClassWriter cw, String className) {
        cw.visitField(ACC_PRIVATE | ACC_STATIC | ACC_FINAL, SELF, RANGE_KERNELS_DESC, null, null).visitEnd();
        MethodVisitor mv = cw.visitMethod(ACC_STATIC, "<clinit>", "()V", null, null);
        mv.visitCode();
        mv.visitTypeInsn(NEW, className);
        mv.visitInsn(DUP);
        mv.visitMethodInsn(INVOKESPECIAL, className, "<init>", "()V", false);
        mv.visitFieldInsn(PUTSTATIC, className, SELF, RANGE_KERNELS_DESC);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private static void constructor(ClassWriter cw) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC, "<init>", "()V", null, null);
        mv.visitCode();
        mv.visitVarInsn(ALOAD, 0);
        mv.visitMethodInsn(INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private static void run(ClassWriter cw, String className, List<String> parts, Graph g, EmitContext cx, StateLayout state) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_FINAL, "run", ARENA_CTX, null, null);
        mv.visitCode();
        for (String p : parts) {
            mv.visitVarInsn(ALOAD, 1);
            mv.visitVarInsn(ALOAD, 2);
            mv.visitMethodInsn(INVOKESTATIC, className, p, ARENA_CTX, false);
        }
        // updates whose new value is other state are staged now, before any commit overwrites it
        for (Map.Entry<String, Integer> s : cx.plan().staging().entrySet()) {
            var v = g.updates().get(s.getKey());
            arraycopy(new Method(mv), 1, cx.off(v), s.getValue(), cx.numel(v));
        }
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private static void commit(ClassWriter cw, Graph g, EmitContext cx, StateLayout state) {
        MethodVisitor mv = cw.visitMethod(ACC_PUBLIC | ACC_FINAL, "commit", "([F)V", null, null);
        mv.visitCode();
        for (Map.Entry<String, dlm.ir.Value> u : g.updates().entrySet()) {
            StateLayout.Slot to = state.slot(u.getKey());
            Integer staged = cx.plan().staging().get(u.getKey());
            int from = staged != null ? staged : cx.off(u.getValue());
            if (from != to.offset()) arraycopy(new Method(mv), 1, from, to.offset(), to.size());
        }
        mv.visitInsn(RETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    private static void arraycopy(Method m, int arenaLocal, int from, int to, int n) {
        m.mv.visitVarInsn(ALOAD, arenaLocal);
        m.pushInt(from);
        m.mv.visitVarInsn(ALOAD, arenaLocal);
        m.pushInt(to);
        m.pushInt(n);
        m.mv.visitMethodInsn(INVOKESTATIC, "java/lang/System", "arraycopy", "(Ljava/lang/Object;ILjava/lang/Object;II)V", false);
    }

    /** Leaves that are fed or held in the state, and reshapes (views), run no code. */
    private static boolean emitsCode(Graph g, Node n) {
        return switch (n.op()) {
            case Op.Input _, Op.Target _, Op.Param _, Op.Reshape _ -> false;
            default -> true;
        };
    }

    private static void emit(Method m, EmitContext cx, Node n, Graph g) {
        switch (n.op()) {
            case Op.Input _, Op.Target _, Op.Param _, Op.Reshape _ -> {}
            case Op.Fill f -> Loops.fill(m, cx.off(n.out()), cx.numel(n.out()), (float) f.value());
            case Op.Unary u -> ElementwiseEmitter.unary(m, cx, n, u);
            case Op.UnaryGrad u -> ElementwiseEmitter.unaryGrad(m, cx, n, u);
            case Op.Binary b -> ElementwiseEmitter.binary(m, cx, n, b);
            case Op.BinaryCrossEntropy _ -> ElementwiseEmitter.binaryCrossEntropy(m, cx, n, false);
            case Op.BinaryCrossEntropyGrad _ -> ElementwiseEmitter.binaryCrossEntropy(m, cx, n, true);
            case Op.Transpose t -> ElementwiseEmitter.transpose(m, cx, n, t);
            case Op.SumTo _ -> ReductionEmitter.sumTo(m, cx, n);
            case Op.Reduce r -> ReductionEmitter.reduce(m, cx, n, r);
            case Op.ReduceGrad r -> ReductionEmitter.reduceGrad(m, cx, n, r);
            case Op.MatMul mm -> KernelCallEmitter.matmul(m, cx, n, mm);
            case Op.Conv2d c -> KernelCallEmitter.conv2d(m, cx, n, c);
            case Op.Conv2dGradInput c -> KernelCallEmitter.conv2dGradInput(m, cx, n, c);
            case Op.Conv2dGradWeight c -> KernelCallEmitter.conv2dGradWeight(m, cx, n, c);
            case Op.MaxPool2d p -> KernelCallEmitter.maxPool(m, cx, n, p);
            case Op.MaxPool2dGrad p -> KernelCallEmitter.maxPoolGrad(m, cx, n, p);
            case Op.AvgPool2d p -> KernelCallEmitter.avgPool(m, cx, n, p);
            case Op.AvgPool2dGrad p -> KernelCallEmitter.avgPoolGrad(m, cx, n, p);
            case Op.Conv2dNhwc c -> KernelCallEmitter.conv2dNhwc(m, cx, n, c);
            case Op.Conv2dNhwcGradInput c -> KernelCallEmitter.conv2dNhwcGradInput(m, cx, n, c);
            case Op.Conv2dNhwcGradWeight c -> KernelCallEmitter.conv2dNhwcGradWeight(m, cx, n, c);
            case Op.MaxPool2dNhwc p -> KernelCallEmitter.maxPoolNhwc(m, cx, n, p);
            case Op.MaxPool2dNhwcGrad p -> KernelCallEmitter.maxPoolNhwcGrad(m, cx, n, p);
            case Op.AvgPool2dNhwc p -> KernelCallEmitter.avgPoolNhwc(m, cx, n, p);
            case Op.AvgPool2dNhwcGrad p -> KernelCallEmitter.avgPoolNhwcGrad(m, cx, n, p);
            case Op.Upsample u -> KernelCallEmitter.upsample(m, cx, n, u.scale(), u.mode(), false);
            case Op.UpsampleGrad u -> KernelCallEmitter.upsample(m, cx, n, u.scale(), u.mode(), true);
            case Op.Softmax s -> KernelCallEmitter.softmax(m, cx, n, s.axis(), false);
            case Op.LogSoftmax s -> KernelCallEmitter.softmax(m, cx, n, s.axis(), true);
            case Op.SoftmaxGrad s -> KernelCallEmitter.softmaxGrad(m, cx, n, s.axis(), false);
            case Op.LogSoftmaxGrad s -> KernelCallEmitter.softmaxGrad(m, cx, n, s.axis(), true);
            case Op.Concat c -> KernelCallEmitter.concat(m, cx, n, c);
            case Op.Slice s -> KernelCallEmitter.slice(m, cx, n, s);
            case Op.SliceGrad s -> KernelCallEmitter.sliceGrad(m, cx, n, s);
            case Op.Embedding _ -> KernelCallEmitter.embedding(m, cx, n);
            case Op.EmbeddingGrad e -> KernelCallEmitter.embeddingGrad(m, cx, n, e);
            case Op.OneHot o -> KernelCallEmitter.oneHot(m, cx, n, o);
            case Op.DropoutMask d -> KernelCallEmitter.dropoutMask(m, cx, n, d);
            case Op.BatchNorm _, Op.LayerNorm _, Op.Dropout _, Op.Lstm _, Op.Loss _ -> throw notLowered(g, n);
        }
    }

    private static DlmException notLowered(Graph g, Node n) {
        return new DlmException(g.name() + ": the jvm backend runs primitive ops only, but " + n.out() + " is the layer op '"
                + n.op().opName() + "'; lower it first (Pipelines.inference() or training())");
    }
}
