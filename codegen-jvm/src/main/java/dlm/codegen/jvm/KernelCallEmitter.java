package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.ConvNhwc;
import dlm.codegen.jvm.rt.LinearOps;
import dlm.codegen.jvm.rt.MoveOps;
import dlm.codegen.jvm.rt.PoolNhwc;
import dlm.codegen.jvm.rt.PoolOps;
import dlm.codegen.jvm.rt.RunContext;
import dlm.codegen.jvm.rt.SoftmaxOps;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Value;
import dlm.runtime.DlmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Ops that run as a call to a static kernel with every shape, stride and offset pushed as a
 * bytecode constant: matrix products, convolutions, pooling, upsampling, softmax, data
 * movement, lookups and dropout masks.
 */
final class KernelCallEmitter {
    private KernelCallEmitter() {}

    private static final String CTX = "L" + RunContext.class.getName().replace('.', '/') + ";";

    /** Pushes the arena then the given ints, booleans (as Boolean) and doubles; calls owner.name. */
    private static void call(Method m, Class<?> owner, String name, boolean ctx, Object... args) {
        StringBuilder desc = new StringBuilder("([F");
        m.arena();
        for (Object a : args) {
            switch (a) {
                case Integer i -> { m.pushInt(i); desc.append('I'); }
                case Boolean b -> { m.pushBool(b); desc.append('Z'); }
                case Double d -> { m.pushDouble(d); desc.append('D'); }
                case Float f -> { m.pushFloat(f); desc.append('F'); }
                default -> throw new IllegalArgumentException(String.valueOf(a));
            }
        }
        if (ctx) { m.ctx(); desc.append(CTX); }
        m.call(owner, name, desc.append(")V").toString());
    }

    static int prod(int[] s, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= s[i];
        return p;
    }

