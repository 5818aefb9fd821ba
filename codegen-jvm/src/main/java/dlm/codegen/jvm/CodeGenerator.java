package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.Profiler;
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
    private static final String ARENA_CTX = "([FL" + RunContext.class.getName().replace('.', '/') + ";)V";

    static byte[] generate(String className, Graph g, List<Fusion.Kernel> kernels, EmitContext cx, StateLayout state) {
        ClassWriter cw = ClassDefiner.writer();
        cw.visit(V25, ACC_PUBLIC | ACC_FINAL | ACC_SUPER, className, null, "java/lang/Object",
                new String[]{GeneratedStep.class.getName().replace('.', '/')});
        cw.visitSource(g.name() + ".dlm", null);
        constructor(cw);

        List<String> calls = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < kernels.size(); i++) {
            Fusion.Kernel k = kernels.get(i);
            if (!k.code()) continue;
            Node n = k.nodes().getLast();
            String name = k.fused() ? "op" + i + "_fused" + k.nodes().size() : "op" + i + "_" + n.op().opName();
            MethodVisitor mv = cw.visitMethod(ACC_PRIVATE | ACC_STATIC, name, ARENA_CTX, null, null);
            mv.visitCode();
            if (Epilogues.isEpilogue(k)) KernelCallEmitter.withEpilogue(new Method(mv), cx, Epilogues.chain(k, cx));
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
        cw.visitEnd();
        return cw.toByteArray();
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
