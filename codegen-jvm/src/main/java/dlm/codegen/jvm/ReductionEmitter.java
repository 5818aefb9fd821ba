package dlm.codegen.jvm;

import dlm.codegen.jvm.rt.MathFns;
import dlm.ir.Node;
import dlm.ir.Op;
import dlm.ir.Op.ReduceFn;
import java.util.List;
import org.objectweb.asm.Opcodes;

/**
 * Reductions, their gradients and sum_to as loop nests over the input's shape in which the
 * reduced tensor has stride 0 along reduced axes. Means, variances and tie counts take extra
 * passes; the temporaries they need are the op's planned scratch.
 */
final class ReductionEmitter implements Opcodes {
    private ReductionEmitter() {}

    /** Strides of the reduced (keep-dims) tensor at an index of x: 0 on reduced axes. */
    static int[] reducedStrides(int[] x, List<Integer> axes, int rank) {
        int[] kept = x.clone();
        boolean[] red = new boolean[x.length];
        for (int a : axes) red[a < 0 ? a + rank : a] = true;
        for (int i = 0; i < x.length; i++) if (red[i]) kept[i] = 1;
        int[] s = LoopNest.strides(kept);
        for (int i = 0; i < x.length; i++) if (red[i]) s[i] = 0;
        return s;
    }

    private static int count(int[] x, List<Integer> axes) {
        int c = 1;
        for (int a : axes) c *= x[a < 0 ? a + x.length : a];
        return c;
    }

    static void sumTo(Method m, EmitContext cx, Node n) {
        int[] dy = cx.shape(n.input(0));
        int y = cx.off(n.out());
        Loops.fill(m, y, cx.numel(n.out()), 0f);
        Loops.accumulate(m, dy, new int[]{y, cx.off(n.input(0))},
                new int[][]{LoopNest.broadcastStrides(cx.shape(n.out()), dy), LoopNest.strides(dy)}, false,
                (mm, idx) -> Loops.load(mm, idx, 1));
    }

    /** out = mean of x over axes, into the (keep-dims) layout at offset out. */
    private static void mean(Method m, int[] x, int xOff, int out, int outN, int[] rs, int cnt) {
        Loops.fill(m, out, outN, 0f);
        Loops.accumulate(m, x, new int[]{out, xOff}, new int[][]{rs, LoopNest.strides(x)}, false, (mm, idx) -> Loops.load(mm, idx, 1));
        Loops.divide(m, out, outN, cnt);
    }

    static void reduce(Method m, EmitContext cx, Node n, Op.Reduce r) {
        int[] x = cx.shape(n.input(0));
        int xOff = cx.off(n.input(0)), y = cx.off(n.out()), ny = cx.numel(n.out());
        int[] rs = reducedStrides(x, r.axes(), x.length), xs = LoopNest.strides(x);
        int cnt = count(x, r.axes());
        switch (r.fn()) {
            case SUM -> {
                Loops.fill(m, y, ny, 0f);
                Loops.accumulate(m, x, new int[]{y, xOff}, new int[][]{rs, xs}, false, (mm, idx) -> Loops.load(mm, idx, 1));
            }
            case MEAN -> mean(m, x, xOff, y, ny, rs, cnt);
            case MAX -> {
                Loops.fill(m, y, ny, Float.NEGATIVE_INFINITY);
                Loops.accumulate(m, x, new int[]{y, xOff}, new int[][]{rs, xs}, true, (mm, idx) -> Loops.load(mm, idx, 1));
            }
            case VAR_UNBIASED -> {
                int mu = cx.scratch(n);
                mean(m, x, xOff, mu, ny, rs, cnt);
                Loops.fill(m, y, ny, 0f);
                Loops.accumulate(m, x, new int[]{y, xOff, mu}, new int[][]{rs, xs, rs}, false, (mm, idx) -> {
                    Loops.load(mm, idx, 1);
                    Loops.load(mm, idx, 2);
                    mm.mv.visitInsn(FSUB);
                    mm.mv.visitInsn(DUP);
                    mm.mv.visitInsn(FMUL);
                });
                // n - 1 = 0 gives 0/0 = NaN, as torch.var of one element
                Loops.divide(m, y, ny, cnt - 1);
            }
        }
    }

    /** Inputs dy, x, y (the reduce output). */
    static void reduceGrad(Method m, EmitContext cx, Node n, Op.ReduceGrad r) {
        int[] x = cx.shape(n.input(1));
        int ny = cx.numel(n.input(0));
        int[] rs = reducedStrides(x, r.axes(), x.length), xs = LoopNest.strides(x);
        int cnt = count(x, r.axes());
        if (r.fn() == ReduceFn.SUM || r.fn() == ReduceFn.MEAN) {
            // a broadcast of dy: x and y give only shapes, and fusion may have kept them in a loop's locals
            Float c = cx.constant(n.input(0));
            if (c != null) Loops.fill(m, cx.off(n.out()), cx.numel(n.out()), r.fn() == ReduceFn.SUM ? c : c / cnt);
            else Loops.store(m, x, new int[]{cx.off(n.out()), cx.off(n.input(0))}, new int[][]{xs, rs}, (mm, idx) -> {
                Loops.load(mm, idx, 1);
                if (r.fn() == ReduceFn.MEAN) {
                    mm.pushFloat(cnt);
                    mm.mv.visitInsn(FDIV);
                }
            });
            return;
        }
        int dx = cx.off(n.out()), dy = cx.off(n.input(0)), xOff = cx.off(n.input(1)), yOff = cx.off(n.input(2));
        switch (r.fn()) {
            case SUM, MEAN -> throw new AssertionError("handled above");
            case MAX -> {
                // torch.amax: the gradient is shared evenly among the positions equal to the max
                int ties = cx.scratch(n);
                Loops.fill(m, ties, ny, 0f);
                Loops.accumulate(m, x, new int[]{ties, xOff, yOff}, new int[][]{rs, xs, rs}, false, (mm, idx) -> {
                    Loops.load(mm, idx, 1);
                    Loops.load(mm, idx, 2);
                    mm.call(MathFns.class, "equal", "(FF)F");
                });
                Loops.store(m, x, new int[]{dx, dy, xOff, yOff, ties}, new int[][]{xs, rs, xs, rs, rs}, (mm, idx) -> {
                    for (int k = 1; k <= 4; k++) Loops.load(mm, idx, k);
                    mm.call(MathFns.class, "maxGrad", "(FFFF)F");
                });
            }
            case VAR_UNBIASED -> {
                int mu = cx.scratch(n);
                mean(m, x, xOff, mu, ny, rs, cnt);
                Loops.store(m, x, new int[]{dx, dy, xOff, mu}, new int[][]{xs, rs, xs, rs}, (mm, idx) -> {
                    for (int k = 1; k <= 3; k++) Loops.load(mm, idx, k);
                    mm.pushFloat(cnt - 1);
                    mm.call(MathFns.class, "varGrad", "(FFFF)F");
                });
            }
        }
    }

    static ReduceFn fn(Op op) { return op instanceof Op.Reduce r ? r.fn() : ((Op.ReduceGrad) op).fn(); }
}