    static void matmul(Method m, EmitContext cx, Node n, Op.MatMul mm) {
        int[] a = cx.shape(n.input(0)), b = cx.shape(n.input(1));
        int ra = a.length, rb = b.length;
        int rows = a[mm.transA() ? ra - 1 : ra - 2], k = a[mm.transA() ? ra - 2 : ra - 1];
        int cols = b[mm.transB() ? rb - 2 : rb - 1];
        call(m, LinearOps.class, "matmul", true, cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()),
                prod(a, 0, ra - 2), rows, cols, k, mm.transA(), mm.transB(), rb == 2);
    }

    /** A MatMul or Conv2d and its epilogue: one call, the epilogue's offsets -1 where a step is absent. */
    static void withEpilogue(Method m, EmitContext cx, Epilogues.Chain e) {
        Node n = e.product();
        Object[] epilogue = {e.bias() == null ? -1 : cx.off(e.bias()), e.residual() == null ? -1 : cx.off(e.residual()),
                e.residualAfter(), e.actCode(), (float) e.alpha(), e.pre() == null ? -1 : cx.off(e.pre()), cx.off(e.out())};
        switch (n.op()) {
            case Op.MatMul mm -> {
                int[] a = cx.shape(n.input(0)), b = cx.shape(n.input(1));
                int ra = a.length, rb = b.length;
                int rows = a[mm.transA() ? ra - 1 : ra - 2], k = a[mm.transA() ? ra - 2 : ra - 1];
                int cols = b[mm.transB() ? rb - 2 : rb - 1];
                call(m, LinearOps.class, "matmulEpilogue", true, concat(new Object[]{cx.off(n.input(0)), cx.off(n.input(1)),
                        prod(a, 0, ra - 2), rows, cols, k, mm.transA(), mm.transB(), rb == 2}, epilogue));
            }
            case Op.Conv2d c -> {
                int[] x = cx.shape(n.input(0)), w = cx.shape(n.input(1)), y = cx.shape(n.out());
                call(m, LinearOps.class, "conv2dEpilogue", true, concat(concat(new Object[]{cx.off(n.input(0)), cx.off(n.input(1)), colOff(cx, n)},
                        convArgs(x, w, y[2], y[3], c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())),
                        epilogue));
            }
            default -> throw new IllegalStateException("no epilogue for " + n.op().opName());
        }
    }

    /** x and w dims, output spatial size, and the convolution's attributes, in LinearOps' order. */
    private static Object[] convArgs(int[] x, int[] w, int oh, int ow, int stride, int dilation, int groups,
                                     int pt, int pl, int pb, int pr) {
        return new Object[]{x[0], x[1], x[2], x[3], w[0], w[2], w[3], oh, ow, stride, dilation, groups, pt, pl, pb, pr};
    }

    private static Object[] concat(Object[] head, Object[] tail) {
        List<Object> l = new ArrayList<>(List.of(head));
        l.addAll(List.of(tail));
        return l.toArray();
    }

    private static int colOff(EmitContext cx, Node n) {
        return cx.plan().scratch().getOrDefault(n, 0);
    }

    static void conv2d(Method m, EmitContext cx, Node n, Op.Conv2d c) {
        int[] x = cx.shape(n.input(0)), w = cx.shape(n.input(1)), y = cx.shape(n.out());
        call(m, LinearOps.class, "conv2d", true, concat(new Object[]{cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()), colOff(cx, n)},
                convArgs(x, w, y[2], y[3], c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())));
    }

    static void conv2dGradInput(Method m, EmitContext cx, Node n, Op.Conv2dGradInput c) {
        int[] dy = cx.shape(n.input(0)), w = cx.shape(n.input(1)), x = cx.shape(n.out());
        call(m, LinearOps.class, "conv2dGradInput", true, concat(new Object[]{cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()), colOff(cx, n)},
                convArgs(x, w, dy[2], dy[3], c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())));
    }

    static void conv2dGradWeight(Method m, EmitContext cx, Node n, Op.Conv2dGradWeight c) {
        int[] dy = cx.shape(n.input(0)), x = cx.shape(n.input(1)), w = cx.shape(n.out());
        call(m, LinearOps.class, "conv2dGradWeight", true, concat(new Object[]{cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()), colOff(cx, n)},
                convArgs(x, w, dy[2], dy[3], c.stride(), c.dilation(), c.groups(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())));
    }

    static void maxPool(Method m, EmitContext cx, Node n, Op.MaxPool2d p) {
        int[] x = cx.shape(n.input(0)), y = cx.shape(n.out());
        call(m, PoolOps.class, "maxPool", true, cx.off(n.input(0)), cx.off(n.out()), x[0] * x[1], x[2], x[3], y[2], y[3],
                p.kernel(), p.stride(), p.padTop(), p.padLeft());
    }

    static void maxPoolGrad(Method m, EmitContext cx, Node n, Op.MaxPool2dGrad p) {
        int[] dy = cx.shape(n.input(0)), x = cx.shape(n.input(1));
        call(m, PoolOps.class, "maxPoolGrad", true, cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()),
                x[0] * x[1], x[2], x[3], dy[2], dy[3], p.kernel(), p.stride(), p.padTop(), p.padLeft());
    }

    static void avgPool(Method m, EmitContext cx, Node n, Op.AvgPool2d p) {
        int[] x = cx.shape(n.input(0)), y = cx.shape(n.out());
        call(m, PoolOps.class, "avgPool", true, cx.off(n.input(0)), cx.off(n.out()), x[0] * x[1], x[2], x[3], y[2], y[3],
                p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad());
    }

    static void avgPoolGrad(Method m, EmitContext cx, Node n, Op.AvgPool2dGrad p) {
        int[] dx = cx.shape(n.out()), dy = cx.shape(n.input(0));
        call(m, PoolOps.class, "avgPoolGrad", true, cx.off(n.input(0)), cx.off(n.out()), dx[0] * dx[1], dx[2], dx[3], dy[2], dy[3],
                p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.padBottom(), p.padRight(), p.countIncludePad());
    }

    // ---------------------------------------------------------------- channels-last (NHWC) ops

    /** The NHWC kernels do groups = 1 only; the channels-last pass converts no other convolution. */
    private static void ungrouped(Node n, int groups) {
        if (groups != 1) throw new DlmException("the jvm backend runs " + n.op().opName() + " with groups = 1 only, got groups = "
                + groups + " at " + n.out() + " (skip the channels-last pass)");
    }

    /** x [N, H, W, C] and w OIHW dims, output spatial size and attributes, in ConvNhwc's order. */
    private static Object[] nhwcConvArgs(int[] x, int[] w, int oh, int ow, int stride, int dilation, int pt, int pl, int pb, int pr) {
        return new Object[]{x[0], x[3], x[1], x[2], w[0], w[2], w[3], oh, ow, stride, dilation, pt, pl, pb, pr};
    }

    static void conv2dNhwc(Method m, EmitContext cx, Node n, Op.Conv2dNhwc c) {
        ungrouped(n, c.groups());
        int[] x = cx.shape(n.input(0)), w = cx.shape(n.input(1)), y = cx.shape(n.out());
        call(m, ConvNhwc.class, "conv2d", true, concat(new Object[]{cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()), colOff(cx, n)},
                nhwcConvArgs(x, w, y[1], y[2], c.stride(), c.dilation(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())));
    }

    static void conv2dNhwcGradInput(Method m, EmitContext cx, Node n, Op.Conv2dNhwcGradInput c) {
        ungrouped(n, c.groups());
        int[] dy = cx.shape(n.input(0)), w = cx.shape(n.input(1)), x = cx.shape(n.out());
        call(m, ConvNhwc.class, "conv2dGradInput", true, concat(new Object[]{cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()), colOff(cx, n)},
                nhwcConvArgs(x, w, dy[1], dy[2], c.stride(), c.dilation(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())));
    }

    static void conv2dNhwcGradWeight(Method m, EmitContext cx, Node n, Op.Conv2dNhwcGradWeight c) {
        ungrouped(n, c.groups());
        int[] dy = cx.shape(n.input(0)), x = cx.shape(n.input(1)), w = cx.shape(n.out());
        call(m, ConvNhwc.class, "conv2dGradWeight", true, concat(new Object[]{cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()), colOff(cx, n)},
                nhwcConvArgs(x, w, dy[1], dy[2], c.stride(), c.dilation(), c.padTop(), c.padLeft(), c.padBottom(), c.padRight())));
    }

    static void maxPoolNhwc(Method m, EmitContext cx, Node n, Op.MaxPool2dNhwc p) {
        int[] x = cx.shape(n.input(0)), y = cx.shape(n.out());
        call(m, PoolNhwc.class, "maxPool", false, cx.off(n.input(0)), cx.off(n.out()), x[0], x[1], x[2], x[3], y[1], y[2],
                p.kernel(), p.stride(), p.padTop(), p.padLeft());
    }

    static void maxPoolNhwcGrad(Method m, EmitContext cx, Node n, Op.MaxPool2dNhwcGrad p) {
        int[] dy = cx.shape(n.input(0)), x = cx.shape(n.input(1));
        call(m, PoolNhwc.class, "maxPoolGrad", false, cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()),
                x[0], x[1], x[2], x[3], dy[1], dy[2], p.kernel(), p.stride(), p.padTop(), p.padLeft());
    }

    static void avgPoolNhwc(Method m, EmitContext cx, Node n, Op.AvgPool2dNhwc p) {
        int[] x = cx.shape(n.input(0)), y = cx.shape(n.out());
        call(m, PoolNhwc.class, "avgPool", false, cx.off(n.input(0)), cx.off(n.out()), x[0], x[1], x[2], x[3], y[1], y[2],
                p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.countIncludePad());
    }

    static void avgPoolNhwcGrad(Method m, EmitContext cx, Node n, Op.AvgPool2dNhwcGrad p) {
        int[] dy = cx.shape(n.input(0)), dx = cx.shape(n.out());
        call(m, PoolNhwc.class, "avgPoolGrad", false, cx.off(n.input(0)), cx.off(n.out()), dx[0], dx[1], dx[2], dx[3], dy[1], dy[2],
                p.kernel(), p.stride(), p.padTop(), p.padLeft(), p.countIncludePad());
    }

    static void upsample(Method m, EmitContext cx, Node n, int scale, Op.UpsampleMode mode, boolean grad) {
        int[] small = cx.shape(grad ? n.out() : n.input(0));
        call(m, PoolOps.class, grad ? "upsampleGrad" : "upsample", false, cx.off(n.input(0)), cx.off(n.out()),
                small[0] * small[1], small[2], small[3], scale, mode == Op.UpsampleMode.BILINEAR);
    }

    /** [outer, len, inner] around the axis. */
    private static int[] around(int[] s, int axis) {
        int a = axis < 0 ? axis + s.length : axis;
        return new int[]{prod(s, 0, a), s[a], prod(s, a + 1, s.length)};
    }

    static void softmax(Method m, EmitContext cx, Node n, int axis, boolean log) {
        int[] g = around(cx.shape(n.out()), axis);
        call(m, SoftmaxOps.class, "softmax", false, cx.off(n.input(0)), cx.off(n.out()), g[0], g[1], g[2], log);
    }

    static void softmaxGrad(Method m, EmitContext cx, Node n, int axis, boolean log) {
        int[] g = around(cx.shape(n.out()), axis);
        call(m, SoftmaxOps.class, "softmaxGrad", false, cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()), g[0], g[1], g[2], log);
    }

    static void concat(Method m, EmitContext cx, Node n, Op.Concat c) {
        int[] out = cx.shape(n.out());
        int a = n.out().shape().axis(c.axis());
        int outer = prod(out, 0, a), inner = prod(out, a + 1, out.length), at = 0;
        for (Value in : n.inputs()) {
            int len = cx.shape(in)[a];
            call(m, MoveOps.class, "copyBlocks", false, cx.off(in), len * inner, cx.off(n.out()) + at * inner, out[a] * inner, outer, len * inner);
            at += len;
        }
    }

    static void slice(Method m, EmitContext cx, Node n, Op.Slice s) {
        int[] x = cx.shape(n.input(0));
        int a = n.input(0).shape().axis(s.axis());
        int outer = prod(x, 0, a), inner = prod(x, a + 1, x.length), len = s.end() - s.start();
        call(m, MoveOps.class, "copyBlocks", false, cx.off(n.input(0)) + s.start() * inner, x[a] * inner,
                cx.off(n.out()), len * inner, outer, len * inner);
    }

    static void sliceGrad(Method m, EmitContext cx, Node n, Op.SliceGrad s) {
        int[] dy = cx.shape(n.input(0));
        int a = n.input(0).shape().axis(s.axis());
        int outer = prod(dy, 0, a), inner = prod(dy, a + 1, dy.length), len = dy[a];
        Loops.fill(m, cx.off(n.out()), cx.numel(n.out()), 0f);
        call(m, MoveOps.class, "copyBlocks", false, cx.off(n.input(0)), len * inner,
                cx.off(n.out()) + s.start() * inner, s.size() * inner, outer, len * inner);
    }

    static void embedding(Method m, EmitContext cx, Node n) {
        int[] w = cx.shape(n.input(0));
        call(m, MoveOps.class, "embedding", false, cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()), cx.numel(n.input(1)), w[0], w[1]);
    }

    static void embeddingGrad(Method m, EmitContext cx, Node n, Op.EmbeddingGrad e) {
        int[] dy = cx.shape(n.input(0));
        call(m, MoveOps.class, "embeddingGrad", false, cx.off(n.input(0)), cx.off(n.input(1)), cx.off(n.out()),
                cx.numel(n.input(1)), e.vocab(), dy[dy.length - 1]);
    }

    static void oneHot(Method m, EmitContext cx, Node n, Op.OneHot o) {
        call(m, MoveOps.class, "oneHot", false, cx.off(n.input(0)), cx.off(n.out()), cx.numel(n.input(0)), o.classes());
    }

    static void dropoutMask(Method m, EmitContext cx, Node n, Op.DropoutMask d) {
        call(m, MoveOps.class, "dropoutMask", true, cx.off(n.out()), cx.numel(n.out()), d.rate());
    }

}
